import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Append-only record of every moderation and role action, readable by admins.
  await db.schema
    .createTable('moderation_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('actor_id', 'integer', (c) => c.references('members.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_member_id', 'integer', (c) => c.references('members.id'))
    .addColumn('target_post_id', 'integer', (c) => c.references('posts.id'))
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('details', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('moderation_log').execute();
}
