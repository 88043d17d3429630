/**
 * The home page while the inbox is flooded: Hearth (from dist/, as `npm start` runs it) on
 * the home page's seeded database of 100,000 posts, its home page loaded as in
 * home-page.bench.ts, first alone and then while 4 senders POST unsigned 1 MB bodies of
 * nested brackets to /inbox as fast as Hearth answers them. An inbox that does work before
 * it knows who is asking (reading, parsing) slows every page; one that refuses on the
 * headers leaves them as they were. Loopback only, bounded in time.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { figure, log, rssMb, seededDataDir, startHearth, stopAll } from './lib/hearth-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SENDERS = 4;
const FLOOD_KB = 1024;

interface Load {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

/** The home page under autocannon (10 connections); timeouts are counted, not fatal: under a flood they are the finding. */
async function load(url: string, duration: number): Promise<Load> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration });
  if (r.non2xx > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers under load`);
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, errors: r.errors + r.timeouts };
}

type FloodReport = { answers: number; statuses: Record<string, number>; errors: number };

function startFlood(inbox: string): Promise<{ child: ChildProcess; stop(): Promise<FloodReport> }> {
  const child = fork(path.join(here, 'flood-senders.mjs'), [inbox, String(SENDERS), String(FLOOD_KB)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve) => {
    child.once('message', () =>
      resolve({
        child,
        stop: () =>
          new Promise((done) => {
            child.once('message', (m) => done(m as FloodReport));
            child.send('stop');
          }),
      }),
    );
  });
}

async function main(): Promise<void> {
  const { dir } = await seededDataDir({ members: 200, posts: 100_000, reactions: 50_000 });
  const children: ChildProcess[] = [];
  try {
    const { child: hearth, url } = await startHearth(dir);
    children.push(hearth);
    const home = await fetch(url).then((r) => r.text());
    const cards = home.split('class="post card"').length - 1;
    if (cards !== 50) throw new Error(`the home page shows ${cards} posts, not 50`);

    await load(url, 2); // warm-up: JIT, page cache
    log('home page alone');
    const alone = await load(url, SECONDS);
    const rssBefore = rssMb(hearth.pid!);

    log(`home page while ${SENDERS} senders flood /inbox with ${FLOOD_KB} KB of brackets`);
    const flood = await startFlood(`${url}inbox`);
    children.push(flood.child);
    let rssPeak = rssMb(hearth.pid!);
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(hearth.pid!))), 200);
    const flooded = await load(url, SECONDS);
    clearInterval(sampler);
    const report = await flood.stop();
    if (report.answers === 0) throw new Error(`the flood got no answer from /inbox (${report.errors} errors): nothing was measured`);

    figure('home_page_p50', alone.p50.toFixed(1), 'ms');
    figure('home_page_p50_under_inbox_flood', flooded.p50.toFixed(1), 'ms');
    figure('home_page_p99', alone.p99.toFixed(1), 'ms');
    figure('home_page_p99_under_inbox_flood', flooded.p99.toFixed(1), 'ms');
    figure('home_page_rps', Math.round(alone.rps), 'req/s');
    figure('home_page_rps_under_inbox_flood', Math.round(flooded.rps), 'req/s');
    figure('home_page_timeouts_under_inbox_flood', flooded.errors, 'requests');
    figure('rss_before_inbox_flood', rssBefore, 'MB');
    figure('rss_under_inbox_flood', rssPeak, 'MB');
    figure('inbox_flood_answers', Math.round(report.answers / SECONDS), 'req/s');
    log(`flood answers by status: ${JSON.stringify(report.statuses)}; connection errors: ${report.errors}`);
  } finally {
    await stopAll(children);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
