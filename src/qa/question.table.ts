import type { Selectable } from 'kysely';

export interface QuestionTable {
  post_id: number;
  /** The accepted answer: a direct reply to the question. */
  accepted_id: number | null;
  accepted_by: number | null;
  accepted_at: string | null;
}
export type QuestionRow = Selectable<QuestionTable>;
