import type { Generated, Selectable } from 'kysely';

export type SpaceVisibility = 'public' | 'members';

export interface SpaceTable {
  id: Generated<number>;
  slug: string;
  name: string;
  description: string;
  visibility: SpaceVisibility;
  created_by: number | null;
  created_at: string;
  /** Whether followers on other servers may post into the space by addressing its Group. */
  remote_posts: Generated<number>;
  approve_followers: Generated<number>;
}
export type SpaceRow = Selectable<SpaceTable>;
