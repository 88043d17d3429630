import type { BadgeRule, EarnRule } from '../config.js';
import type { EventBus } from '../core/event-bus.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';

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
  ) {}

  /** Records one achievement in the caller's transaction; false when its source was already counted. */
  async record(trx: DbOrTx, memberId: number, rule: EarnRule, source: string, spaceId: number | null): Promise<boolean> {
    const r = await trx
      .insertInto('achievements')
      .values({ source, member_id: memberId, rule, space_id: spaceId, created_at: nowIso() })
      .onConflict((oc) => oc.column('source').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Stops counting what removed content achieved. */
  async revoke(trx: DbOrTx, sources: string[]): Promise<void> {
    if (sources.length) await trx.updateTable('achievements').set({ revoked: 1 }).where('source', 'in', sources).execute();
  }

  /** Gives, in the caller's transaction, every badge for `rule` the member has now reached and did not hold. */
  async check(trx: DbOrTx, memberId: number, rule: EarnRule): Promise<BadgeRule[]> {
    const due = this.badges().filter((b) => b.rule === rule);
    if (!due.length) return [];
    const { n } = await trx
      .selectFrom('achievements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('member_id', '=', memberId)
      .where('rule', '=', rule)
      .where('revoked', '=', 0)
      .executeTakeFirstOrThrow();
    const given: BadgeRule[] = [];
    for (const badge of due.filter((b) => Number(n) >= b.count)) {
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
