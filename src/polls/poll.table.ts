import type { Generated, Selectable } from 'kysely';

export type PollResults = 'after_vote' | 'after_close';

export interface PollTable {
  post_id: number;
  multiple: Generated<number>;
  closes_at: string;
  results: Generated<PollResults>;
  created_at: string;
}
export type PollRow = Selectable<PollTable>;

export interface PollOptionTable {
  id: Generated<number>;
  post_id: number;
  position: number;
  name: string;
}

export interface PollVoterTable {
  post_id: number;
  member_id: number;
  created_at: string;
}

export interface PollVoteTable {
  option_id: number;
  member_id: number;
  created_at: string;
}
