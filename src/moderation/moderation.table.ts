import type { Generated, Selectable } from 'kysely';

export interface ModerationLogTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  target_member_id: number | null;
  target_post_id: number | null;
  reason: string;
  details: string;
  created_at: string;
}
export type ModerationLogRow = Selectable<ModerationLogTable>;
