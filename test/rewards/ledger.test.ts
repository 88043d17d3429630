import { expect } from 'chai';
import { sql } from 'kysely';
import type { MemberRow } from '../../src/community/member.table.js';
import { ISSUING, REDEMPTIONS, wallet } from '../../src/rewards/ledger.service.js';
import { type TestHearth, generalSpace, makeHearth, makeMember } from '../helpers/hearth.js';

/** A small deterministic PRNG, so a failing sequence can be replayed from its seed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the currency ledger', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth({ economy: { daily_cap: 1_000_000, cap: { post: 1_000_000, reply: 1_000_000, reaction_received: 1_000_000 } } });
  });
  afterEach(() => h.destroy());

  const balance = (m: MemberRow) => h.services.ledger.balance(wallet(m.id));

  it('keeps its invariants over random awards, reversals, gifts, grants, deductions and redemptions', async () => {
    const { ledger, earning } = h.services;
    const owner = await makeMember(h, { role: 'owner' });
    const members = [owner, ...(await Promise.all([1, 2, 3, 4].map(() => makeMember(h))))];
    const done = { award: 0, reversal: 0, gift: 0, adjust: 0, redemption: 0 };
    const draft = { description: '', perMemberLimit: null, startsOn: null, endsOn: null };
    const rewards = [
      await h.services.rewards.create(owner, { ...draft, title: 'Espresso', price: 7, stock: null }),
      await h.services.rewards.create(owner, { ...draft, title: 'Mug', price: 15, stock: 12 }),
      await h.services.rewards.create(owner, { ...draft, title: 'Tote', price: 3, stock: 40, perMemberLimit: 4 }),
    ];
    for (const seed of [1, 2, 3]) {
      const rand = prng(seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
      const sources: string[] = [];
      for (let step = 0; step < 150; step++) {
        const m = pick(members);
        const amount = 1 + Math.floor(rand() * 20);
        const op = rand();
        try {
          if (op < 0.35) {
            const source = `test:${seed}:${step}`;
            if (await earning.award(m.id, pick(['post', 'reply', 'reaction_received'] as const), source)) {
              sources.push(source);
              done.award++;
            }
          } else if (op < 0.5 && sources.length) {
            if (await h.database.db.transaction().execute((trx) => ledger.reverse(trx, pick(sources), 'test reversal'))) done.reversal++;
          } else if (op < 0.65) {
            await ledger.gift(m, pick(members).id, amount, 'thanks');
            done.gift++;
          } else if (op < 0.8) {
            await ledger.adjust(owner, m.id, rand() < 0.5 ? amount : -amount, 'test adjustment');
            done.adjust++;
          } else {
            await h.services.rewards.redeem(m, pick(rewards).id);
            done.redemption++;
          }
        } catch (err) {
          // Refusals (not enough in the wallet, a gift to oneself, sold out, over the limit) are expected; anything else is a bug.
          expect((err as { code?: string }).code, String(err)).to.be.oneOf(['insufficient', 'invalid_input', 'out_of_stock', 'limit_reached']);
        }
        const audit = await ledger.audit();
        expect(audit.mismatches, `seed ${seed} step ${step}`).to.deep.equal([]);
        expect(audit.standing, `seed ${seed} step ${step}: kept standing`).to.deep.equal([]);
        expect(audit.total, 'the sum of all accounts').to.equal(0);
        for (const member of members) expect(await balance(member)).to.be.at.least(0);
      }
    }
    // What the redemption sink holds is exactly what the vouchers cost, and stock never went below zero.
    const paid = await h.database.db.selectFrom('redemptions').select((eb) => eb.fn.sum<number>('price').as('n')).executeTakeFirstOrThrow();
    expect(await ledger.balance(REDEMPTIONS)).to.equal(Number(paid.n));
    const mug = await h.services.rewards.get(rewards[1]!.id);
    const mugs = await h.database.db.selectFrom('redemptions').select((eb) => eb.fn.countAll<number>().as('n')).where('reward_id', '=', mug.id).executeTakeFirstOrThrow();
    expect(mug.stock! + Number(mugs.n)).to.equal(12);
    // Every kind of movement happened often enough for the invariants to mean something.
    for (const [kind, n] of Object.entries(done)) expect(n, kind).to.be.greaterThan(5);
    const negative = await h.database.db.selectFrom('ledger_balances').selectAll().where('account', 'like', 'member:%').where('balance', '<', 0).execute();
    expect(negative).to.deep.equal([]);
  });

  it('never changes or deletes an entry: corrections are new entries', async () => {
    const m = await makeMember(h);
    await h.services.earning.award(m.id, 'post', 'test:immutable');
    for (const statement of [sql`update ledger_entries set amount = 999`, sql`delete from ledger_entries`]) {
      let refused = '';
      await statement.execute(h.database.db).catch((err) => (refused = String(err)));
      expect(refused).to.match(/never (changed|deleted)/);
    }
    expect(await balance(m)).to.equal(5);
  });

  it('pays for posts, replies and reactions received, once per source, never for one’s own reactions', async () => {
    const ana = await makeMember(h);
    const bob = await makeMember(h);
    const general = await generalSpace(h);
    const post = await h.services.posts.createThread(ana, general, { body: 'Fresh beans' });
    await h.services.posts.reply(bob, post.id, { body: 'Lovely' });
    await h.services.reactions.toggle(ana, post.id, 'like'); // her own: nothing
    await h.services.reactions.toggle(bob, post.id, 'like');
    await h.services.reactions.toggle(bob, post.id, 'love'); // same person, same post: once
    await h.services.reactions.toggle(bob, post.id, 'like'); // off
    await h.services.reactions.toggle(bob, post.id, 'like'); // on again: still once
    await h.services.earning.idle();
    expect(await balance(ana)).to.equal(5 + 1);
    expect(await balance(bob)).to.equal(2);
    const history = await h.services.ledger.history(ana.id);
    expect(history.items.map((e) => e.reason)).to.deep.equal(['Someone reacted to your post', 'Started a thread']);
  });

  it('takes back what removed or deleted content earned, never below zero', async () => {
    const owner = await makeMember(h, { role: 'owner' });
    const ana = await makeMember(h);
    const bob = await makeMember(h);
    const general = await generalSpace(h);
    const spam = await h.services.posts.createThread(ana, general, { body: 'Buy now' });
    await h.services.reactions.toggle(bob, spam.id, 'like');
    await h.services.earning.idle();
    expect(await balance(ana)).to.equal(6);
    // She has spent some of it already: the reversal takes what is left, and no more.
    await h.database.db.transaction().execute((trx) =>
      h.services.ledger.record(trx, { debit: wallet(ana.id), credit: REDEMPTIONS, amount: 4, kind: 'redemption', reason: 'mug', memberId: ana.id }),
    );
    await h.services.moderation.removePost(owner, spam.id, 'spam');
    await h.services.earning.idle();
    expect(await balance(ana)).to.equal(0);
    // Only the 2 still in her wallet could be taken back; the record says why.
    const reversals = (await h.services.ledger.history(ana.id)).items.filter((e) => e.kind === 'reversal');
    expect(reversals.map((r) => [r.amount, r.reason])).to.deep.equal([[2, 'The post was removed by a moderator']]);
    expect(await h.services.ledger.audit()).to.deep.include({ mismatches: [], standing: [] });
  });

  it('keeps to the daily caps, per rule and overall', async () => {
    await h.destroy();
    h = await makeHearth({ economy: { daily_cap: 12, cap: { post: 10 }, earn: { post: 4, reply: 3 } } });
    const ana = await makeMember(h);
    const bob = await makeMember(h);
    const general = await generalSpace(h);
    const first = await h.services.posts.createThread(bob, general, { body: 'Start' });
    for (let i = 0; i < 4; i++) await h.services.posts.createThread(ana, general, { body: `Post ${i}` });
    await h.services.earning.idle();
    expect(await balance(ana)).to.equal(10); // 4 + 4 + 2, then the post cap
    for (let i = 0; i < 3; i++) await h.services.posts.reply(ana, first.id, { body: `Reply ${i}` });
    await h.services.earning.idle();
    expect(await balance(ana)).to.equal(12); // the overall cap
  });

  it('pays the inviter when someone joins with their invite', async () => {
    await h.destroy();
    h = await makeHearth({ membership: { mode: 'invite' } });
    const owner = await makeMember(h, { role: 'owner' });
    const invite = await h.services.invites.create(owner, { maxUses: 1, expiresInDays: 7 });
    await h.services.members.signUp({ handle: 'newbie', password: 'correct horse battery', inviteCode: invite.code });
    await h.services.earning.idle();
    expect(await balance(owner)).to.equal(10);
  });

  it('lets admins grant and deduct with a reason that lands in the moderation log; members cannot', async () => {
    const owner = await makeMember(h, { role: 'owner' });
    const ana = await makeMember(h);
    await h.services.ledger.adjust(owner, ana.id, 30, 'Helped at the meetup');
    await h.services.ledger.adjust(owner, ana.id, -10, 'Double-counted');
    expect(await balance(ana)).to.equal(20);
    let refused: { code?: string; status?: number } = {};
    await h.services.ledger.adjust(owner, ana.id, -50, 'Too much').catch((err) => (refused = err));
    expect(refused.status).to.equal(409);
    await h.services.ledger.adjust(owner, ana.id, 5, '  ').catch((err) => (refused = err));
    expect(refused.code).to.equal('invalid_input');
    await h.services.ledger.adjust(ana, ana.id, 5, 'me').catch((err) => (refused = err));
    expect(refused.status).to.equal(403);
    expect(await balance(ana)).to.equal(20);
    const log = await h.services.moderation.readLog(owner);
    expect(log.map((l) => [l.action, l.reason])).to.deep.include.members([['economy.grant', 'Helped at the meetup'], ['economy.deduct', 'Double-counted']]);
    const totals = await h.services.ledger.totals();
    expect(totals).to.include({ issued: 20, redeemed: 0, outstanding: 20 });
    expect(totals.topEarners[0]).to.include({ memberId: ana.id, balance: 20 });
    expect(await h.services.ledger.balance(ISSUING)).to.equal(-20);
  });

  it('moves gifts between members only from what the giver has', async () => {
    const owner = await makeMember(h, { role: 'owner' });
    const ana = await makeMember(h);
    const bob = await makeMember(h);
    await h.services.ledger.adjust(owner, ana.id, 10, 'start');
    await h.services.ledger.gift(ana, bob.id, 4, 'for the coffee');
    let refused: { status?: number } = {};
    await h.services.ledger.gift(ana, bob.id, 7, 'too much').catch((err) => (refused = err));
    expect(refused.status).to.equal(409);
    expect([await balance(ana), await balance(bob)]).to.deep.equal([6, 4]);
  });
});
