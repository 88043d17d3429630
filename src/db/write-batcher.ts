import type { Transaction } from 'kysely';
import type { Database, Db } from './schema.js';

/** One unit of work: runs inside a shared transaction; `after` defers a side effect until it commits. */
export type BatchJob<T> = (trx: Transaction<Database>, after: (effect: () => void) => void) => Promise<T>;

interface Queued {
  run: BatchJob<void>;
  settle: (err: unknown | null) => void;
}

const BATCH = 256;

/**
 * Runs writes that come in bursts (awards from a flood of domain events) one after
 * another, many to a transaction. SQLite has one writer, so queueing here instead of in
 * kysely's connection lock keeps thousands of waiters from all waking on every release,
 * and one commit for a batch costs what one commit for one job would.
 * If a batch fails, its jobs are run again one per transaction, so one bad job fails
 * alone and the rest are written; side effects run only after their commit.
 */
export class WriteBatcher {
  private readonly queue: Queued[] = [];
  private draining: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  submit<T>(job: BatchJob<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let result: T;
      this.queue.push({
        run: async (trx, after) => {
          result = await job(trx, after);
        },
        settle: (err) => (err === null ? resolve(result) : reject(err)),
      });
      this.draining ??= this.drain().finally(() => {
        this.draining = null;
      });
    });
  }

  /** Resolves when everything submitted so far is written. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // Let the rest of a synchronous burst join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) await this.runBatch(this.queue.splice(0, BATCH));
  }

  private async runBatch(batch: Queued[]): Promise<void> {
    const effects: (() => void)[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const q of batch) await q.run(trx, (effect) => effects.push(effect));
      });
    } catch (err) {
      if (batch.length === 1) return batch[0]!.settle(err);
      for (const q of batch) await this.runBatch([q]);
      return;
    }
    for (const effect of effects) effect();
    for (const q of batch) q.settle(null);
  }
}
