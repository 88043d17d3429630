import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('spaces')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public'))
    .addColumn('created_by', 'integer', (c) => c.references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('spaces_visibility', sql`visibility in ('public','members')`)
    .execute();
  // The community's own space exists from the first run.
  await db
    .insertInto('spaces')
    .values({
      slug: 'general',
      name: 'General',
      description: 'Everything about the community.',
      visibility: 'public',
      created_at: new Date().toISOString(),
    })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('spaces').execute();
}
