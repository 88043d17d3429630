import type { Generated, Selectable } from 'kysely';

export interface RewardTable {
  id: Generated<number>;
  title: string;
  description: Generated<string>;
  image_file: string | null;
  price: number;
  /** What is left; null for unlimited. */
  stock: number | null;
  per_member_limit: number | null;
  starts_at: string | null;
  ends_at: string | null;
  archived: Generated<number>;
  created_by: number;
  created_at: string;
  updated_at: string;
}
export type RewardRow = Selectable<RewardTable>;

export interface RedemptionTable {
  id: Generated<number>;
  reward_id: number;
  member_id: number;
  price: number;
  ledger_entry_id: number;
  /** The voucher's short code (XXXXX-XXXXX), what staff type in. */
  code: string;
  expires_at: string;
  used_at: string | null;
  used_by: number | null;
  /** The one-time key of the counter form that used it (migration 0027), so a repeat finds it. */
  use_key: string | null;
  created_at: string;
}
export type RedemptionRow = Selectable<RedemptionTable>;

export interface AchievementTable {
  source: string;
  member_id: number;
  rule: string;
  space_id: number | null;
  revoked: Generated<number>;
  created_at: string;
}

export interface MemberBadgeTable {
  member_id: number;
  badge: string;
  awarded_at: string;
}

export interface SpaceExpertTable {
  space_id: number;
  member_id: number;
  appointed_by: number;
  created_at: string;
}
