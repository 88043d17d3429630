import type { Generated, Selectable } from 'kysely';

export interface PostTable {
  id: Generated<number>;
  space_id: number;
  author_id: number;
  parent_id: number | null;
  root_id: number | null;
  branch_id: number | null;
  depth: Generated<number>;
  title: string | null;
  body_md: string;
  body_html: string;
  reply_count: Generated<number>;
  created_at: string;
  updated_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  removed_at: string | null;
  removed_by: number | null;
  removed_reason: string | null;
  /** The ActivityPub id of a post that came from another server; null for local posts. */
  ap_id: Generated<string | null>;
  ap_url: Generated<string | null>;
  share_count: Generated<number>;
  /** The one-time key of the form that wrote it (`_once`, migration 0028); unique per author. */
  submission_key: Generated<string | null>;
}

export interface PostShareTable {
  post_id: number;
  member_id: number;
  created_at: string;
}
export type PostRow = Selectable<PostTable>;

export interface ReactionTable {
  post_id: number;
  member_id: number;
  kind: string;
  created_at: string;
}
