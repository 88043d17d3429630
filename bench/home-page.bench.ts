/**
 * Home page throughput on a real database of 100,000 posts, beside its ceiling: the same
 * page from bare express + better-sqlite3 + nunjucks (bench/bare/server.mjs), measured in
 * the same run with the same load. Also Hearth's idle resident memory after start-up.
 *
 * Both servers run as child processes (Hearth from the compiled dist/, as `npm start` runs
 * it), so the load generator here never shares their event loop, and /proc gives Hearth's
 * own RSS. Runs alternate bare, hearth, bare, hearth and average each side, so drift in the
 * machine (other load, CPU frequency) falls on both alike.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { figure, freePort, log, rssMb, seededDataDir, startHearth, stopAll, waitUntilUp } from './lib/hearth-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POSTS = 100_000;
const CONNECTIONS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/**
 * Resident memory of the idle server: V8 gives back the heap it grew during start-up once
 * it has had no work for several seconds (its memory reducer), so the figure is read after
 * 20 s without a request.
 */
async function idleRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 20_000));
  return rssMb(pid);
}

async function load(url: string): Promise<{ rps: number; p50: number; p99: number }> {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up: JIT, page cache
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers and ${r.errors} errors under load`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
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

    const [hearthPage, barePage] = await Promise.all([fetch(hearthUrl).then((r) => r.text()), fetch(bareUrl).then((r) => r.text())]);
    for (const [name, html] of [['hearth', hearthPage], ['bare', barePage]] as const) {
      const cards = html.split('class="post card"').length - 1;
      if (cards !== 50) throw new Error(`the ${name} home page shows ${cards} posts, not 50`);
    }
    figure('home_page_bytes_hearth', Buffer.byteLength(hearthPage), 'bytes');
    figure('home_page_bytes_bare', Buffer.byteLength(barePage), 'bytes');

    const bareRuns = [];
    const hearthRuns = [];
    for (let round = 0; round < 2; round++) {
      log(`round ${round + 1}: bare`);
      bareRuns.push(await load(bareUrl));
      log(`round ${round + 1}: hearth`);
      hearthRuns.push(await load(hearthUrl));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const hearthRps = mean(hearthRuns.map((r) => r.rps));
    const bareRps = mean(bareRuns.map((r) => r.rps));
    figure('home_page_hearth', Math.round(hearthRps), 'req/s');
    figure('home_page_bare', Math.round(bareRps), 'req/s');
    figure('home_page_ratio', (hearthRps / bareRps).toFixed(2), 'ratio');
    figure('home_page_hearth_p50', mean(hearthRuns.map((r) => r.p50)).toFixed(1), 'ms');
    figure('home_page_hearth_p99', mean(hearthRuns.map((r) => r.p99)).toFixed(1), 'ms');
    figure('home_page_bare_p50', mean(bareRuns.map((r) => r.p50)).toFixed(1), 'ms');
    figure('home_page_bare_p99', mean(bareRuns.map((r) => r.p99)).toFixed(1), 'ms');
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
