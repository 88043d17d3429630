import { logger } from '../../core/logger.js';
import { signRequest } from '../http-signatures.js';
import { RemoteFetchError, type SafeFetcher } from '../safe-fetch.js';
import type { ActorKeys } from '../store/actor-keys.js';
import type { DeliveryQueue, QueuedDelivery } from '../store/delivery-queue.js';

export interface DeliveryWorkerOptions {
  /** Deliveries in flight at once, over all hosts. */
  concurrency: number;
  /** Deliveries in flight at once to one host, so one slow server cannot take every slot. */
  perHost: number;
  /** How long a sender holds a delivery; after a crash it is sent again once this runs out. */
  leaseMs?: number;
  /** First retry delay; each further retry doubles it, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Give up once a delivery has been failing this long (about two days by default). */
  giveUpAfterMs?: number;
  /** How often an idle worker looks for due deliveries. */
  pollMs?: number;
  now?: () => number;
}

/** Statuses worth retrying: the server may be back, or less busy, later. Other 4xx are final. */
const RETRYABLE = new Set([408, 425, 429]);

/**
 * Sends queued activities: signs each with its actor's current key (looked up by the
 * actor's IRI when it is sent, see ActorKeys), POSTs it through the SafeFetcher, deletes
 * it on 2xx, retries 5xx, timeouts and network errors with exponential backoff for about
 * two days, and records why when it gives up. apex's own delivery loop stays off; this
 * replaces it (apex's is serial, in memory, and retries seconds apart: ADR 0003).
 */
export class DeliveryWorker {
  private readonly opts: Required<Omit<DeliveryWorkerOptions, 'now'>> & { now: () => number };
  private readonly inFlight = new Map<string, number>();
  private active = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private wanted = false;
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly keys: ActorKeys,
    private readonly fetcher: SafeFetcher,
    options: DeliveryWorkerOptions,
  ) {
    this.opts = {
      leaseMs: 5 * 60_000,
      baseDelayMs: 60_000,
      maxDelayMs: 12 * 3600_000,
      giveUpAfterMs: 48 * 3600_000,
      pollMs: 1000,
      now: Date.now,
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /** Stops taking work and waits for deliveries already in flight. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.allSettled([...this.sending]);
  }

  /** Looks for work now (call after enqueuing) instead of at the next poll. */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.wanted = true; // look again as soon as this round is done
      return;
    }
    clearTimeout(this.timer);
    this.ticking = this.tick()
      .catch((err) => logger.error('delivery worker failed to claim work', err))
      .finally(() => {
        this.ticking = undefined;
        if (!this.running) return;
        if (this.wanted) {
          this.wanted = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.opts.pollMs).unref();
        }
      });
  }

  /** The delay before retry number `attempt` (0-based): base, 2·base, 4·base… capped. */
  delayFor(attempt: number): number {
    return Math.min(this.opts.baseDelayMs * 2 ** attempt, this.opts.maxDelayMs);
  }

  private async tick(): Promise<void> {
    const free = this.opts.concurrency - this.active;
    const claimed = await this.queue.claim(free, (host) => this.opts.perHost - (this.inFlight.get(host) ?? 0), this.opts.leaseMs, this.opts.now());
    for (const delivery of claimed) {
      this.active++;
      this.inFlight.set(delivery.host, (this.inFlight.get(delivery.host) ?? 0) + 1);
      const p: Promise<void> = this.send(delivery).finally(() => {
        this.active--;
        this.inFlight.set(delivery.host, (this.inFlight.get(delivery.host) ?? 1) - 1);
        this.sending.delete(p);
        this.wake();
      });
      this.sending.add(p);
    }
  }

  private async send(d: QueuedDelivery): Promise<void> {
    let status: number | null = null;
    let error: string;
    try {
      const key = await this.keys.forActor(d.actorId);
      // Not one of our actors (any more): nobody can sign it, now or later.
      if (!key) return await this.queue.fail(d.rowid, null, `no signing key for ${d.actorId}`, this.opts.now());
      const headers = signRequest({
        method: 'POST',
        url: d.address,
        body: d.body,
        keyId: key.keyId,
        privateKeyPem: key.privateKeyPem,
        headers: { 'content-type': 'application/activity+json' },
      });
      const res = await this.fetcher.fetch(d.address, { method: 'POST', body: d.body, headers, followRedirects: false });
      status = res.status;
      if (status >= 200 && status < 300) return await this.queue.complete(d.rowid);
      error = `HTTP ${status}`;
      if (status >= 400 && status < 500 && !RETRYABLE.has(status)) {
        return await this.queue.fail(d.rowid, status, `${error}: the server refused it`, this.opts.now());
      }
    } catch (err) {
      // A refused address will be refused again: give up at once. Other errors may pass.
      if (err instanceof RemoteFetchError && (err.code === 'private_address' || err.code === 'bad_url')) {
        return await this.queue.fail(d.rowid, null, err.message, this.opts.now());
      }
      error = err instanceof Error ? err.message : String(err);
    }
    const now = this.opts.now();
    if (now - d.firstMs >= this.opts.giveUpAfterMs) {
      return await this.queue.fail(d.rowid, status, `gave up after ${d.attempt + 1} attempts: ${error}`, now);
    }
    await this.queue.retry(d.rowid, now + this.delayFor(d.attempt), status, error);
  }
}
