import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One of each kind per member per post: the primary key enforces it.
  await db.schema
    .createTable('reactions')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reactions_pk', ['post_id', 'kind', 'member_id'])
    .execute();
  await db.schema.createIndex('reactions_member').on('reactions').columns(['member_id', 'post_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reactions').execute();
}
