import type { Db } from '../../db/schema.js';
import { type Selectable, sql } from 'kysely';
import type { ApDeliveryQueueTable } from './store.table.js';
import { hostOf } from '../host.js';
import { ActorKeys } from './actor-keys.js';

/** A delivery in apex's shape (store/interface.js in apex 4.4.2); `signingKey` is resolved when dequeued, never stored. */
export interface Delivery {
  address: string;
  actorId: string;
  signingKey: string;
  body: string;
  attempt: number;
  after: Date;
}

/**
 * A delivery leased by the DeliveryWorker. It names the sending actor (`actorId`, the
 * reference to its key in the store: see ActorKeys), never the key itself.
 */
export interface QueuedDelivery {
  rowid: number;
  address: string;
  host: string;
  actorId: string;
  body: string;
  attempt: number;
  firstMs: number;
}

/** Live (not given up), due now, and not leased by a sender that is still within its lease. */
const due = (now: number) => sql<boolean>`failed_ms is null and after_ms <= ${now} and (leased_until_ms is null or leased_until_ms <= ${now})`;

/**
 * The outgoing delivery queue in SQLite. apex enqueues through the store interface
 * (enqueue/dequeue/requeue keep its semantics); our DeliveryWorker drains it with
 * claim/complete/retry/fail, leasing rows so that nothing is lost if the process dies.
 * A row names the sending actor, not its key: keys stay in the actor's stored document
 * (ActorKeys), so no queued row, dump or debugging `select *` of the queue holds a secret.
 */
export class DeliveryQueue {
  private readonly keys: ActorKeys;

  constructor(private readonly db: Db) {
    this.keys = new ActorKeys(db);
  }

  /**
   * Queues `body` from `actorId` to each distinct address, due at `now` (ms since the
   * epoch). Answers undefined when there is no address, as apex's store does.
   */
  async enqueue(actorId: string, body: string, addresses: string | string[], now = Date.now()): Promise<boolean | undefined> {
    const list = [...new Set(Array.isArray(addresses) ? addresses : addresses ? [addresses] : [])];
    if (list.length === 0) return undefined;
    await this.db
      .insertInto('ap_delivery_queue')
      .values(list.map((address) => ({ address, host: hostOf(address) ?? '', actor_id: actorId, body, attempt: 0, after_ms: now, first_ms: now })))
      .execute();
    return true;
  }

  /** apex's dequeue: atomically removes the earliest due delivery; otherwise when the next is due, or null. */
  async dequeue(now = Date.now()): Promise<Delivery | { waitUntil: Date } | null> {
    const row = await this.db
      .deleteFrom('ap_delivery_queue')
      .where('rowid', '=', (eb) => eb.selectFrom('ap_delivery_queue').select('rowid').where(due(now)).orderBy('after_ms').orderBy('rowid').limit(1))
      .returningAll()
      .executeTakeFirst();
    if (row) {
      // apex signs with what it is given: the actor's current key ('' when it has none, which fails to sign).
      const key = await this.keys.forActor(row.actor_id);
      return { address: row.address, actorId: row.actor_id, signingKey: key?.privateKeyPem ?? '', body: row.body, attempt: row.attempt, after: new Date(row.after_ms) };
    }
    const next = await this.db.selectFrom('ap_delivery_queue').select('after_ms').where('failed_ms', 'is', null).orderBy('after_ms').limit(1).executeTakeFirst();
    return next ? { waitUntil: new Date(next.after_ms) } : null;
  }

  /** apex's own backoff: 10^attempt ms after the previous due time. The key it carries is not kept. */
  async requeue(delivery: Delivery): Promise<boolean> {
    const after = delivery.after.getTime() + 10 ** delivery.attempt;
    delivery.attempt += 1;
    delivery.after = new Date(after);
    await this.db
      .insertInto('ap_delivery_queue')
      .values({
        address: delivery.address, host: hostOf(delivery.address) ?? '', actor_id: delivery.actorId,
        body: delivery.body, attempt: delivery.attempt, after_ms: after, first_ms: after,
      })
      .execute();
    return true;
  }

  /**
   * Leases up to `limit` due deliveries, at most `perHost(host)` more for any host, for
   * `leaseMs`. The UPDATE re-checks that each row is still free, so two claimers never
   * take the same row.
   */
  async claim(limit: number, room: (host: string) => number, leaseMs: number, now = Date.now()): Promise<QueuedDelivery[]> {
    if (limit <= 0) return [];
    const candidates = await this.db
      .selectFrom('ap_delivery_queue')
      .select(['rowid', 'host'])
      .where(due(now))
      .orderBy('after_ms')
      .orderBy('rowid')
      .limit(Math.max(limit * 10, 100))
      .execute();
    const taken = new Map<string, number>();
    const chosen: number[] = [];
    for (const c of candidates) {
      if (chosen.length >= limit) break;
      const n = taken.get(c.host) ?? 0;
      if (n >= room(c.host)) continue;
      taken.set(c.host, n + 1);
      chosen.push(c.rowid);
    }
    if (chosen.length === 0) return [];
    const rows = await this.db
      .updateTable('ap_delivery_queue')
      .set({ leased_until_ms: now + leaseMs })
      .where('rowid', 'in', chosen)
      .where(due(now))
      .returningAll()
      .execute();
    return rows.map(toQueued);
  }

  async complete(rowid: number): Promise<void> {
    await this.db.deleteFrom('ap_delivery_queue').where('rowid', '=', rowid).execute();
  }

  async retry(rowid: number, afterMs: number, status: number | null, error: string): Promise<void> {
    await this.db
      .updateTable('ap_delivery_queue')
      .set((eb) => ({ attempt: eb('attempt', '+', 1), after_ms: afterMs, leased_until_ms: null, last_status: status, last_error: error.slice(0, 500) }))
      .where('rowid', '=', rowid)
      .execute();
  }

  /** Gives up on a delivery and keeps it, with the reason, for the admin page. */
  async fail(rowid: number, status: number | null, error: string, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('ap_delivery_queue')
      .set((eb) => ({ attempt: eb('attempt', '+', 1), failed_ms: now, leased_until_ms: null, last_status: status, last_error: error.slice(0, 500) }))
      .where('rowid', '=', rowid)
      .execute();
  }

  /** What the admin page shows: per server, deliveries waiting, retrying and given up, with the latest error. */
  async summary(now = Date.now()): Promise<QueueHostSummary[]> {
    const rows = await this.db
      .selectFrom('ap_delivery_queue')
      .select([
        'host',
        sql<number>`sum(case when failed_ms is null and attempt = 0 then 1 else 0 end)`.as('waiting'),
        sql<number>`sum(case when failed_ms is null and attempt > 0 then 1 else 0 end)`.as('retrying'),
        sql<number>`sum(case when failed_ms is not null then 1 else 0 end)`.as('failed'),
        sql<number | null>`min(case when failed_ms is null then after_ms end)`.as('next_ms'),
        sql<string | null>`max(last_error)`.as('last_error'),
      ])
      .groupBy('host')
      .orderBy(sql`sum(case when failed_ms is not null then 1 else 0 end)`, 'desc')
      .orderBy('host')
      .limit(500)
      .execute();
    return rows.map((r) => ({
      host: r.host,
      waiting: Number(r.waiting),
      retrying: Number(r.retrying),
      failed: Number(r.failed),
      nextAt: r.next_ms === null ? null : new Date(Math.max(Number(r.next_ms), now)).toISOString(),
      lastError: r.last_error,
    }));
  }

  /** Forgets the deliveries given up on for one server (or all), after an admin has read why. */
  async clearFailed(host?: string): Promise<number> {
    let q = this.db.deleteFrom('ap_delivery_queue').where('failed_ms', 'is not', null);
    if (host) q = q.where('host', '=', host);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }
}

function toQueued(r: Selectable<ApDeliveryQueueTable>): QueuedDelivery {
  return { rowid: r.rowid, address: r.address, host: r.host, actorId: r.actor_id, body: r.body, attempt: r.attempt, firstMs: r.first_ms };
}

export interface QueueHostSummary {
  host: string;
  waiting: number;
  retrying: number;
  failed: number;
  nextAt: string | null;
  lastError: string | null;
}
