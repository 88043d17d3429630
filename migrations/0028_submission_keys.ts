import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// The one-time key of the form that made a post or a story (the `_once` field), kept with
// what it made: the same form sent twice (a double click without JavaScript, a resend after
// a lost answer) finds its own earlier post or story and shows it, instead of writing a
// second one that notifies and pays again. Unique per author, so two racing requests make
// one row: the loser's insert fails and it reads the winner's.
// PostgreSQL takes the same partial unique index (`... where submission_key is not null`);
// a plain unique index would do as well there, since it treats NULLs as distinct.
// A visitor's story has no author: `coalesce(author_id, 0)` gives visitors' keys one
// namespace (they are 128 random bits, so one visitor never meets another's).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table posts add column submission_key text`.execute(db);
  await sql`create unique index posts_submission_key on posts(author_id, submission_key) where submission_key is not null`.execute(db);
  await sql`alter table stories add column submission_key text`.execute(db);
  await sql`create unique index stories_submission_key on stories(coalesce(author_id, 0), submission_key) where submission_key is not null`.execute(db);
  // The organisers' "new event" and the admins' "new product" and "new space" forms, the same way.
  await sql`alter table spaces add column submission_key text`.execute(db);
  await sql`create unique index spaces_submission_key on spaces(created_by, submission_key) where submission_key is not null`.execute(db);
  await sql`alter table events add column submission_key text`.execute(db);
  await sql`create unique index events_submission_key on events(created_by, submission_key) where submission_key is not null`.execute(db);
  await sql`alter table products add column submission_key text`.execute(db);
  await sql`create unique index products_submission_key on products(created_by, submission_key) where submission_key is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index spaces_submission_key`.execute(db);
  await sql`alter table spaces drop column submission_key`.execute(db);
  await sql`drop index products_submission_key`.execute(db);
  await sql`alter table products drop column submission_key`.execute(db);
  await sql`drop index events_submission_key`.execute(db);
  await sql`alter table events drop column submission_key`.execute(db);
  await sql`drop index stories_submission_key`.execute(db);
  await sql`alter table stories drop column submission_key`.execute(db);
  await sql`drop index posts_submission_key`.execute(db);
  await sql`alter table posts drop column submission_key`.execute(db);
}
