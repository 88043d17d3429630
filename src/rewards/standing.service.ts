import type { EventBus } from '../core/event-bus.js';
import type { Level } from '../config.js';
import { type Actor, atLeast } from '../community/roles.js';
import { forbidden, notFound } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Database, Db } from '../db/schema.js';
import { writeModerationLog } from '../moderation/moderation.service.js';
import type { EntryKind } from './ledger.table.js';
import { EARNED_KINDS, type Period, type StandingTotals } from './standing-totals.js';

export type { Period };
export const PERIODS: readonly Period[] = ['week', 'month', 'all'];

export interface LeaderboardRow {
  rank: number;
  memberId: number;
  handle: string;
  displayName: string;
  avatarFile: string | null;
  earned: number;
  level: string;
}

export interface Standing {
  earned: number;
  level: string;
  /** The next level and how much it takes to get there, or null at the top. */
  next: { name: string; from: number; toGo: number } | null;
  /** All-time rank among members who earned anything; null when they have not yet. */
  rank: number | null;
  /** Spaces where they are an expert (by reputation or appointment), with their reputation there. */
  expertIn: { slug: string; name: string; visibility: string; reputation: number; appointed: boolean }[];
}

/** What a name carries in a space: level, and the expert mark. */
export interface NameMark {
  level: string;
  expert: boolean;
}

/**
 * Levels, ranks, leaderboards and expert reputation, read from the totals kept beside the
 * ledger and achievements (StandingTotals, migration 0029): index reads, whatever the size
 * of the ledger.
 */
export class StandingService {
  constructor(
    private readonly db: Db,
    private readonly totals: StandingTotals,
    private readonly levels: () => Level[],
    private readonly expertThreshold: () => number,
    /** Told of expert appointments (`moderation.logged`) so the member hears of them. */
    private readonly bus: EventBus | null = null,
  ) {}

  levelFor(earned: number): string {
    const levels = this.levels();
    let name = levels[0]!.name;
    for (const l of levels) if (earned >= l.from) name = l.name;
    return name;
  }

  async earned(memberId: number): Promise<number> {
    const row = await this.db.selectFrom('standing_totals').select('earned').where('member_id', '=', memberId).where('period', '=', 'all').executeTakeFirst();
    return row?.earned ?? 0;
  }

  /**
   * What came into the member's wallet without being earned (grants, gifts, refunds): the
   * wallet shows it apart as "Gifts and grants"; it never counts toward standing.
   */
  async giftsAndGrants(memberId: number): Promise<number> {
    const row = await this.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('n'))
      .where('member_id', '=', memberId)
      .where('credit', '=', `member:${memberId}`)
      .where('kind', 'not in', Object.keys(EARNED_KINDS) as EntryKind[])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async of(memberId: number): Promise<Standing> {
    const earned = await this.earned(memberId);
    const nextLevel = this.levels().find((l) => l.from > earned);
    let rank: number | null = null;
    if (earned > 0) {
      // A range of the rank index: as many rows as members ahead, never a sort of everyone.
      const ahead = await this.db
        .selectFrom('standing_totals')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('period', '=', 'all')
        .where('earned', '>', earned)
        .executeTakeFirstOrThrow();
      rank = Number(ahead.n) + 1;
    }
    return {
      earned,
      level: this.levelFor(earned),
      next: nextLevel ? { name: nextLevel.name, from: nextLevel.from, toGo: nextLevel.from - earned } : null,
      rank,
      expertIn: await this.expertSpaces(memberId),
    };
  }

  /** The top earners over a period: this week (from Monday) or month on the community's clock, or all time. */
  async leaderboard(period: Period, limit = 20): Promise<LeaderboardRow[]> {
    if (period !== 'all') await this.totals.ensurePeriods(this.db);
    // The rank index read in order from the top; members who left or were suspended are skipped.
    const rows = await this.db
      .selectFrom('standing_totals as t')
      .innerJoin('members as m', 'm.id', 't.member_id')
      .select(['m.id as memberId', 'm.handle', 'm.display_name as displayName', 'm.avatar_file as avatarFile', 't.earned'])
      .where('t.period', '=', this.totals.currentKey(period))
      .where('t.earned', '>', 0)
      .where('m.domain', 'is', null)
      .where('m.status', '=', 'active')
      .orderBy('t.earned', 'desc')
      .orderBy('t.member_id')
      .limit(limit)
      .execute();
    const out: LeaderboardRow[] = [];
    rows.forEach((r, i) => {
      const earned = Number(r.earned);
      // Equal totals share a rank.
      const rank = i > 0 && Number(rows[i - 1]!.earned) === earned ? out[i - 1]!.rank : i + 1;
      out.push({ ...r, earned, rank, level: '' });
    });
    // Levels are by all-time earnings, whatever the period shown.
    const levels = await this.marks(null, out.map((r) => r.memberId));
    for (const r of out) r.level = levels.get(r.memberId)?.level ?? this.levelFor(0);
    return out;
  }

  /** Level and expert mark for the names on one page (one query each), in a space or none. */
  async marks(spaceId: number | null, memberIds: number[]): Promise<Map<number, NameMark>> {
    const ids = [...new Set(memberIds)];
    const out = new Map<number, NameMark>();
    if (!ids.length) return out;
    const earned = await this.db.selectFrom('standing_totals').select(['member_id', 'earned']).where('period', '=', 'all').where('member_id', 'in', ids).execute();
    const byId = new Map(earned.map((r) => [r.member_id, Number(r.earned)]));
    const experts = spaceId === null ? new Set<number>() : await this.expertsAmong(spaceId, ids);
    for (const id of ids) out.set(id, { level: this.levelFor(byId.get(id) ?? 0), expert: experts.has(id) });
    return out;
  }

  /** Whether the member is an expert in the space (by reputation or appointment). */
  async isExpert(spaceId: number, memberId: number): Promise<boolean> {
    return (await this.expertsAmong(spaceId, [memberId])).has(memberId);
  }

  private async expertsAmong(spaceId: number, ids: number[]): Promise<Set<number>> {
    const earned = await this.db
      .selectFrom('space_reputation')
      .select('member_id')
      .where('space_id', '=', spaceId)
      .where('member_id', 'in', ids)
      .where('reputation', '>=', this.expertThreshold())
      .execute();
    const appointed = await this.db.selectFrom('space_experts').select('member_id').where('space_id', '=', spaceId).where('member_id', 'in', ids).execute();
    return new Set([...earned, ...appointed].map((r) => r.member_id));
  }

  /** Reputation per space, and where it (or an appointment) makes the member an expert. */
  async expertSpaces(memberId: number): Promise<Standing['expertIn']> {
    const rep = await this.db
      .selectFrom('space_reputation as r')
      .innerJoin('spaces as s', 's.id', 'r.space_id')
      .select(['s.id', 's.slug', 's.name', 's.visibility', 'r.reputation'])
      .where('r.member_id', '=', memberId)
      .execute();
    const appointed = await this.db
      .selectFrom('space_experts as x')
      .innerJoin('spaces as s', 's.id', 'x.space_id')
      .select(['s.id', 's.slug', 's.name', 's.visibility'])
      .where('x.member_id', '=', memberId)
      .execute();
    const threshold = this.expertThreshold();
    const bySpace = new Map<number, Standing['expertIn'][number]>();
    for (const r of rep) if (Number(r.reputation) >= threshold) bySpace.set(r.id, { slug: r.slug, name: r.name, visibility: r.visibility, reputation: Number(r.reputation), appointed: false });
    for (const a of appointed) {
      const reputation = Number(rep.find((r) => r.id === a.id)?.reputation ?? 0);
      bySpace.set(a.id, { slug: a.slug, name: a.name, visibility: a.visibility, reputation, appointed: true });
    }
    return [...bySpace.values()];
  }

  /** Experts appointed by admins, for the economy page. */
  appointed(): Promise<{ spaceId: number; slug: string; spaceName: string; memberId: number; handle: string; displayName: string }[]> {
    return this.db
      .selectFrom('space_experts as x')
      .innerJoin('spaces as s', 's.id', 'x.space_id')
      .innerJoin('members as m', 'm.id', 'x.member_id')
      .select(['s.id as spaceId', 's.slug', 's.name as spaceName', 'm.id as memberId', 'm.handle', 'm.display_name as displayName'])
      .orderBy('s.name')
      .orderBy('m.handle')
      .execute();
  }

  /** An admin makes a member an expert in a space (or takes it back), logged in the moderation log. */
  async appoint(admin: Actor, spaceId: number, memberId: number, appointed = true): Promise<void> {
    if (!atLeast(admin.role, 'admin')) throw forbidden('Only admins can appoint experts.');
    const member = await this.db.selectFrom('members').select(['id', 'domain']).where('id', '=', memberId).executeTakeFirst();
    if (!member || member.domain !== null) throw notFound('That member');
    const entryId = await this.db.transaction().execute(async (trx) => {
      if (appointed) {
        await trx.insertInto('space_experts').values({ space_id: spaceId, member_id: memberId, appointed_by: admin.id, created_at: nowIso() }).onConflict((oc) => oc.doNothing()).execute();
      } else {
        await trx.deleteFrom('space_experts').where('space_id', '=', spaceId).where('member_id', '=', memberId).execute();
      }
      return writeModerationLog(trx, admin.id, appointed ? 'economy.expert_appointed' : 'economy.expert_removed', { member: memberId, details: `space ${spaceId}` });
    });
    this.bus?.emit('moderation.logged', { entryId });
  }
}
