import type { Selectable } from 'kysely';

export interface FollowRequestTable {
  follow_id: string;
  /** The local actor's name (member handle or space actor name). */
  local_actor: string;
  follower_iri: string;
  created_at: string;
}
export type FollowRequestRow = Selectable<FollowRequestTable>;

export interface FederationBlockTable {
  kind: 'domain' | 'actor';
  value: string;
  reason: string;
  created_by: number | null;
  created_at: string;
}
export type FederationBlockRow = Selectable<FederationBlockTable>;

export interface RemoteBlockTable {
  activity_id: string;
  actor_iri: string;
  target_iri: string;
  created_at: string;
}
