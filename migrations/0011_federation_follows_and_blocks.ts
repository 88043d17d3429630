import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
export async function up(db: Kysely<any>): Promise<void> {
  // Follows waiting for a space's moderators or a member to approve them. The Follow
  // activity itself stays in the ActivityPub store; this is the to-do list.
  await db.schema
    .createTable('follow_requests')
    .addColumn('follow_id', 'text', (c) => c.primaryKey())
    .addColumn('local_actor', 'text', (c) => c.notNull())
    .addColumn('follower_iri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('follow_requests_actor').on('follow_requests').columns(['local_actor', 'created_at']).execute();

  // Blocks an admin set on a whole domain or one remote actor.
  await db.schema
    .createTable('federation_blocks')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'integer', (c) => c.references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('federation_blocks_pk', ['kind', 'value'])
    .addCheckConstraint('federation_blocks_kind', sql`kind in ('domain','actor')`)
    .execute();

  // Blocks remote people sent us (a Block activity): recorded so we stop delivering to them.
  await db.schema
    .createTable('remote_blocks')
    .addColumn('activity_id', 'text', (c) => c.primaryKey())
    .addColumn('actor_iri', 'text', (c) => c.notNull())
    .addColumn('target_iri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('remote_blocks_pair').on('remote_blocks').columns(['actor_iri', 'target_iri']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('remote_blocks').execute();
  await db.schema.dropTable('federation_blocks').execute();
  await db.schema.dropTable('follow_requests').execute();
}
