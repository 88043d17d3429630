import type { Generated, Selectable } from 'kysely';

export const IDEA_STATUSES = ['open', 'under_review', 'planned', 'shipped', 'declined'] as const;
export type IdeaStatus = (typeof IDEA_STATUSES)[number];

export const STATUS_LABELS: Record<IdeaStatus, string> = {
  open: 'Open',
  under_review: 'Under review',
  planned: 'Planned',
  shipped: 'Shipped',
  declined: 'Declined',
};

export interface IdeaTable {
  post_id: number;
  status: Generated<IdeaStatus>;
  /** Staff's public note on the latest status ("Coming in the spring menu"). */
  status_note: Generated<string>;
  status_by: number | null;
  status_at: string | null;
  up: Generated<number>;
  down: Generated<number>;
}
export type IdeaRow = Selectable<IdeaTable>;

export interface IdeaVoteTable {
  post_id: number;
  member_id: number;
  /** 1 up, -1 down; no row means no vote. */
  value: -1 | 1;
  voted_at: string;
}
