import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Polls on threads: the options, who voted (one row per person: one vote each), and the
// options they chose (several when the poll allows it).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('polls')
    .addColumn('post_id', 'integer', (c) => c.primaryKey().references('posts.id'))
    .addColumn('multiple', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('closes_at', 'text', (c) => c.notNull())
    .addColumn('results', 'text', (c) => c.notNull().defaultTo('after_vote'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('polls_results', sql`results in ('after_vote','after_close')`)
    .execute();
  await db.schema
    .createTable('poll_options')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('post_id', 'integer', (c) => c.notNull().references('polls.post_id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('poll_options_post').on('poll_options').columns(['post_id', 'position']).unique().execute();
  await db.schema
    .createTable('poll_voters')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('polls.post_id'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('poll_voters_pk', ['post_id', 'member_id'])
    .execute();
  await db.schema
    .createTable('poll_votes')
    .addColumn('option_id', 'integer', (c) => c.notNull().references('poll_options.id'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('poll_votes_pk', ['option_id', 'member_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('poll_votes').execute();
  await db.schema.dropTable('poll_voters').execute();
  await db.schema.dropTable('poll_options').execute();
  await db.schema.dropTable('polls').execute();
}
