import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { BoundedMap } from '../../core/bounded-map.js';
import { afterCommit } from '../../core/after-commit.js';
import { preparedQuery } from '../../db/prepared.js';
import type { Db, DbOrTx } from '../../db/schema.js';
import { type Delivery, DeliveryQueue } from './delivery-queue.js';
import { type ApDocument, type ApMeta, actorIds, applyPartial, objectRefs, splitMeta, withoutEmbeddedMeta } from './documents.js';

type Json = Record<string, unknown>;
const parse = (text: string | null): Json | undefined => (text === null ? undefined : (JSON.parse(text) as Json));
const jsonOrNull = (meta: Json | undefined): string | null => (meta && Object.keys(meta).length ? JSON.stringify(meta) : null);
const isLocalPerson = (doc: ApDocument): number => (doc.type === 'Person' && typeof doc._meta?.privateKey === 'string' ? 1 : 0);
const listParam = (values: string[]) => sql<string>`(select value from json_each(${JSON.stringify(values)}))`;

/**
 * activitypub-express's store (store/interface.js in apex 4.4.2) on SQLite, with apex's
 * exact semantics: duplicate inserts answer false instead of throwing, `_meta` is only
 * returned when asked for and never inside embedded copies, `getStream` pages by the
 * order activities were first saved with `_id` as the cursor, and dequeuing is atomic.
 * apex's store/interface.js (4.4.2) is the contract; the tests follow it method by method.
 */
export type { Delivery };

export class SqliteApexStore {
  private readonly queue: DeliveryQueue;

  constructor(readonly db: Db) {
    this.queue = new DeliveryQueue(db);
    this.objectById = preparedQuery(db, (p: { id: string }) => db.selectFrom('ap_objects').select(['doc', 'meta']).where('id', '=', p.id));
  }

  /** The schema comes from migrations; an initial user is upserted as apex's own store does. */
  async setup(initialUser?: ApDocument): Promise<ApDocument | undefined> {
    if (!initialUser) return undefined;
    await this.db.transaction().execute(async (trx) => {
      this.forget(initialUser.id);
      await trx.deleteFrom('ap_objects').where('id', '=', initialUser.id).execute();
      await this.insertObject(trx, initialUser);
    });
    return initialUser;
  }

  /** Synchronous and lower-case, as apex substitutes it into IRIs. */
  generateId(): string {
    return randomBytes(12).toString('hex');
  }

  // Read on every inbound activity (the sender, its key, the object): compiled once.
  private readonly objectById: (p: { id: string }) => Promise<{ doc: string; meta: string | null }[]>;

  /**
   * Stored objects as last read (text, parsed afresh for every caller, who may change
   * what it gets): the same senders' actors are read for every activity they sign. Every
   * write of ap_objects goes through this class and forgets the id (`forget`); a read
   * that a write overtook is not kept, and one inside a unit of work only once it commits.
   */
  private readonly objects = new BoundedMap<string, { doc: string; meta: string | null }>(2000);
  private writes = 0;

  private forget(id: string): void {
    this.writes++;
    this.objects.delete(id);
  }

  async getObject(id: string, includeMeta?: boolean): Promise<ApDocument | null> {
    let row = this.objects.get(id);
    if (!row) {
      const writes = this.writes;
      [row] = await this.objectById({ id });
      if (!row) return null;
      // Read inside a unit of work, it is kept only once the unit commits (never if it rolls back).
      const read = row;
      afterCommit(() => {
        if (writes === this.writes) this.objects.set(id, read);
      });
    }
    const doc = parse(row.doc) as ApDocument;
    // Strict: a private key must never come back by accident.
    if (includeMeta === true && row.meta !== null) doc._meta = parse(row.meta) as ApMeta;
    return doc;
  }

  async saveObject(object: ApDocument): Promise<boolean> {
    const result = await this.insertObject(this.db, object, true);
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateObject(object: ApDocument, _actorId: string | null, fullReplace: boolean): Promise<ApDocument | undefined> {
    // Ownership is checked by apex's validators before it gets here.
    this.forget(object.id);
    const updated = await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('ap_objects').select(['doc', 'meta']).where('id', '=', object.id).executeTakeFirst();
      if (!row) return undefined;
      let next: ApDocument;
      if (fullReplace) {
        next = object;
        const before = { ...(parse(row.doc) as Json), ...(row.meta ? { _meta: parse(row.meta) } : {}) };
        if (JSON.stringify(before) === JSON.stringify(object)) return undefined; // nothing modified
      } else {
        next = applyPartial({ ...(parse(row.doc) as ApDocument), ...(row.meta ? { _meta: parse(row.meta) as ApMeta } : {}) }, object);
      }
      const { body, meta } = splitMeta(next);
      await trx
        .updateTable('ap_objects')
        .set({ type: next.type ?? null, doc: JSON.stringify(body), meta: jsonOrNull(meta), is_local_person: isLocalPerson(next) })
        .where('id', '=', object.id)
        .execute();
      await this.updateObjectCopies(trx, next);
      // A full replacement is returned as given; a partial one without its _meta.
      return fullReplace ? next : (body as ApDocument);
    });
    this.forget(object.id); // and after: a read that ran before the write must not be kept
    return updated;
  }

  async getActivity(id: string, includeMeta?: boolean): Promise<ApDocument | null> {
    const row = await this.db.selectFrom('ap_streams').select(['seq', 'doc', 'meta']).where('id', '=', id).executeTakeFirst();
    return row ? this.activityFromRow(this.db, row, !!includeMeta) : null;
  }

  async findActivityByCollectionAndObjectId(collection: string, objectId: string, includeMeta?: boolean): Promise<ApDocument | null> {
    // Matches only objects given by IRI, as Mongo's array-element equality does.
    const row = await this.db
      .selectFrom('ap_stream_collections as c')
      .innerJoin('ap_stream_objects as o', 'o.seq', 'c.seq')
      .innerJoin('ap_streams as s', 's.seq', 'c.seq')
      .select(['s.seq', 's.doc', 's.meta'])
      .where('c.collection', '=', collection)
      .where('o.object_id', '=', objectId)
      .where('o.embedded', '=', 0)
      .orderBy('s.seq')
      .executeTakeFirst();
    return row ? this.activityFromRow(this.db, row, !!includeMeta) : null;
  }

  async findActivityByCollectionAndActorId(collection: string, actorId: string, includeMeta?: boolean): Promise<ApDocument | null> {
    const row = await this.db
      .selectFrom('ap_stream_collections as c')
      .innerJoin('ap_stream_actors as a', 'a.seq', 'c.seq')
      .innerJoin('ap_streams as s', 's.seq', 'c.seq')
      .select(['s.seq', 's.doc', 's.meta'])
      .where('c.collection', '=', collection)
      .where('a.actor', '=', actorId)
      .orderBy('s.seq')
      .executeTakeFirst();
    return row ? this.activityFromRow(this.db, row, !!includeMeta) : null;
  }

  /**
   * A page of a collection, newest first by when each activity was first saved. `after`
   * is the previous page's last `_id`. Actors are replaced by their stored documents; an
   * activity whose actors are all unknown is dropped, as apex's $lookup does.
   */
  async getStream(collectionId: string, limit: number | null, after?: string | null, blockList?: string[] | null): Promise<ApDocument[]> {
    if (after && !/^\d{1,15}$/.test(String(after))) throw new Error('ApexStore: invalid page value');
    let q = this.db
      .selectFrom('ap_stream_collections as c')
      .innerJoin('ap_streams as s', 's.seq', 'c.seq')
      .select(['s.seq', 's.doc'])
      .where('c.collection', '=', collectionId)
      .orderBy('c.seq', 'desc');
    if (after) q = q.where('c.seq', '<', Number(after));
    if (blockList?.length) {
      q = q.where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('ap_stream_actors as a').select('a.seq').whereRef('a.seq', '=', 's.seq').where('a.actor', 'in', listParam(blockList)))),
      );
    }
    if (limit && Number.isFinite(limit)) q = q.limit(limit);
    const rows = await q.execute();
    const docs = rows.map((r) => ({ seq: r.seq, doc: parse(r.doc) as ApDocument }));
    const wanted = [...new Set(docs.flatMap((d) => actorIds(d.doc)))];
    const actors = new Map<string, Json>();
    if (wanted.length) {
      const found = await this.db.selectFrom('ap_objects').select(['id', 'doc']).where('id', 'in', listParam(wanted)).execute();
      for (const a of found) actors.set(a.id, parse(a.doc)!);
    }
    const out: ApDocument[] = [];
    for (const { seq, doc } of docs) {
      const actor = actorIds(doc).map((id) => actors.get(id)).filter((a): a is Json => !!a);
      if (actor.length === 0) continue;
      out.push({ ...doc, actor, _id: String(seq) });
    }
    return out;
  }

  async getStreamCount(collectionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('ap_stream_collections')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('collection', '=', collectionId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Inserts; a duplicate id answers false (the caller then adds a collection with updateActivityMeta). */
  async saveActivity(activity: ApDocument): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { body, meta } = splitMeta(activity);
      const { collection = [], ...rest } = meta ?? {};
      const inserted = await trx
        .insertInto('ap_streams')
        .values({ id: activity.id, type: activity.type ?? null, doc: JSON.stringify(withoutEmbeddedMeta(body)), meta: jsonOrNull(rest) })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('seq')
        .executeTakeFirst();
      if (!inserted) return false;
      await this.writeIndexes(trx, inserted.seq, activity);
      await this.writeCollections(trx, inserted.seq, collection);
      return true;
    });
  }

  async removeActivity(activity: { id: string }, actorId: string): Promise<void> {
    await this.db
      .deleteFrom('ap_streams')
      .where('id', '=', activity.id)
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('ap_stream_actors as a').select('a.seq').whereRef('a.seq', '=', 'ap_streams.seq').where('a.actor', '=', actorId)),
      )
      .execute();
  }

  async updateActivity(activity: ApDocument, fullReplace: boolean): Promise<ApDocument> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('ap_streams').select(['seq', 'doc', 'meta']).where('id', '=', activity.id).executeTakeFirst();
      if (!row) return activity;
      const current = await this.activityFromRow(trx, row, true);
      const next = fullReplace ? activity : applyPartial(current, activity);
      const { body, meta } = splitMeta(next);
      const { collection = [], ...rest } = meta ?? {};
      const stored = { seq: row.seq, doc: JSON.stringify(withoutEmbeddedMeta(body)), meta: jsonOrNull(rest) };
      await trx.updateTable('ap_streams').set({ type: next.type ?? null, doc: stored.doc, meta: stored.meta }).where('seq', '=', row.seq).execute();
      await trx.deleteFrom('ap_stream_actors').where('seq', '=', row.seq).execute();
      await trx.deleteFrom('ap_stream_objects').where('seq', '=', row.seq).execute();
      await trx.deleteFrom('ap_stream_collections').where('seq', '=', row.seq).execute();
      await this.writeIndexes(trx, row.seq, next);
      await this.writeCollections(trx, row.seq, collection);
      // As apex's store: only a full replacement that changed something updates copies.
      if (fullReplace && JSON.stringify(current) !== JSON.stringify(next)) await this.updateObjectCopies(trx, next);
      return fullReplace ? next : this.activityFromRow(trx, stored, true);
    });
  }

  /** Adds a value to (or pulls it from) a `_meta` array; set semantics, insertion order kept. */
  async updateActivityMeta(activity: { id: string }, key: string, value: unknown, remove?: boolean): Promise<ApDocument> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('ap_streams').select(['seq', 'doc', 'meta']).where('id', '=', activity.id).executeTakeFirst();
      if (!row) throw new Error('Error updating activity meta: not found');
      let metaText = row.meta;
      if (key === 'collection') {
        const collection = String(value);
        if (remove) {
          await trx.deleteFrom('ap_stream_collections').where('seq', '=', row.seq).where('collection', '=', collection).execute();
        } else {
          await trx
            .insertInto('ap_stream_collections')
            .values(({ selectFrom }) => ({
              seq: row.seq,
              collection,
              pos: selectFrom('ap_stream_collections').select(sql<number>`coalesce(max(pos), -1) + 1`.as('p')).where('seq', '=', row.seq),
            }))
            .onConflict((oc) => oc.columns(['collection', 'seq']).doNothing())
            .execute();
        }
      } else {
        const meta = parse(row.meta) ?? {};
        const list = Array.isArray(meta[key]) ? (meta[key] as unknown[]) : [];
        const has = list.some((v) => JSON.stringify(v) === JSON.stringify(value));
        meta[key] = remove ? list.filter((v) => JSON.stringify(v) !== JSON.stringify(value)) : has ? list : [...list, value];
        metaText = jsonOrNull(meta);
        await trx.updateTable('ap_streams').set({ meta: metaText }).where('seq', '=', row.seq).execute();
      }
      return this.activityFromRow(trx, { ...row, meta: metaText }, true);
    });
  }

  async getContext(documentUrl: string): Promise<{ contextUrl: string | null; documentUrl: string; document: unknown } | null> {
    const row = await this.db.selectFrom('ap_contexts').selectAll().where('document_url', '=', documentUrl).executeTakeFirst();
    return row ? { contextUrl: row.context_url, documentUrl: row.document_url, document: JSON.parse(row.document) } : null;
  }

  async saveContext(context: { contextUrl?: string | null; documentUrl: string; document: unknown }): Promise<void> {
    const document = typeof context.document === 'string' ? context.document : JSON.stringify(context.document);
    await this.db
      .insertInto('ap_contexts')
      .values({ document_url: context.documentUrl, context_url: context.contextUrl ?? null, document })
      .onConflict((oc) => oc.column('document_url').doUpdateSet({ context_url: context.contextUrl ?? null, document }))
      .execute();
  }

  /** Local members: Person objects holding a private key (Groups are not counted). */
  async getUserCount(): Promise<number> {
    const row = await this.db
      .selectFrom('ap_objects')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_local_person', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // apex's delivery queue (our own worker drains the same table: see delivery-queue.ts).
  /**
   * apex hands over the actor's private key with every delivery; it is not kept. The row
   * names the actor, whose key (stored once, in its `_meta`) is looked up when sending.
   */
  deliveryEnqueue(actorId: string, body: string, addresses: string | string[], _signingKey?: string): Promise<boolean | undefined> {
    return this.queue.enqueue(actorId, body, addresses);
  }

  deliveryDequeue(): Promise<Delivery | { waitUntil: Date } | null> {
    return this.queue.dequeue();
  }

  deliveryRequeue(delivery: Delivery): Promise<boolean> {
    return this.queue.requeue(delivery);
  }

  private async insertObject(db: DbOrTx, object: ApDocument, ignoreDuplicate = false) {
    this.forget(object.id);
    const { body, meta } = splitMeta(object);
    let q = db.insertInto('ap_objects').values({
      id: object.id,
      type: object.type ?? null,
      doc: JSON.stringify(body),
      meta: jsonOrNull(meta),
      is_local_person: isLocalPerson(object),
    });
    if (ignoreDuplicate) q = q.onConflict((oc) => oc.column('id').doNothing());
    const result = await q.executeTakeFirst();
    this.forget(object.id); // and after: a read that ran before the write must not be kept
    return result;
  }

  private async activityFromRow(db: DbOrTx, row: { seq: number; doc: string; meta: string | null }, includeMeta: boolean): Promise<ApDocument> {
    const doc = parse(row.doc) as ApDocument;
    if (!includeMeta) return doc;
    const collections = await db.selectFrom('ap_stream_collections').select('collection').where('seq', '=', row.seq).orderBy('pos').execute();
    const rest = parse(row.meta);
    if (!rest && collections.length === 0) return doc;
    return { ...doc, _meta: { ...(rest ?? {}), collection: collections.map((c) => c.collection) } };
  }

  private async writeIndexes(trx: DbOrTx, seq: number, activity: ApDocument): Promise<void> {
    const actors = [...new Set(actorIds(activity))];
    if (actors.length) await trx.insertInto('ap_stream_actors').values(actors.map((actor) => ({ seq, actor }))).onConflict((oc) => oc.doNothing()).execute();
    const objects = objectRefs(activity);
    if (objects.length) {
      await trx
        .insertInto('ap_stream_objects')
        .values(objects.map((o) => ({ seq, object_id: o.id, embedded: o.embedded ? 1 : 0 })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  private async writeCollections(trx: DbOrTx, seq: number, collections: string[]): Promise<void> {
    const unique = [...new Set(collections)];
    if (unique.length) await trx.insertInto('ap_stream_collections').values(unique.map((collection, pos) => ({ seq, collection, pos }))).execute();
  }

  /** Every activity embedding a copy of this object gets the new copy (this is how a Delete tombstones a Create's Note). */
  private async updateObjectCopies(trx: DbOrTx, object: ApDocument): Promise<void> {
    const { body } = splitMeta(object);
    const holders = await trx
      .selectFrom('ap_stream_objects as o')
      .innerJoin('ap_streams as s', 's.seq', 'o.seq')
      .select(['s.seq', 's.doc'])
      .where('o.object_id', '=', object.id)
      .where('o.embedded', '=', 1)
      .execute();
    for (const h of holders) {
      const doc = parse(h.doc)!;
      const replaced = (Array.isArray(doc.object) ? doc.object : [doc.object]).map((o) =>
        o && typeof o === 'object' && (o as { id?: unknown }).id === object.id ? body : o,
      );
      await trx.updateTable('ap_streams').set({ doc: JSON.stringify({ ...doc, object: replaced }) }).where('seq', '=', h.seq).execute();
    }
  }
}
