import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Each member's own time zone (an IANA name) for the times pages and e-mails show them;
// null means the community's zone (config community.timezone), so existing members and
// people from other servers need nothing.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table members add column timezone text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table members drop column timezone`.execute(db);
}
