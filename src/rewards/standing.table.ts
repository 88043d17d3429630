/**
 * Standing kept beside the ledger (migration 0029), each row updated in the transaction
 * that writes what it sums; `StandingTotals.audit` recomputes them from the ledger.
 */

/** Earned (awards less reversals) per member and period: 'all', 'week:YYYY-MM-DD' (its Monday), 'month:YYYY-MM'. */
export interface StandingTotalTable {
  member_id: number;
  period: string;
  earned: number;
}

/** Achievements that still count (not revoked), per member and earning rule: what badges count. */
export interface AchievementCountTable {
  member_id: number;
  rule: string;
  n: number;
}

/** Expert reputation per space and member (weights in `REPUTATION_WEIGHTS`). */
export interface SpaceReputationTable {
  space_id: number;
  member_id: number;
  reputation: number;
}

/** Small facts about the kept totals: `period_time_zone` is the zone the period rows were built for. */
export interface StandingStateTable {
  key: string;
  value: string;
}
