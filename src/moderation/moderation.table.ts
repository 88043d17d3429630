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

export interface ReportTable {
  id: Generated<number>;
  reporter_id: number | null;
  target_member_id: number | null;
  post_id: number | null;
  comment: string;
  /** 'remote' for a Flag from another server, 'member' for a local report. */
  source: string;
  activity_id: string | null;
  status: Generated<'open' | 'resolved'>;
  resolved_by: number | null;
  resolved_at: string | null;
  created_at: string;
}
export type ReportRow = Selectable<ReportTable>;
