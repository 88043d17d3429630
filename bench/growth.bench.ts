/**
 * How page times grow with the community: the same pages measured on communities of
 * 10,000, 100,000 and 1,000,000 posts (members = posts/50, reactions = posts/2, awards,
 * achievements and notifications in proportion: bench/seed.ts), each page's p50 and p95,
 * and its growth factor (p50 at the largest size / p50 at the smallest). Target (issue 14):
 * no page grows more than ×2, and every p95 at 1M posts is under 100 ms.
 *
 * The databases are built once and cached (bench/lib/growth-db.ts); each size runs
 * Hearth from dist/ on a fresh copy (all sizes at once), signs one member in through the
 * login form, checks every page answers 200 with what it should show, then loads it with
 * autocannon (4 connections, a warm-up, then 3 rounds across the sizes; median of the
 * runs' p50 and p95). A page too slow
 * to answer 12 times in a run is measured on 12 answers instead.
 *
 * BENCH_SECONDS: seconds per measured run (default 3). BENCH_SIZES: comma-separated post
 * counts (default 10000,100000,1000000).
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import autocannon from 'autocannon';
import { SEED_PASSWORD, type SeededCommunity } from './seed.js';
import { dataDirWith, growthDatabase } from './lib/growth-db.js';
import { figure, log, startHearth, stopAll } from './lib/hearth-process.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 4;
const RUNS = 3;

interface Page {
  name: string;
  path: (c: SeededCommunity) => string;
  signedIn?: boolean;
  /** What the page must show: a pattern and how many times at least (exactly, with `exact`). */
  shows: { pattern: RegExp; count: number; exact?: boolean };
}

const PAGES: Page[] = [
  { name: 'home', path: () => '/', shows: { pattern: /class="post card"/g, count: 50, exact: true } },
  { name: 'space', path: (c) => `/s/${c.spaceSlug}`, shows: { pattern: /class="post card"/g, count: 50, exact: true } },
  { name: 'thread_20', path: (c) => `/p/${c.smallThread}`, shows: { pattern: /<li class="depth-/g, count: 20, exact: true } },
  { name: 'thread_2000', path: (c) => `/p/${c.bigThread}`, shows: { pattern: /<li class="depth-/g, count: 50 } },
  { name: 'member', path: (c) => `/@${c.typicalHandle}`, shows: { pattern: /class="post card"/g, count: 10 } },
  { name: 'wallet', path: () => '/wallet', signedIn: true, shows: { pattern: /<tr>/g, count: 20 } },
  { name: 'leaderboard_week', path: () => '/leaderboard?period=week', shows: { pattern: /<tr>/g, count: 10 } },
  { name: 'leaderboard_all', path: () => '/leaderboard?period=all', shows: { pattern: /<tr>/g, count: 10 } },
  { name: 'notifications', path: () => '/notifications', signedIn: true, shows: { pattern: /class="member-row/g, count: 10 } },
  { name: 'events', path: () => '/events', shows: { pattern: /Cupping session/g, count: 1 } },
];

/** Signs in through the login form, as a browser does; answers the Cookie header to send. */
async function signIn(base: string, handle: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${base}login`);
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the login page');
  const r = await fetch(`${base}login`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ _csrf: csrf, handle, password: SEED_PASSWORD }),
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
  });
  keep(r);
  if (r.status !== 303) throw new Error(`signing in as ${handle} answered ${r.status}`);
  return cookie();
}

/** One autocannon run; p50 and p95 from every response's own latency (autocannon's summary has no p95). */
function load(url: string, headers: Record<string, string>, duration: number): Promise<{ p50: number; p95: number; n: number }> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const run = autocannon({ url, connections: CONNECTIONS, duration, headers, ...(duration === 0 ? { amount: 3 * CONNECTIONS } : {}) }, (err, result) => {
      if (err) return reject(err);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`));
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
      resolve({ p50: at(0.5), p95: at(0.95), n: times.length });
    });
    run.on('response', (_client, _status, _bytes, ms) => times.push(ms));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => (x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en'));

type Figures = Map<string, { p50: number; p95: number }>;

interface Site {
  posts: number;
  community: SeededCommunity;
  dataDir: string;
  child: ChildProcess;
  url: string;
  cookie: string;
}

/** Hearth on a fresh copy of the cached database of `posts` posts, with a member signed in. */
async function startSite(posts: number, children: ChildProcess[], dirs: string[]): Promise<Site> {
  const { file, community } = await growthDatabase(posts);
  const t0 = Date.now();
  const dataDir = dataDirWith(file);
  dirs.push(dataDir);
  log(`${posts} posts: copied the database in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const { child, url } = await startHearth(dataDir);
  children.push(child);
  return { posts, community, dataDir, child, url, cookie: await signIn(url, community.typicalHandle) };
}

/** Answers 200 with what the page must show, or throws. */
async function check(site: Site, page: Page, target: string, headers: Record<string, string>): Promise<void> {
  const r = await fetch(target, { headers, redirect: 'manual' });
  const html = await r.text();
  const n = html.match(page.shows.pattern)?.length ?? 0;
  if (r.status !== 200) throw new Error(`${site.posts} posts: ${page.name} (${target}) answered ${r.status}`);
  if (page.shows.exact ? n !== page.shows.count : n < page.shows.count) {
    throw new Error(`${site.posts} posts: ${page.name} (${target}) shows ${page.shows.pattern} ${n} times, not ${page.shows.exact ? '' : 'at least '}${page.shows.count}`);
  }
}

/**
 * Every size runs at once, each its own Hearth, and each page is measured round by round
 * across the sizes (10k, 100k, 1M, 10k, ...), so a change in the machine's load falls on
 * every size alike instead of on whichever size was running then.
 */
async function measure(sites: Site[]): Promise<Map<number, Figures>> {
  const bySize = new Map<number, Figures>(sites.map((s) => [s.posts, new Map()]));
  for (const page of PAGES) {
    const runs = new Map<Site, { p50: number; p95: number }[]>(sites.map((s) => [s, []]));
    const target = (site: Site) => new URL(page.path(site.community), site.url).href;
    const headers = (site: Site): Record<string, string> => (page.signedIn ? { cookie: site.cookie } : {});
    for (const site of sites) {
      await check(site, page, target(site), headers(site));
      await load(target(site), headers(site), 1); // warm-up: JIT, SQLite's page cache
    }
    for (let i = 0; i < RUNS; i++) {
      for (const site of sites) {
        const run = await load(target(site), headers(site), SECONDS);
        // A page slower than the run (seconds per answer) is measured on a fixed number of answers instead.
        runs.get(site)!.push(run.n >= 3 * CONNECTIONS ? run : await load(target(site), headers(site), 0));
      }
    }
    for (const site of sites) {
      const r = runs.get(site)!;
      const m = { p50: median(r.map((x) => x.p50)), p95: median(r.map((x) => x.p95)) };
      bySize.get(site.posts)!.set(page.name, m);
      log(`${site.posts} posts: ${page.name} p50 ${ms(m.p50)} ms, p95 ${ms(m.p95)} ms`);
      figure(`growth_${page.name}_p50_${site.posts}`, m.p50.toFixed(1), 'ms');
      figure(`growth_${page.name}_p95_${site.posts}`, m.p95.toFixed(1), 'ms');
    }
  }
  return bySize;
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  let bySize: Map<number, Figures>;
  try {
    const sites = [];
    for (const posts of SIZES) sites.push(await startSite(posts, children, dirs));
    bySize = await measure(sites);
  } finally {
    await stopAll(children);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const small = bySize.get(SIZES[0]!)!;
  const large = bySize.get(SIZES.at(-1)!)!;
  const rows = [['page', ...SIZES.map((s) => `${s.toLocaleString('en')} posts`), 'growth (p50)']];
  for (const page of PAGES) {
    const factor = large.get(page.name)!.p50 / small.get(page.name)!.p50;
    if (SIZES.length > 1) figure(`growth_${page.name}_factor`, factor.toFixed(2), 'ratio');
    rows.push([page.name, ...SIZES.map((s) => `${ms(bySize.get(s)!.get(page.name)!.p50)} / ${ms(bySize.get(s)!.get(page.name)!.p95)}`), `×${factor.toFixed(1)}`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  log('\np50 / p95 in ms');
  for (const r of rows) log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}

main().catch((err) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
