import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Indexes so that every page query reads only what the page shows, however large the
// community grows (issue 14; test/db/query-plans.test.ts checks the plans, ADR 0002 says how):
// - The bell's unread count (on every page a member sees) read all of the member's
//   notifications to find the unread ones: a partial index holds only the unread ones.
// - The events list ("not ended yet, soonest first") walked the events by start from the
//   very first one, past events included: by end, it reads only the events not yet ended.
// - Published stories, newest first, were sorted from every story: by status, then date.
// - The standing of the authors on a page (`period = ? and member_id in (...)`) was read
//   through standing_rank, every member's row of the period; by member it reads their own.
// Plain CREATE INDEX; partial indexes (`where ...`) are the same in PostgreSQL.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index notifications_unread on notifications(member_id) where read_at is null`.execute(db);
  await sql`create index events_ends on events(ends_at)`.execute(db);
  await sql`create index stories_status_published on stories(status, published_at)`.execute(db);
  await sql`create index standing_totals_member on standing_totals(member_id, period, earned)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index standing_totals_member`.execute(db);
  await sql`drop index stories_status_published`.execute(db);
  await sql`drop index events_ends`.execute(db);
  await sql`drop index notifications_unread`.execute(db);
}
