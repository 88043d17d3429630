import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Queued deliveries kept the sending actor's whole private key (signing_key) in every row.
// A row now names the actor only (actor_id, already there): the key stays in one place,
// the actor's stored document (ap_objects.meta, `privateKey`), and the delivery worker
// looks it up when it signs, so a replaced key is used for deliveries still waiting.
// Dropping the column rewrites every row without the key. (Freed pages may keep old bytes
// until a VACUUM; the same keys are in ap_objects of this file, so nothing more is exposed.)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ap_delivery_queue').dropColumn('signing_key').execute();
}

// Back to the old shape for an older release: each row gets its actor's current key again.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ap_delivery_queue').addColumn('signing_key', 'text', (c) => c.notNull().defaultTo('')).execute();
  await sql`update ap_delivery_queue set signing_key = coalesce(
    (select json_extract(o.meta, '$.privateKey') from ap_objects o where o.id = ap_delivery_queue.actor_id), '')`.execute(db);
}
