/**
 * Home page throughput on a real database of 100,000 posts, beside its ceiling: the same
 * page from bare express + better-sqlite3 + nunjucks (bench/bare/server.mjs), measured in
 * the same run with the same load. Also Hearth's idle resident memory after start-up.
 *
 * Both servers run as child processes (Hearth from the compiled dist/, as `npm start` runs
 * it), so the load generator here never shares their event loop, and /proc gives Hearth's
 * own RSS. On a machine with two cores or more the servers are pinned to one core and this
 * process (autocannon) to another, so the load generator never takes CPU from the server it
 * measures. The figures come from ROUNDS short rounds, each a bare run and a hearth run back
 * to back (the order alternating per round): a ratio per round, so drift in the machine
 * (other load, CPU frequency) falls on both sides of each ratio, and the median of the
 * rounds, printed with its min and max, so one disturbed round moves the spread, not the
 * figure.
 *
 * `home_page_ratio` is the ratio of CPU time per request (bare / hearth, each server's own
 * CPU time from /proc over the requests it answered): what each page costs the machine.
 * On a dedicated core a saturated single-threaded server answers 1 / (CPU per request), so
 * it is the throughput ratio without the share of the CPU other processes took during that
 * side's seconds, which on a shared 2-core machine moved the req/s ratio by ±0.2 between
 * rounds. The req/s ratio is printed beside it as `home_page_rps_ratio`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { figure, freePort, log, rssMb, seededDataDir, startHearth, stopAll, waitUntilUp } from './lib/hearth-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POSTS = 100_000;
const CONNECTIONS = 10;
/** Seconds of load per side per round. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/** Seconds of load per server before the first round: JIT, SQLite's page cache, the OS file cache. */
const WARM_UP = 5;

/**
 * Resident memory of the idle server, read after 20 s without a request: what a small
 * community's server holds while nobody visits. (V8 does not hand back the young generation
 * it grew while loading modules: with no allocation there is no GC to shrink it.)
 */
async function idleRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 20_000));
  return rssMb(pid);
}

/**
 * Pins a process (all its threads: V8's GC helpers and libuv's pool too) to one CPU with
 * taskset(1). Returns false, and changes nothing, when taskset is missing or refuses.
 */
function pin(pid: number, cpu: number): boolean {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  return r.status === 0;
}

const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU time a process (all its threads) has used, in ms, from /proc/<pid>/stat (utime + stime). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  /** The server's CPU time per answered request, ms. */
  cpuPerRequest: number;
}

async function load(url: string, pid: number, seconds: number): Promise<Run> {
  const cpu0 = cpuMs(pid);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  const cpu = cpuMs(pid) - cpu0;
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers and ${r.errors} errors under load`);
  return { rps: r.requests.total / seconds, p50: r.latency.p50, p99: r.latency.p99, cpuPerRequest: cpu / r.requests.total };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** `name` (the median of the rounds), `name_min` and `name_max`. */
function spread(name: string, xs: number[], unit: string, digits: number): void {
  figure(name, median(xs).toFixed(digits), unit);
  figure(`${name}_min`, Math.min(...xs).toFixed(digits), unit);
  figure(`${name}_max`, Math.max(...xs).toFixed(digits), unit);
}

async function main(): Promise<void> {
  const { dir: dataDir, file } = await seededDataDir({ members: 200, posts: POSTS, reactions: 50_000 });
  const children: ChildProcess[] = [];
  try {
    const { child: hearth, url: hearthUrl } = await startHearth(dataDir);
    children.push(hearth);
    await new Promise((r) => setTimeout(r, 1000));
    figure('rss_1s_after_start', rssMb(hearth.pid!), 'MB');
    figure('idle_rss_after_start', await idleRss(hearth.pid!), 'MB');

    const barePort = await freePort();
    const bare = spawn(process.execPath, [path.join(root, 'bench', 'bare', 'server.mjs'), file, String(barePort)], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(bare);
    const bareUrl = `http://127.0.0.1:${barePort}/`;
    await waitUntilUp(bareUrl, bare);

    // Servers on CPU 0, autocannon (this process) on CPU 1: without it the load generator,
    // which costs about as much CPU as the page it asks for, competes with the server for
    // the same two cores and the ratio reads how the scheduler split them.
    const pinned = availableParallelism() >= 2 && pin(hearth.pid!, 0) && pin(bare.pid!, 0) && pin(process.pid, 1);
    log(pinned ? 'servers pinned to CPU 0, load generator to CPU 1' : 'not pinned (taskset missing or one CPU): figures are noisier');

    const [hearthPage, barePage] = await Promise.all([fetch(hearthUrl).then((r) => r.text()), fetch(bareUrl).then((r) => r.text())]);
    for (const [name, html] of [['hearth', hearthPage], ['bare', barePage]] as const) {
      const cards = html.split('class="post card"').length - 1;
      if (cards !== 50) throw new Error(`the ${name} home page shows ${cards} posts, not 50`);
    }
    figure('home_page_bytes_hearth', Buffer.byteLength(hearthPage), 'bytes');
    figure('home_page_bytes_bare', Buffer.byteLength(barePage), 'bytes');

    log(`warm-up: ${WARM_UP} s each`);
    await load(bareUrl, bare.pid!, WARM_UP);
    await load(hearthUrl, hearth.pid!, WARM_UP);

    const bareRuns: Run[] = [];
    const hearthRuns: Run[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so a slow drift in the machine favours neither.
      const order = round % 2 ? (['hearth', 'bare'] as const) : (['bare', 'hearth'] as const);
      const got: Partial<Record<'bare' | 'hearth', Run>> = {};
      for (const side of order) got[side] = side === 'bare' ? await load(bareUrl, bare.pid!, SECONDS) : await load(hearthUrl, hearth.pid!, SECONDS);
      bareRuns.push(got.bare!);
      hearthRuns.push(got.hearth!);
      ratios.push(got.hearth!.rps / got.bare!.rps);
      cpuRatios.push(got.bare!.cpuPerRequest / got.hearth!.cpuPerRequest);
      log(
        `round ${round + 1}/${ROUNDS}: bare ${Math.round(got.bare!.rps)} req/s ${got.bare!.cpuPerRequest.toFixed(3)} ms CPU/req, ` +
          `hearth ${Math.round(got.hearth!.rps)} req/s ${got.hearth!.cpuPerRequest.toFixed(3)} ms CPU/req, cost ratio ${cpuRatios.at(-1)!.toFixed(3)}, req/s ratio ${ratios.at(-1)!.toFixed(3)}`,
      );
    }
    spread('home_page_hearth', hearthRuns.map((r) => r.rps), 'req/s', 0);
    spread('home_page_bare', bareRuns.map((r) => r.rps), 'req/s', 0);
    spread('home_page_ratio', cpuRatios, 'ratio', 2);
    spread('home_page_rps_ratio', ratios, 'ratio', 2);
    figure('home_page_hearth_cpu_per_request', median(hearthRuns.map((r) => r.cpuPerRequest)).toFixed(3), 'ms');
    figure('home_page_bare_cpu_per_request', median(bareRuns.map((r) => r.cpuPerRequest)).toFixed(3), 'ms');
    figure('home_page_hearth_p50', median(hearthRuns.map((r) => r.p50)).toFixed(1), 'ms');
    figure('home_page_hearth_p99', median(hearthRuns.map((r) => r.p99)).toFixed(1), 'ms');
    figure('home_page_bare_p50', median(bareRuns.map((r) => r.p50)).toFixed(1), 'ms');
    figure('home_page_bare_p99', median(bareRuns.map((r) => r.p99)).toFixed(1), 'ms');
    figure('rss_after_load', rssMb(hearth.pid!), 'MB');
  } finally {
    await stopAll(children);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
