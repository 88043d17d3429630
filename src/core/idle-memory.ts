import v8 from 'node:v8';
import vm from 'node:vm';

/** V8's gc(), reached without `--expose-gc` on the command line: the flag adds it to contexts made afterwards. Null if refused. */
function exposedGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * Gives back, once, the memory V8 kept from start-up. When `requests()` (a count that grows
 * with every request) has not moved for two checks in a row, `checkMs` apart, it runs a full
 * garbage collection, and another two checks later if still quiet; then it stops. It also
 * stops after `giveUpMs`.
 *
 * Why: loading some 1,000 modules at start grows V8's young generation to its maximum (two
 * 16 MB semispaces) through scavenges alone. V8 shrinks it only in a collection made while
 * little has been allocated over the last 5 s (under 1 MB/s), and its memory reducer
 * schedules such collections only after a full one; a server that goes quiet after start
 * never collects again, so it held those pages (about 13 MB resident; issue 14: 96 → 83 MB
 * idle on the 100k-post database) until traffic came. The first collection frees start-up's
 * garbage and restarts V8's allocation count; the second, over 5 s later with almost nothing
 * allocated since, is the one V8 shrinks the young generation in. Under traffic V8 collects, and its
 * reducer runs, on its own. Each costs one pause of a few tens of ms while nothing is served.
 */
export function collectOnceQuiet(
  requests: () => number,
  options: { checkMs?: number; giveUpMs?: number; gc?: (() => void) | null } = {},
): { stop(): void } {
  const { checkMs = 3_000, giveUpMs = 600_000 } = options;
  const gc = options.gc === undefined ? exposedGc() : options.gc;
  if (!gc) return { stop() {} };
  const until = Date.now() + giveUpMs;
  let seen = requests();
  let quietChecks = 0;
  let collections = 0;
  const timer = setInterval(() => {
    const now = requests();
    quietChecks = now === seen ? quietChecks + 1 : 0;
    seen = now;
    // The first after 2 quiet checks, the second once 2 more have passed with no request.
    if ((collections === 0 && quietChecks >= 2) || (collections === 1 && quietChecks >= 4)) {
      gc();
      collections++;
    }
    if (collections === 2 || Date.now() > until) clearInterval(timer);
  }, checkMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
