import type { Generated, Selectable } from 'kysely';

export type SpaceVisibility = 'public' | 'members';
/** A discussion space holds threads; an idea board holds ideas with votes and a status. */
export type SpaceKind = 'discussion' | 'ideas';

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
  kind: Generated<SpaceKind>;
  /** The one-time key of the form that made it (`_once`, migration 0028); unique per admin. */
  submission_key: Generated<string | null>;
}
export type SpaceRow = Selectable<SpaceTable>;
