import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Role } from './roles.js';

/** 'deleted': a remote account its own server deleted (the row stays for its placeholders; migration 0025). */
export type MemberStatus = 'active' | 'pending' | 'suspended' | 'rejected' | 'deleted';

export interface MemberTable {
  id: Generated<number>;
  handle: string;
  display_name: string;
  bio: string;
  avatar_file: string | null;
  header_file: Generated<string | null>;
  role: Role;
  status: MemberStatus;
  status_reason: string | null;
  password_hash: string;
  created_at: string;
  updated_at: string;
  /** Null for local members; the remote server's host for people from the fediverse. */
  domain: Generated<string | null>;
  actor_iri: Generated<string | null>;
  profile_url: Generated<string | null>;
  avatar_url: Generated<string | null>;
  approve_followers: Generated<number>;
  /** The IANA zone the member reads times in; null: the community's (migration 0026). */
  timezone: Generated<string | null>;
  /** UTC day (YYYY-MM-DD) a local member last posted, reacted or signed in; kept by triggers (migration 0032). */
  last_active_day: Generated<string | null>;
}
export type MemberRow = Selectable<MemberTable>;
export type NewMemberRow = Insertable<MemberTable>;
export type MemberUpdate = Updateable<MemberTable>;

export interface SessionTable {
  id: string;
  member_id: number;
  created_at: string;
  expires_at: string;
  user_agent: string | null;
}

export interface InviteTable {
  code: string;
  created_by: number;
  created_at: string;
  expires_at: string | null;
  max_uses: number;
  uses: number;
  revoked_at: string | null;
}
export type InviteRow = Selectable<InviteTable>;

export interface ServerSecretTable {
  name: string;
  value: string;
  created_at: string;
}

/** Counts the database keeps as rows change (migration 0032's triggers): 'local_posts', local posts neither deleted nor removed. */
export interface CommunityCountTable {
  key: string;
  n: number;
}
