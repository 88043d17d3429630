import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Two things other servers send that had no place:
// - An account deleted on its own server (a self-`Delete`) becomes a member with status
//   'deleted': the row stays, so its deleted posts keep a name in their threads and a
//   later activity from the same actor is refused instead of bringing it back. SQLite
//   cannot change a CHECK constraint in place, so the table is rebuilt the way SQLite
//   documents (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys off,
//   a copy made from the table's own CREATE statement with the wider constraint, the rows
//   copied, the old table dropped, the copy renamed, its indexes created again, and the
//   foreign keys checked before the commit.
// - The message a remote participant sends with an RSVP (Mobilizon's participationMessage).
const STATUSES_BEFORE = `status in ('active','pending','suspended','rejected')`;
const STATUSES_AFTER = `status in ('active','pending','suspended','rejected','deleted')`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table event_rsvps add column message text`.execute(db);
  await rebuildMembers(db, STATUSES_BEFORE, STATUSES_AFTER);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update members set status = 'suspended' where status = 'deleted'`.execute(db);
  await rebuildMembers(db, STATUSES_AFTER, STATUSES_BEFORE);
  await sql`alter table event_rsvps drop column message`.execute(db);
}

async function rebuildMembers(db: Kysely<any>, from: string, to: string): Promise<void> {
  const table = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'members'`.execute(db);
  const create = table.rows[0]?.sql ?? '';
  if (!create.includes(from)) throw new Error(`members has no constraint "${from}" to change`);
  const copy = create.replace(/^CREATE TABLE\s+("members"|members)/i, 'CREATE TABLE "members_next"').replace(from, to);
  const indexes = await sql<{ sql: string }>`select sql from sqlite_master where type = 'index' and tbl_name = 'members' and sql is not null`.execute(db);
  // Has no effect inside a transaction, so it is switched before one starts (kysely runs
  // SQLite migrations outside transactions).
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await sql.raw(copy).execute(trx);
      await sql`insert into members_next select * from members`.execute(trx);
      await sql`drop table members`.execute(trx);
      await sql`alter table members_next rename to members`.execute(trx);
      for (const index of indexes.rows) await sql.raw(index.sql).execute(trx);
      const broken = await sql`pragma foreign_key_check`.execute(trx);
      if (broken.rows.length) throw new Error('rebuilding members broke foreign keys');
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
