import { DomainError } from '../core/errors.js';

/**
 * Counts events per key in fixed windows, in memory: one Hearth is one process, and a
 * restart forgetting the counts is harmless. Old windows are swept as the map grows.
 * What counts is the caller's policy, given to `limited`: a limiter only checks and counts.
 */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Throws RateLimited (429, with a Retry-After hint) when the key has used up its window. */
  check(key: string, now = Date.now()): void {
    const entry = this.hits.get(key);
    if (entry && entry.resetAt > now && entry.count >= this.limit) {
      throw new RateLimited(Math.ceil((entry.resetAt - now) / 1000));
    }
  }

  /**
   * Checks, then counts one event against the key (a new window starts if the last one is
   * over). Returns the window it went into, for `giveBack`.
   */
  take(key: string, now = Date.now()): number {
    this.check(key, now);
    const entry = this.hits.get(key);
    if (entry && entry.resetAt > now) {
      entry.count++;
      return entry.resetAt;
    }
    const resetAt = now + this.windowMs;
    this.hits.set(key, { count: 1, resetAt });
    if (this.hits.size > 10_000) this.sweep(now);
    return resetAt;
  }

  /** Takes back one event `take` counted, if its window is still the current one. */
  giveBack(key: string, window: number): void {
    const entry = this.hits.get(key);
    if (entry && entry.resetAt === window && entry.count > 0) entry.count--;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.hits) if (entry.resetAt <= now) this.hits.delete(key);
  }
}

/** How an attempt ended: what it returned, or what it threw. */
export type Outcome = { ok: true } | { ok: false; error: unknown };

/**
 * Which outcomes use up the limit. Each form decides what it guards against:
 * - log-in counts failed passwords (per address and per account): guessing is the
 *   threat, and an office or a café behind one address logs many people in;
 * - sign-up and visitors' stories count what they create (accounts, stories), not the
 *   form mistakes a person fixes on the next try; sign-up also counts what costs a
 *   password hash or guesses a secret (a taken handle, a wrong invite code).
 * The first-run setup form has no limit (its link carries a one-time 192-bit token), and
 * neither has the voucher check (signed-in staff only, 50-bit codes).
 */
export type CountPolicy = (outcome: Outcome) => boolean;

/** Counts only failures the predicate names (a wrong password, not a suspended account). */
export const countFailures =
  (isFailure: (error: unknown) => boolean): CountPolicy =>
  (o) =>
    !o.ok && isFailure(o.error);

/** Counts every success, and the failures the predicate names (none by default). */
export const countCreations =
  (alsoFailure: (error: unknown) => boolean = () => false): CountPolicy =>
  (o) =>
    o.ok || alsoFailure(o.error);

/**
 * Runs one attempt under limits: refuses it with RateLimited (429) before it starts when
 * any key is over its limit; otherwise it counts against every key while it runs (so a
 * burst of parallel guesses cannot all pass the check), and is taken back afterwards
 * unless `counts` says its outcome counts. Errors from `run` are rethrown as they are.
 */
export async function limited<T>(limits: [RateLimiter, string][], counts: CountPolicy, run: () => Promise<T>): Promise<T> {
  const taken: [RateLimiter, string, number][] = [];
  const giveBack = () => {
    for (const [limiter, key, window] of taken) limiter.giveBack(key, window);
  };
  try {
    for (const [limiter, key] of limits) taken.push([limiter, key, limiter.take(key)]);
  } catch (err) {
    giveBack();
    throw err;
  }
  let result: T;
  try {
    result = await run();
  } catch (error) {
    if (!counts({ ok: false, error })) giveBack();
    throw error;
  }
  if (!counts({ ok: true })) giveBack();
  return result;
}

export class RateLimited extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super('rate_limited', 429, `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
  }
}
