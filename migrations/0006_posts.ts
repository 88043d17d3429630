import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('posts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id'))
    .addColumn('author_id', 'integer', (c) => c.notNull().references('members.id'))
    // Thread shape: root_id is the thread's first post (itself for a thread), branch_id the
    // reply directly under the root that this reply hangs from, so a page of top-level
    // replies loads its sub-trees with one indexed query.
    .addColumn('parent_id', 'integer', (c) => c.references('posts.id'))
    .addColumn('root_id', 'integer')
    .addColumn('branch_id', 'integer')
    .addColumn('depth', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('title', 'text')
    .addColumn('body_md', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('removed_at', 'text')
    .addColumn('removed_by', 'integer', (c) => c.references('members.id'))
    .addColumn('removed_reason', 'text')
    .execute();
  // Threads listed newest first, across spaces (home) and per space; partial indexes keep
  // them to live thread starters.
  await sql`create index posts_threads on posts(id) where parent_id is null and deleted_at is null and removed_at is null`.execute(db);
  await sql`create index posts_space_threads on posts(space_id, id) where parent_id is null and deleted_at is null and removed_at is null`.execute(db);
  await db.schema.createIndex('posts_root').on('posts').columns(['root_id', 'branch_id', 'id']).execute();
  await db.schema.createIndex('posts_parent').on('posts').columns(['parent_id', 'id']).execute();
  await db.schema.createIndex('posts_author').on('posts').columns(['author_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('posts').execute();
}
