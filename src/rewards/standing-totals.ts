import { sql } from 'kysely';
import type { EarnRule } from '../config.js';
import { utcToZoned } from '../core/timezone.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { EntryKind } from './ledger.table.js';

/**
 * The one place that decides what counts toward standing (levels, ranks, leaderboards):
 * what a member earned by taking part. Awards count, and their reversals (content removed)
 * take them back. Grants and deductions by admins, gifts between members, refunds and
 * spending are not earned: they move the wallet, never the standing, and the wallet shows
 * them apart ("Gifts and grants"), so an admin's grant cannot put someone top of the board.
 * Each kind that counts maps to its sign.
 */
export const EARNED_KINDS: Readonly<Partial<Record<EntryKind, 1 | -1>>> = { award: 1, reversal: -1 };

/** Whether a ledger entry of this kind counts toward standing (see EARNED_KINDS). */
export const countsAsEarned = (kind: EntryKind): boolean => EARNED_KINDS[kind] !== undefined;

/** Expert reputation per achievement, by rule: one per reaction received in the space, ten per accepted answer there. */
export const REPUTATION_WEIGHTS: Readonly<Partial<Record<EarnRule, number>>> = { reaction_received: 1, accepted_answer: 10 };

export type Period = 'week' | 'month' | 'all';

/**
 * The key of the period holding an instant, on the community's clock (IANA `tz`):
 * 'all', 'week:YYYY-MM-DD' (the Monday it began) or 'month:YYYY-MM'.
 */
export function periodKey(period: Period, at: Date | string, tz: string): string {
  return period === 'all' ? 'all' : periodKeys(at, tz)[period];
}

/** Both keys of an instant's week and month on the community's clock, from one time-zone conversion. */
function periodKeys(at: Date | string, tz: string): { week: string; month: string } {
  const day = utcToZoned(typeof at === 'string' ? at : at.toISOString(), tz).slice(0, 10);
  return { week: `week:${mondayOf(day)}`, month: `month:${day.slice(0, 7)}` };
}

/** The Monday (YYYY-MM-DD) of the week holding a calendar day. */
function mondayOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/** What an entry needs for the totals: whose, what kind, how much, and when (ISO UTC). */
export interface EarnedEntry {
  member_id: number | null;
  kind: EntryKind;
  amount: number;
  created_at: string;
}

/** One kept number that differs from what the ledger or achievements say it should be. */
export interface StandingMismatch {
  table: 'standing_totals' | 'achievement_counts' | 'space_reputation';
  /** member and period, member and rule, or space and member, e.g. `member 7, week:2026-11-23`. */
  key: string;
  kept: number;
  computed: number;
}

const TZ_KEY = 'period_time_zone';
const earnedKinds = Object.keys(EARNED_KINDS) as EntryKind[];
const signed = (e: EarnedEntry): number => (EARNED_KINDS[e.kind] ?? 0) * e.amount;

/**
 * Standing kept beside the ledger (ADR 0004, migration 0029): per member what they earned
 * all time, this week and this month, achievement counts per rule (badges), and reputation
 * per space. The ledger and AchievementService call it inside the transaction that writes
 * what it sums, so the totals can never disagree with a committed entry; `audit` recomputes
 * them all and names any difference, `rebuild` writes them again from the ledger.
 *
 * Weeks and months are on the community's clock. Only the current week and month are ever
 * read: rows of past periods stay until the next rebuild. When the community's time zone is
 * not the one the period rows were built for (`standing_state`), `ensurePeriods` rebuilds
 * them from the entries since the month or week began (the `ledger_day` index).
 */
export class StandingTotals {
  constructor(private readonly timeZone: () => string) {}

  /** In the caller's transaction: a ledger entry's effect on the earned totals (one upsert, or none). */
  async entryWritten(trx: DbOrTx, entry: EarnedEntry): Promise<void> {
    const delta = signed(entry);
    if (!delta || entry.member_id === null) return;
    const { week, month } = periodKeys(entry.created_at, this.timeZone());
    const rows = ['all', week, month].map((period) => ({ member_id: entry.member_id!, period, earned: delta }));
    await trx
      .insertInto('standing_totals')
      .values(rows)
      .onConflict((oc) => oc.columns(['member_id', 'period']).doUpdateSet((eb) => ({ earned: eb('standing_totals.earned', '+', eb.ref('excluded.earned')) })))
      .execute();
  }

  /** In the caller's transaction: an achievement counted (`sign` 1) or revoked (-1). */
  async achievementCounted(trx: DbOrTx, memberId: number, rule: string, spaceId: number | null, sign: 1 | -1): Promise<void> {
    await trx
      .insertInto('achievement_counts')
      .values({ member_id: memberId, rule, n: sign })
      .onConflict((oc) => oc.columns(['member_id', 'rule']).doUpdateSet((eb) => ({ n: eb('achievement_counts.n', '+', sign) })))
      .execute();
    const weight = REPUTATION_WEIGHTS[rule as EarnRule];
    if (!weight || spaceId === null) return;
    await trx
      .insertInto('space_reputation')
      .values({ space_id: spaceId, member_id: memberId, reputation: sign * weight })
      .onConflict((oc) => oc.columns(['space_id', 'member_id']).doUpdateSet((eb) => ({ reputation: eb('space_reputation.reputation', '+', sign * weight) })))
      .execute();
  }

  /** The current period's key on the community's clock (see `periodKey`). */
  currentKey(period: Period, now = new Date()): string {
    return periodKey(period, now, this.timeZone());
  }

  /**
   * Makes sure the period rows were built for the community's current time zone: one
   * read of `standing_state` each time (not kept in memory, so a rebuild by another
   * process, such as `hearth economy audit --repair` run with another zone, is seen).
   */
  async ensurePeriods(db: Db): Promise<void> {
    const tz = this.timeZone();
    if ((await this.builtZone(db)) !== tz) await db.transaction().execute((trx) => this.rebuildPeriods(trx));
  }

  /** The zone the period rows were built for; undefined before they ever were. */
  private async builtZone(db: DbOrTx): Promise<string | undefined> {
    return (await db.selectFrom('standing_state').select('value').where('key', '=', TZ_KEY).executeTakeFirst())?.value;
  }

  /** Writes every kept total again from the ledger and achievements, in the caller's transaction. */
  async rebuild(trx: DbOrTx): Promise<void> {
    await trx.deleteFrom('standing_totals').execute();
    await trx.deleteFrom('achievement_counts').execute();
    await trx.deleteFrom('space_reputation').execute();
    await trx.insertInto('standing_totals').columns(['member_id', 'period', 'earned']).expression(allTime(trx)).execute();
    await trx.insertInto('achievement_counts').columns(['member_id', 'rule', 'n']).expression(counts(trx)).execute();
    await trx.insertInto('space_reputation').columns(['space_id', 'member_id', 'reputation']).expression(reputation(trx)).execute();
    await this.rebuildPeriods(trx);
  }

  /**
   * Every kept total against what the ledger and achievements say: all-time earned, this
   * week's and this month's (in the zone their rows were built for; none before they were
   * built, which the server does on first use), achievement counts and reputation. An
   * empty list means they agree. Reads only: run it inside one read transaction
   * (LedgerService.audit does) so that writes meanwhile cannot show as differences.
   */
  async audit(db: DbOrTx, now = new Date()): Promise<StandingMismatch[]> {
    const zone = await this.builtZone(db);
    const out: StandingMismatch[] = [];
    const compare = (table: StandingMismatch['table'], kept: Map<string, number>, computed: Map<string, number>) => {
      for (const [key, n] of computed) if ((kept.get(key) ?? 0) !== n) out.push({ table, key, kept: kept.get(key) ?? 0, computed: n });
      for (const [key, n] of kept) if (!computed.has(key) && n !== 0) out.push({ table, key, kept: n, computed: 0 });
    };
    const periods = zone === undefined ? ['all'] : ['all', periodKey('week', now, zone), periodKey('month', now, zone)];
    const keptTotals = await db.selectFrom('standing_totals').select(['member_id', 'period', 'earned']).where('period', 'in', periods).execute();
    const computedTotals = new Map<string, number>();
    for (const r of await allTime(db).execute()) computedTotals.set(`member ${r.member_id}, all`, Number(r.earned));
    if (zone !== undefined) for (const [key, n] of await this.periodSums(db, now, zone)) computedTotals.set(key, n);
    compare('standing_totals', new Map(keptTotals.map((r) => [`member ${r.member_id}, ${r.period}`, r.earned])), computedTotals);
    const keptCounts = await db.selectFrom('achievement_counts').selectAll().execute();
    const computedCounts = await counts(db).execute();
    compare('achievement_counts', new Map(keptCounts.map((r) => [`member ${r.member_id}, ${r.rule}`, r.n])), new Map(computedCounts.map((r) => [`member ${r.member_id}, ${r.rule}`, Number(r.n)])));
    const keptRep = await db.selectFrom('space_reputation').selectAll().execute();
    const computedRep = await reputation(db).execute();
    compare('space_reputation', new Map(keptRep.map((r) => [`space ${r.space_id}, member ${r.member_id}`, r.reputation])), new Map(computedRep.map((r) => [`space ${r.space_id}, member ${r.member_id}`, Number(r.reputation)])));
    return out;
  }

  private async rebuildPeriods(trx: DbOrTx, now = new Date()): Promise<void> {
    const tz = this.timeZone();
    await trx.deleteFrom('standing_totals').where('period', '<>', 'all').execute();
    const sums = await this.periodSums(trx, now, tz);
    const rows = [...sums].map(([key, earned]) => {
      const [, member, period] = /^member (\d+), (.+)$/.exec(key)!;
      return { member_id: Number(member), period: period!, earned };
    });
    // In slices: one statement may bind only so many values.
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto('standing_totals').values(rows.slice(i, i + 200)).execute();
    await trx
      .insertInto('standing_state')
      .values({ key: TZ_KEY, value: tz })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: tz }))
      .execute();
  }

  /** This week's and this month's earned per member in zone `tz`, from the entries since the earlier of the two began. */
  private async periodSums(db: DbOrTx, now: Date, tz: string): Promise<Map<string, number>> {
    const { week, month } = periodKeys(now, tz);
    const firstDay = [week.slice(5), `${month.slice(6)}-01`].sort()[0]!;
    // `day` is the UTC day: a local day begins at most 14 hours either side of it.
    const since = new Date(Date.parse(`${firstDay}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const entries = await db
      .selectFrom('ledger_entries')
      .select(['member_id', 'kind', 'amount', 'created_at'])
      .where('day', '>=', since)
      .where('kind', 'in', earnedKinds)
      .where('member_id', 'is not', null)
      .execute();
    const sums = new Map<string, number>();
    for (const e of entries) {
      const keys = periodKeys(e.created_at, tz);
      for (const key of [keys.week, keys.month]) {
        if (key !== week && key !== month) continue;
        const k = `member ${e.member_id}, ${key}`;
        sums.set(k, (sums.get(k) ?? 0) + signed(e));
      }
    }
    return sums;
  }
}

/** Earned from ledger entries, by EARNED_KINDS' signs. */
const EARNED = sql<number>`sum(case kind ${sql.join(Object.entries(EARNED_KINDS).map(([kind, sign]) => sql`when ${kind} then amount * ${sql.lit(sign)}`), sql` `)} else 0 end)`;

/** All-time earned per member, from the ledger, as `standing_totals` rows. */
const allTime = (db: DbOrTx) =>
  db
    .selectFrom('ledger_entries')
    .select(['member_id', sql<string>`'all'`.as('period'), EARNED.as('earned')])
    .where('kind', 'in', earnedKinds)
    .where('member_id', 'is not', null)
    .groupBy('member_id');

/** Achievements that count, per member and rule. */
const counts = (db: DbOrTx) =>
  db.selectFrom('achievements').select(['member_id', 'rule', (eb) => eb.fn.countAll<number>().as('n')]).where('revoked', '=', 0).groupBy(['member_id', 'rule']);

/** Reputation per space and member, by REPUTATION_WEIGHTS. */
const reputation = (db: DbOrTx) => {
  const weighted = sql<number>`sum(case rule ${sql.join(Object.entries(REPUTATION_WEIGHTS).map(([rule, w]) => sql`when ${rule} then ${sql.lit(w)}`), sql` `)} else 0 end)`;
  return db
    .selectFrom('achievements')
    .select(['space_id', 'member_id', weighted.as('reputation')])
    .where('revoked', '=', 0)
    .where('space_id', 'is not', null)
    .where('rule', 'in', Object.keys(REPUTATION_WEIGHTS))
    .groupBy(['space_id', 'member_id']);
};
