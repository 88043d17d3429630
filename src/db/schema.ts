import type { Kysely, Transaction } from 'kysely';
import type { InviteTable, MemberTable, ServerSecretTable, SessionTable } from '../community/member.table.js';
import type { PostTable, ReactionTable } from '../community/post.table.js';
import type { SpaceTable } from '../community/space.table.js';
import type { ModerationLogTable } from '../moderation/moderation.table.js';

/** Every table, as kysely sees it. Each module owns its `*.table.ts`. */
export interface Database {
  members: MemberTable;
  sessions: SessionTable;
  invites: InviteTable;
  server_secrets: ServerSecretTable;
  spaces: SpaceTable;
  posts: PostTable;
  reactions: ReactionTable;
  moderation_log: ModerationLogTable;
}

export type Db = Kysely<Database>;
export type DbOrTx = Kysely<Database> | Transaction<Database>;
