import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// The one-time key of the counter's "Use it" form, kept with the voucher it used: the same
// form sent twice (a double tap at the counter) finds its own earlier use and shows it as
// done, where another attempt on a used voucher is still told "already used". Unique, like
// the ledger's `source` that does the same for redeeming and giving.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table redemptions add column use_key text`.execute(db);
  await sql`create unique index redemptions_use_key on redemptions(use_key) where use_key is not null`.execute(db);
  // The counter lists the day's uses, newest first.
  await sql`create index redemptions_used_at on redemptions(used_at) where used_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index redemptions_used_at`.execute(db);
  await sql`drop index redemptions_use_key`.execute(db);
  await sql`alter table redemptions drop column use_key`.execute(db);
}
