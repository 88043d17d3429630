import type { Kysely } from 'kysely';

// Frozen: migrations import nothing from src/.
// What each member wants to hear about: kinds they muted (JSON list), and whether a daily
// e-mail digest goes to their address (kept here, not on the member: only the digest uses it).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_settings')
    .addColumn('member_id', 'integer', (c) => c.primaryKey().references('members.id'))
    .addColumn('muted', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('email', 'text')
    .addColumn('digest', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_digest_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_settings').execute();
}
