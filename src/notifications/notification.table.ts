import type { Generated, Selectable } from 'kysely';

export interface NotificationTable {
  id: Generated<number>;
  member_id: number;
  kind: string;
  text: string;
  link: string | null;
  read_at: string | null;
  created_at: string;
}
export type NotificationRow = Selectable<NotificationTable>;

export interface NotificationSettingsTable {
  member_id: number;
  /** JSON list of muted kinds. */
  muted: string;
  email: string | null;
  digest: number;
  last_digest_at: string | null;
  updated_at: string;
}
