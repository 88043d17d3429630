import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Reports for moderators: from remote servers (a Flag activity) and later from members.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reports')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('reporter_id', 'integer', (c) => c.references('members.id'))
    .addColumn('target_member_id', 'integer', (c) => c.references('members.id'))
    .addColumn('post_id', 'integer', (c) => c.references('posts.id'))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('activity_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('resolved_by', 'integer', (c) => c.references('members.id'))
    .addColumn('resolved_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('reports_status', sql`status in ('open','resolved')`)
    .execute();
  await sql`create unique index reports_activity on reports(activity_id) where activity_id is not null`.execute(db);
  await db.schema.createIndex('reports_status').on('reports').columns(['status', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reports').execute();
}
