import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { MemberRow } from '../../src/community/member.table.js';
import { zonedToUtc } from '../../src/core/timezone.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { ISSUING, LedgerService, REDEMPTIONS, wallet } from '../../src/rewards/ledger.service.js';
import { StandingTotals, periodKey } from '../../src/rewards/standing-totals.js';
import { type TestHearth, generalSpace, makeHearth, makeMember } from '../helpers/hearth.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The kept totals (migration 0029): what each ledger movement and achievement does to them, checked against the audit every time. */
describe('standing kept beside the ledger', () => {
  let h: TestHearth;
  let owner: MemberRow;
  beforeEach(async () => {
    h = await makeHearth({
      economy: {
        expert_threshold: 2,
        earn: { post: 5, reply: 2, reaction_received: 1 },
        badges: [{ id: 'liked', name: 'Liked', description: '2 reactions received', rule: 'reaction_received', count: 2 }],
      },
    });
    owner = await makeMember(h, { role: 'owner', handle: 'boss' });
  });
  afterEach(() => h.destroy());

  const kept = async (memberId: number) => {
    const rows = await h.database.db.selectFrom('standing_totals').select(['period', 'earned']).where('member_id', '=', memberId).execute();
    return Object.fromEntries(rows.map((r) => [r.period.split(':')[0]!, r.earned]));
  };
  const audited = async () => {
    const audit = await h.services.ledger.audit();
    expect(audit).to.deep.equal({ mismatches: [], standing: [], total: 0 });
  };
  const settle = () => h.services.earning.idle();

  it('counts awards and their reversals in every period, and never spending, gifts, grants, deductions or refunds', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const bob = await makeMember(h, { handle: 'bob' });
    const general = await generalSpace(h);
    const post = await h.services.posts.createThread(ana, general, { body: 'Fresh beans today' });
    await settle();
    expect(await kept(ana.id)).to.deep.equal({ all: 5, week: 5, month: 5 });

    await h.services.ledger.adjust(owner, ana.id, 40, 'A thank-you grant');
    await h.services.ledger.adjust(owner, ana.id, -3, 'A correction');
    await h.services.ledger.gift(ana, bob.id, 10, 'thanks');
    const reward = await h.services.rewards.create(owner, { title: 'Espresso', description: '', price: 7, stock: null, perMemberLimit: null, startsOn: null, endsOn: null });
    await h.services.rewards.redeem(ana, reward.id);
    await h.database.db.transaction().execute((trx) =>
      h.services.ledger.record(trx, { debit: REDEMPTIONS, credit: wallet(ana.id), amount: 7, kind: 'refund', reason: 'Out of beans', memberId: ana.id }),
    );
    // The wallet moved (5 + 40 - 3 - 10 - 7 + 7); the standing did not.
    expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(32);
    expect(await kept(ana.id)).to.deep.equal({ all: 5, week: 5, month: 5 });
    expect(await kept(bob.id)).to.deep.equal({});
    expect(await h.services.standing.of(ana.id)).to.deep.include({ earned: 5, rank: 1 });
    expect(await h.services.standing.of(bob.id)).to.deep.include({ earned: 0, rank: null });

    await h.services.reactions.toggle(bob, post.id, 'like');
    await settle();
    expect(await kept(ana.id)).to.deep.equal({ all: 6, week: 6, month: 6 });
    await audited();

    // A moderator's removal takes the post's awards back: the reversal lowers every period.
    await h.services.moderation.removePost(owner, post.id, 'Off topic');
    await settle();
    expect(await kept(ana.id)).to.deep.equal({ all: 0, week: 0, month: 0 });
    expect(await h.services.standing.leaderboard('week')).to.deep.equal([]);
    await audited();
  });

  it('keeps badge counts and reputation per space, and takes them down with removed content', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const readers = await Promise.all(['bob', 'cy'].map((handle) => makeMember(h, { handle })));
    const general = await generalSpace(h);
    const post = await h.services.posts.createThread(ana, general, { body: 'Latte art' });
    for (const r of readers) await h.services.reactions.toggle(r, post.id, 'love');
    await settle();
    const counts = await h.database.db.selectFrom('achievement_counts').select(['rule', 'n']).where('member_id', '=', ana.id).orderBy('rule').execute();
    expect(counts).to.deep.equal([{ rule: 'post', n: 1 }, { rule: 'reaction_received', n: 2 }]);
    expect((await h.services.achievements.held(ana.id)).map((b) => b.id)).to.deep.equal(['liked']);
    expect(await h.services.standing.isExpert(general.id, ana.id)).to.equal(true);
    expect((await h.services.standing.of(ana.id)).expertIn.map((x) => x.reputation)).to.deep.equal([2]);

    await h.services.moderation.removePost(owner, post.id, 'Spam');
    await settle();
    const after = await h.database.db.selectFrom('achievement_counts').select(['rule', 'n']).where('member_id', '=', ana.id).orderBy('rule').execute();
    expect(after).to.deep.equal([{ rule: 'post', n: 0 }, { rule: 'reaction_received', n: 0 }]);
    expect(await h.services.standing.isExpert(general.id, ana.id)).to.equal(false);
    await audited();
  });

  it('finds a kept total that differs from the ledger, and rebuilds it', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Hello' });
    await settle();
    await h.database.db.updateTable('standing_totals').set({ earned: 999 }).where('member_id', '=', ana.id).where('period', '=', 'all').execute();
    await h.database.db.updateTable('space_reputation').set({ reputation: 50 }).execute();
    const audit = await h.services.ledger.audit();
    expect(audit.standing).to.deep.equal([{ table: 'standing_totals', key: `member ${ana.id}, all`, kept: 999, computed: 5 }]);
    await h.database.db.insertInto('achievement_counts').values({ member_id: ana.id, rule: 'reply', n: 3 }).execute();
    expect((await h.services.ledger.audit()).standing.map((m) => m.table)).to.deep.equal(['standing_totals', 'achievement_counts']);
    await h.database.db.transaction().execute((trx) => h.services.standingTotals.rebuild(trx));
    await audited();
  });

  describe('weeks and months on the community’s clock', () => {
    it('puts an instant in the week and month of the community’s own calendar', () => {
      // Sunday 21:00 in Los Angeles is already Monday in UTC.
      expect(periodKey('week', '2026-11-30T05:00:00Z', 'America/Los_Angeles')).to.equal('week:2026-11-23');
      expect(periodKey('week', '2026-11-30T05:00:00Z', 'UTC')).to.equal('week:2026-11-30');
      // 1 December 01:00 in Tokyo is still November in UTC.
      expect(periodKey('month', '2026-11-30T16:00:00Z', 'Asia/Tokyo')).to.equal('month:2026-12');
      expect(periodKey('month', '2026-11-30T16:00:00Z', 'UTC')).to.equal('month:2026-11');
      expect(periodKey('all', '2026-11-30T16:00:00Z', 'Asia/Tokyo')).to.equal('all');
      expect(periodKey('week', new Date('2026-11-30T05:00:00Z'), 'America/Los_Angeles')).to.equal('week:2026-11-23');
      expect(periodKey('month', new Date('2026-11-30T16:00:00Z'), 'Asia/Tokyo')).to.equal('month:2026-12');
    });

    for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Kyiv']) {
      it(`counts this week from Monday 00:00 in ${tz}, when written and when rebuilt`, async () => {
        h.config.community.timezone = tz;
        const ana = await makeMember(h, { handle: 'ana' });
        const bob = await makeMember(h, { handle: 'bob' });
        const monday = zonedToUtc(`${periodKey('week', new Date(), tz).slice('week:'.length)}T00:00`, tz)!;
        const at = (ms: number) => new Date(Date.parse(monday) + ms).toISOString();
        // Awards just after (ana) and just before (bob) the week began there, written as the ledger writes them.
        let n = 0;
        const awardAt = (memberId: number, createdAt: string) =>
          h.database.db.transaction().execute(async (trx) => {
            const entry = await trx
              .insertInto('ledger_entries')
              .values({ debit: ISSUING, credit: wallet(memberId), amount: 4, kind: 'award', rule: 'post', reason: 'test', source: `t:${++n}`, member_id: memberId, day: createdAt.slice(0, 10), created_at: createdAt })
              .returningAll()
              .executeTakeFirstOrThrow();
            await trx.insertInto('ledger_balances').values({ account: wallet(memberId), balance: 4 }).execute();
            await trx.insertInto('ledger_balances').values({ account: ISSUING, balance: -4 }).onConflict((oc) => oc.column('account').doUpdateSet((eb) => ({ balance: eb('ledger_balances.balance', '-', 4) }))).execute();
            await h.services.standingTotals.entryWritten(trx, entry);
          });
        await awardAt(ana.id, at(60_000));
        await awardAt(bob.id, at(-60_000));
        const week = async () => (await h.services.standing.leaderboard('week')).map((r) => `${r.handle}:${r.earned}`);
        expect(await week()).to.deep.equal(['ana:4']);
        expect((await h.services.standing.leaderboard('all')).map((r) => `${r.rank} ${r.handle}`)).to.deep.equal(['1 ana', '1 bob']);
        await audited();
        await h.database.db.transaction().execute((trx) => h.services.standingTotals.rebuild(trx));
        expect(await week()).to.deep.equal(['ana:4']);
        await audited();
      });
    }

    it('audits without writing, in the zone the rows were built for, and sees a rebuild made by another process', async () => {
      h.config.community.timezone = 'Pacific/Kiritimati';
      const ana = await makeMember(h, { handle: 'ana' });
      await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Hello' });
      await settle();
      expect((await h.services.standing.leaderboard('week')).map((r) => r.earned)).to.deep.equal([5]);
      const zone = async () => (await h.database.db.selectFrom('standing_state').select('value').executeTakeFirst())?.value;
      // `hearth economy audit` run from a shell whose zone is UTC: it agrees, and changes nothing.
      const elsewhere = new StandingTotals(() => 'UTC');
      expect(await new LedgerService(h.database.db, elsewhere).audit()).to.deep.include({ mismatches: [], standing: [] });
      expect(await zone()).to.equal('Pacific/Kiritimati');
      // The same shell repairs: the rows are now UTC's, and the server puts them back in its own zone on the next read.
      await h.database.db.transaction().execute((trx) => elsewhere.rebuild(trx));
      expect(await zone()).to.equal('UTC');
      expect((await h.services.standing.leaderboard('week')).map((r) => r.earned)).to.deep.equal([5]);
      expect(await zone()).to.equal('Pacific/Kiritimati');
      await audited();
    });

    it('rebuilds the period rows when the community moves to another time zone', async () => {
      const ana = await makeMember(h, { handle: 'ana' });
      await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Hello' });
      await settle();
      expect((await h.services.standing.leaderboard('week')).map((r) => r.earned)).to.deep.equal([5]);
      h.config.community.timezone = 'Asia/Tokyo';
      expect((await h.services.standing.leaderboard('week')).map((r) => r.earned)).to.deep.equal([5]);
      const state = await h.database.db.selectFrom('standing_state').select('value').where('key', '=', 'period_time_zone').executeTakeFirst();
      expect(state?.value).to.equal('Asia/Tokyo');
      const periods = await h.database.db.selectFrom('standing_totals').select('period').where('member_id', '=', ana.id).orderBy('period').execute();
      expect(periods.map((p) => p.period)).to.deep.equal(['all', periodKey('month', new Date(), 'Asia/Tokyo'), periodKey('week', new Date(), 'Asia/Tokyo')]);
      await audited();
    });
  });
});

describe('migration 0029: kept standing for an existing community', () => {
  it('builds every total from the ledger and achievements already there', async () => {
    const { db, close } = openDatabase(':memory:');
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('0028_submission_keys')).error).to.equal(undefined);
      const now = new Date().toISOString();
      const member = (handle: string) =>
        db.insertInto('members').values({ handle, display_name: handle, bio: '', avatar_file: null, role: 'member', status: 'active', status_reason: null, password_hash: 'x', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      const ana = (await member('ana')).id;
      const bob = (await member('bob')).id;
      const space = (await db.insertInto('spaces').values({ slug: 'roasting', name: 'Roasting', description: '', visibility: 'public', created_by: ana, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
      const balances = new Map<string, number>();
      const today = now.slice(0, 10);
      let id = 0;
      const entry = async (memberId: number, kind: 'award' | 'reversal' | 'grant', amount: number, day: string, reverses: number | null = null) => {
        const [debit, credit] = kind === 'reversal' ? [wallet(memberId), ISSUING] : [ISSUING, wallet(memberId)];
        await db.insertInto('ledger_entries').values({ debit, credit, amount, kind, rule: 'post', reason: 'old', source: `old:${++id}`, member_id: memberId, actor_id: null, reverses, day, created_at: day === today ? now : `${day}T12:00:00.000Z` }).execute();
        balances.set(debit, (balances.get(debit) ?? 0) - amount);
        balances.set(credit, (balances.get(credit) ?? 0) + amount);
        return id;
      };
      const first = await entry(ana, 'award', 10, '2024-03-01');
      await entry(ana, 'reversal', 4, '2024-03-02', first);
      await entry(ana, 'award', 3, today);
      await entry(bob, 'grant', 100, today);
      await entry(bob, 'award', 2, today);
      for (const [account, balance] of balances) await db.insertInto('ledger_balances').values({ account, balance }).execute();
      const achievement = (source: string, memberId: number, rule: string, revoked = 0) =>
        db.insertInto('achievements').values({ source, member_id: memberId, rule, space_id: space, revoked, created_at: now }).execute();
      await achievement('reaction:1:2', ana, 'reaction_received');
      await achievement('reaction:1:3', ana, 'reaction_received');
      await achievement('reaction:1:4', ana, 'reaction_received', 1);
      await achievement('answer:9', bob, 'accepted_answer');

      expect((await migrator.migrateTo('0029_standing_totals')).error).to.equal(undefined);
      const totals = await db.selectFrom('standing_totals').select(['member_id', 'period', 'earned']).orderBy('member_id').execute();
      expect(totals).to.deep.equal([{ member_id: ana, period: 'all', earned: 9 }, { member_id: bob, period: 'all', earned: 2 }]);
      expect(await db.selectFrom('space_reputation').select(['member_id', 'reputation']).orderBy('member_id').execute()).to.deep.equal([{ member_id: ana, reputation: 2 }, { member_id: bob, reputation: 10 }]);

      // The server builds this week's and month's rows on first use, and then the audit agrees.
      const standing = new StandingTotals(() => 'Europe/Warsaw');
      const ledger = new LedgerService(db, standing);
      expect(await ledger.audit()).to.deep.equal({ mismatches: [], standing: [], total: 0 });
      expect(await db.selectFrom('standing_totals').select('period').where('period', '<>', 'all').execute()).to.deep.equal([]);
      await standing.ensurePeriods(db);
      const periods = await db.selectFrom('standing_totals').select(['member_id', 'period', 'earned']).where('period', '<>', 'all').orderBy('member_id').orderBy('period').execute();
      expect(periods.map((p) => `${p.member_id === ana ? 'ana' : 'bob'} ${p.period.split(':')[0]} ${p.earned}`)).to.deep.equal(['ana month 3', 'ana week 3', 'bob month 2', 'bob week 2']);
      expect(await ledger.audit()).to.deep.equal({ mismatches: [], standing: [], total: 0 });

      expect((await migrator.migrateTo('0028_submission_keys')).error).to.equal(undefined);
    } finally {
      await close();
    }
  });
});

describe('the economy killed mid-write', function () {
  this.timeout(60_000);
  it('leaves balances and kept standing that the audit finds equal to the ledger', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-kill-'));
    const file = path.join(dir, 'hearth.sqlite');
    try {
      const setup = openDatabase(file);
      await migrateToLatest(setup.db);
      const now = new Date().toISOString();
      const ids: number[] = [];
      for (const handle of ['ana', 'bob', 'cy']) {
        const m = await setup.db.insertInto('members').values({ handle, display_name: handle, bio: '', avatar_file: null, role: 'member', status: 'active', status_reason: null, password_hash: 'x', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
        ids.push(m.id);
      }
      await setup.db.insertInto('spaces').values({ slug: 'roasting', name: 'Roasting', description: '', visibility: 'public', created_by: ids[0]!, created_at: now }).execute();
      await setup.close();

      const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'rewards', 'fixtures', 'award-child.ts'), file, String(ids[0]), String(ids[2])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
        child.once('exit', (code) => reject(new Error(`the child exited with ${code} before writing`)));
      });
      await new Promise((r) => setTimeout(r, 400)); // mid-flight: batches of awards, reversals and gifts
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      const after = openDatabase(file);
      try {
        const entries = await after.db.selectFrom('ledger_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(Number(entries.n)).to.be.greaterThan(20);
        const ledger = new LedgerService(after.db, new StandingTotals(() => 'UTC'));
        expect(await ledger.audit()).to.deep.equal({ mismatches: [], standing: [], total: 0 });
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
