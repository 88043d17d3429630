import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Idea boards: a kind of space whose threads are ideas. Each idea has a status set by
// staff (with a public note) and one up or down vote per person; the counts are kept on
// the idea so "top" sorts without reading every vote.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('spaces')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('discussion').check(sql`kind in ('discussion','ideas')`))
    .execute();
  await db.schema
    .createTable('ideas')
    .addColumn('post_id', 'integer', (c) => c.primaryKey().references('posts.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('status_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status_by', 'integer', (c) => c.references('members.id'))
    .addColumn('status_at', 'text')
    .addColumn('up', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('down', 'integer', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('ideas_status', sql`status in ('open','under_review','planned','shipped','declined')`)
    .addCheckConstraint('ideas_counts', sql`up >= 0 and down >= 0`)
    .execute();
  await db.schema
    .createTable('idea_votes')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('ideas.post_id'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('value', 'integer', (c) => c.notNull().check(sql`value in (-1, 1)`))
    .addColumn('voted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idea_votes_pk', ['post_id', 'member_id'])
    .execute();
  // "Trending" sums the votes of the past days per idea.
  await db.schema.createIndex('idea_votes_recent').on('idea_votes').columns(['voted_at', 'post_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idea_votes').execute();
  await db.schema.dropTable('ideas').execute();
  await db.schema.alterTable('spaces').dropColumn('kind').execute();
}
