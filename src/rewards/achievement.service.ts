import { sql } from 'kysely';
import type { BadgeRule, EarnRule } from '../config.js';
import type { EventBus } from '../core/event-bus.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { StandingTotals } from './standing-totals.js';

/** A badge a member holds, with its name and description from config. */
export interface HeldBadge extends BadgeRule {
  awardedAt: string;
}

/**
 * What members did that counts, whether or not it paid: one row per source (so an event
 * counts once), marked revoked when a moderator removes the content. Badges are given
 * from these counts, once each, with a `badge.awarded` event for notifications.
 */
export class AchievementService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly badges: () => BadgeRule[],
    /** Counts and reputation kept beside the rows, in the same transaction. */
    private readonly totals: StandingTotals,
  ) {}

  /**
   * Records one achievement in the caller's transaction, for an active local member only
   * (people on other servers and suspended members achieve nothing here); false when its
   * source was already counted or the member is not one. One statement: the member check
   * is the insert's own SELECT.
   */
  async record(trx: DbOrTx, memberId: number, rule: EarnRule, source: string, spaceId: number | null): Promise<boolean> {
    const r = await trx
      .insertInto('achievements')
      .columns(['source', 'member_id', 'rule', 'space_id', 'created_at'])
      .expression((eb) =>
        eb
          .selectFrom('members')
          .select([eb.val(source).as('source'), 'id', eb.val(rule).as('rule'), eb.val(spaceId).as('space_id'), eb.val(nowIso()).as('created_at')])
          .where('id', '=', memberId)
          .where('domain', 'is', null)
          .where('status', '=', 'active'),
      )
      .onConflict((oc) => oc.column('source').doNothing())
      .executeTakeFirst();
    if (!(Number(r.numInsertedOrUpdatedRows ?? 0) > 0)) return false;
    await this.totals.achievementCounted(trx, memberId, rule, spaceId, 1);
    return true;
  }

  /** Stops counting what removed content achieved (its counts and reputation go down with it). */
  async revoke(trx: DbOrTx, sources: string[]): Promise<void> {
    if (!sources.length) return;
    const counted = await trx.selectFrom('achievements').select(['member_id', 'rule', 'space_id']).where('source', 'in', sources).where('revoked', '=', 0).execute();
    if (!counted.length) return;
    await trx.updateTable('achievements').set({ revoked: 1 }).where('source', 'in', sources).where('revoked', '=', 0).execute();
    for (const a of counted) await this.totals.achievementCounted(trx, a.member_id, a.rule, a.space_id, -1);
  }

  /** Gives, in the caller's transaction, every badge for `rule` the member has now reached and did not hold. */
  async check(trx: DbOrTx, memberId: number, rule: EarnRule): Promise<BadgeRule[]> {
    const due = this.badges().filter((b) => b.rule === rule);
    if (!due.length) return [];
    // The kept count (achievement_counts) and the badges of this rule already held, in one
    // read: once a member holds them, an achievement costs no badge write at all.
    // group_concat is SQLite's; PostgreSQL spells it string_agg(b.badge, chr(10)).
    const row = await trx
      .selectFrom('achievement_counts as c')
      .select((eb) => [
        'c.n',
        eb.selectFrom('member_badges as b').select(sql<string>`group_concat(b.badge, char(10))`.as('held')).where('b.member_id', '=', memberId).where('b.badge', 'in', due.map((b) => b.id)).as('held'),
      ])
      .where('c.member_id', '=', memberId)
      .where('c.rule', '=', rule)
      .executeTakeFirst();
    const n = row?.n ?? 0;
    const held = new Set((row?.held ?? '').split('\n'));
    const given: BadgeRule[] = [];
    for (const badge of due.filter((b) => n >= b.count && !held.has(b.id))) {
      const r = await trx
        .insertInto('member_badges')
        .values({ member_id: memberId, badge: badge.id, awarded_at: nowIso() })
        .onConflict((oc) => oc.columns(['member_id', 'badge']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) given.push(badge);
    }
    return given;
  }

  /** Tells the rest of the server (notifications) about badges given, once their transaction committed. */
  announce(memberId: number, badges: BadgeRule[]): void {
    for (const b of badges) this.bus.emit('badge.awarded', { memberId, badge: b.id, name: b.name });
  }

  /** The badges a member holds that config still names, in config's order. */
  async held(memberId: number): Promise<HeldBadge[]> {
    const rows = await this.db.selectFrom('member_badges').select(['badge', 'awarded_at']).where('member_id', '=', memberId).execute();
    const when = new Map(rows.map((r) => [r.badge, r.awarded_at]));
    return this.badges()
      .filter((b) => when.has(b.id))
      .map((b) => ({ ...b, awardedAt: when.get(b.id)! }));
  }
}
