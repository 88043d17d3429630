import type { Kysely } from 'kysely';

// Frozen: migrations import nothing from src/.
// Questions: a thread marked as a question; its direct replies are answers, and at most
// one of them is accepted (by the asker, an expert in the space, or a moderator).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('questions')
    .addColumn('post_id', 'integer', (c) => c.primaryKey().references('posts.id'))
    .addColumn('accepted_id', 'integer', (c) => c.references('posts.id'))
    .addColumn('accepted_by', 'integer', (c) => c.references('members.id'))
    .addColumn('accepted_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('questions').execute();
}
