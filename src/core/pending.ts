import { logger } from './logger.js';

/**
 * Work started from domain events that nobody awaits (awards, notifications): kept here
 * so tests and shutdown can wait until it is all written, and failures are logged.
 */
export class PendingWork {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly what: string) {}

  track(work: Promise<unknown>): void {
    const p: Promise<unknown> = work.catch((err) => logger.error(`${this.what} failed`, err)).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
