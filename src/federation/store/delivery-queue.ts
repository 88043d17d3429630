import type { Db } from '../../db/schema.js';

export interface Delivery {
  address: string;
  actorId: string;
  signingKey: string;
  body: string;
  attempt: number;
  after: Date;
}

/** The outgoing delivery queue in SQLite, with the semantics apex's store interface asks for. */
export class DeliveryQueue {
  constructor(private readonly db: Db) {}

  async enqueue(actorId: string, body: string, addresses: string | string[], signingKey: string): Promise<boolean | undefined> {
    const list = Array.isArray(addresses) ? addresses : addresses ? [addresses] : [];
    if (list.length === 0) return undefined;
    const now = Date.now();
    await this.db
      .insertInto('ap_delivery_queue')
      .values(list.map((address) => ({ address, actor_id: actorId, signing_key: signingKey, body, attempt: 0, after_ms: now })))
      .execute();
    return true;
  }

  /** Atomically takes the earliest due delivery; otherwise says when the next one is due, or null. */
  async dequeue(): Promise<Delivery | { waitUntil: Date } | null> {
    const row = await this.db
      .deleteFrom('ap_delivery_queue')
      .where('rowid', '=', (eb) =>
        eb.selectFrom('ap_delivery_queue').select('rowid').where('after_ms', '<=', Date.now()).orderBy('after_ms').orderBy('rowid').limit(1),
      )
      .returningAll()
      .executeTakeFirst();
    if (row) {
      return { address: row.address, actorId: row.actor_id, signingKey: row.signing_key, body: row.body, attempt: row.attempt, after: new Date(row.after_ms) };
    }
    const next = await this.db.selectFrom('ap_delivery_queue').select('after_ms').orderBy('after_ms').limit(1).executeTakeFirst();
    return next ? { waitUntil: new Date(next.after_ms) } : null;
  }

  /** apex's own backoff: 10^attempt ms after the previous due time. */
  async requeue(delivery: Delivery): Promise<boolean> {
    const after = delivery.after.getTime() + 10 ** delivery.attempt;
    delivery.attempt += 1;
    delivery.after = new Date(after);
    await this.db
      .insertInto('ap_delivery_queue')
      .values({ address: delivery.address, actor_id: delivery.actorId, signing_key: delivery.signingKey, body: delivery.body, attempt: delivery.attempt, after_ms: after })
      .execute();
    return true;
  }
}
