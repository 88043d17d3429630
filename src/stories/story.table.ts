import type { Generated, Selectable } from 'kysely';

export type StoryStatus = 'submitted' | 'approved' | 'rejected' | 'published';

export interface StoryTable {
  id: Generated<number>;
  /** The member who sent it; null for a visitor's story (name and e-mail below). */
  author_id: number | null;
  visitor_name: string | null;
  visitor_email: string | null;
  title: string;
  body_md: string;
  body_html: string;
  status: Generated<StoryStatus>;
  /** The editors' note to the author on approval. */
  editor_note: Generated<string>;
  reject_reason: Generated<string>;
  decided_by: number | null;
  decided_at: string | null;
  /** The last editor who changed the text. */
  edited_by: number | null;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  /** The one-time key of the form that sent it (`_once`, migration 0028); unique per author (visitors share one). */
  submission_key: Generated<string | null>;
}
export type StoryRow = Selectable<StoryTable>;
