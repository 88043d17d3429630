import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Stories sent to the editors: by a member (author_id) or, where the owner allows it, by a
// visitor who leaves a name and an e-mail address. They move submitted → approved →
// published, or submitted → rejected (with a reason the author sees).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stories')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('author_id', 'integer', (c) => c.references('members.id'))
    .addColumn('visitor_name', 'text')
    .addColumn('visitor_email', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_md', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('submitted'))
    .addColumn('editor_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reject_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('decided_by', 'integer', (c) => c.references('members.id'))
    .addColumn('decided_at', 'text')
    .addColumn('edited_by', 'integer', (c) => c.references('members.id'))
    .addColumn('published_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('stories_status', sql`status in ('submitted','approved','rejected','published')`)
    .addCheckConstraint('stories_author', sql`author_id is not null or (visitor_name is not null and visitor_email is not null)`)
    .execute();
  await db.schema.createIndex('stories_status').on('stories').columns(['status', 'id']).execute();
  await db.schema.createIndex('stories_author').on('stories').columns(['author_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stories').execute();
}
