import { DomainError } from '../core/errors.js';

/**
 * Counts events per key in fixed windows, in memory: one Hearth is one process, and a
 * restart forgetting the counts is harmless. Old windows are swept as the map grows.
 */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Throws 429 with a Retry-After hint when the key is over its limit; otherwise counts one. */
  hit(key: string, now = Date.now()): void {
    this.check(key, now);
    const entry = this.hits.get(key);
    if (entry && entry.resetAt > now) entry.count++;
    else this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
    if (this.hits.size > 10_000) this.sweep(now);
  }

  /** Throws 429 if over the limit, without counting (for "count only failures" limits). */
  check(key: string, now = Date.now()): void {
    const entry = this.hits.get(key);
    if (entry && entry.resetAt > now && entry.count >= this.limit) {
      throw new RateLimited(Math.ceil((entry.resetAt - now) / 1000));
    }
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.hits) if (entry.resetAt <= now) this.hits.delete(key);
  }
}

export class RateLimited extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super('rate_limited', 429, `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
  }
}
