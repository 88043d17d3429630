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
}
export type SpaceRow = Selectable<SpaceTable>;
