import { type Kysely, sql } from 'kysely';

/**
 * The store behind activitypub-express (apex): objects (actors, notes, tombstones) and
 * streams (activities), each kept as JSON with its private `_meta` apart, plus index
 * tables for what apex looks activities up by: the collections they are in, their actors
 * and the ids of their objects. Also apex's delivery queue and a JSON-LD context cache.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ap_objects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text')
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('meta', 'text')
    // A local Person is one with a private key: nodeinfo counts them.
    .addColumn('is_local_person', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`create index ap_objects_local_people on ap_objects(is_local_person) where is_local_person = 1`.execute(db);

  await db.schema
    .createTable('ap_streams')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text')
    .addColumn('doc', 'text', (c) => c.notNull())
    // _meta without `collection`, which lives in ap_stream_collections.
    .addColumn('meta', 'text')
    .execute();

  await db.schema
    .createTable('ap_stream_collections')
    .addColumn('seq', 'integer', (c) => c.notNull().references('ap_streams.seq').onDelete('cascade'))
    .addColumn('collection', 'text', (c) => c.notNull())
    .addColumn('pos', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('ap_stream_collections_pk', ['collection', 'seq'])
    .execute();
  await db.schema.createIndex('ap_stream_collections_seq').on('ap_stream_collections').columns(['seq', 'pos']).execute();

  await db.schema
    .createTable('ap_stream_actors')
    .addColumn('seq', 'integer', (c) => c.notNull().references('ap_streams.seq').onDelete('cascade'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ap_stream_actors_pk', ['actor', 'seq'])
    .execute();
  await db.schema.createIndex('ap_stream_actors_seq').on('ap_stream_actors').column('seq').execute();

  // embedded = 0: the object is given by its IRI; 1: a copy of the object is embedded.
  await db.schema
    .createTable('ap_stream_objects')
    .addColumn('seq', 'integer', (c) => c.notNull().references('ap_streams.seq').onDelete('cascade'))
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('embedded', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('ap_stream_objects_pk', ['object_id', 'embedded', 'seq'])
    .execute();
  await db.schema.createIndex('ap_stream_objects_seq').on('ap_stream_objects').column('seq').execute();

  // A delivery is leased while it is being sent, never deleted before it succeeds, so a
  // killed process loses nothing: the lease runs out and the next worker sends it again.
  await db.schema
    .createTable('ap_delivery_queue')
    .addColumn('rowid', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('signing_key', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('after_ms', 'integer', (c) => c.notNull())
    .addColumn('first_ms', 'integer', (c) => c.notNull())
    .addColumn('leased_until_ms', 'integer')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('failed_ms', 'integer')
    .execute();
  await sql`create index ap_delivery_queue_due on ap_delivery_queue(after_ms, rowid) where failed_ms is null`.execute(db);
  await db.schema.createIndex('ap_delivery_queue_actor').on('ap_delivery_queue').column('actor_id').execute();
  await db.schema.createIndex('ap_delivery_queue_host').on('ap_delivery_queue').columns(['host', 'failed_ms']).execute();

  await db.schema
    .createTable('ap_contexts')
    .addColumn('document_url', 'text', (c) => c.primaryKey())
    .addColumn('context_url', 'text')
    .addColumn('document', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ap_contexts', 'ap_delivery_queue', 'ap_stream_objects', 'ap_stream_actors', 'ap_stream_collections', 'ap_streams', 'ap_objects']) {
    await db.schema.dropTable(t).execute();
  }
}
