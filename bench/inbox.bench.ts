/**
 * Inbound federation: signed activities (alternating Likes of our posts and replies to
 * them, from 100 remote actors whose keys are already cached) POSTed to Hearth's shared
 * inbox, each verified, stored and applied; beside the ceiling measured in the same run:
 * a bare node:http server that only verifies the signature. Both servers run in their
 * own process; this process only sends pre-signed requests. Target: >= 500 activities/s.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHearth } from '../src/app.js';
import { defaultConfig } from '../src/config.js';
import { logger } from '../src/core/logger.js';
import { signRequest } from '../src/federation/http-signatures.js';
import type { SqlStats } from '../src/db/sql-stats.js';

const ACTORS = 100;
const POSTS = 30;
const ACTIVITIES = Number(process.env.BENCH_ACTIVITIES ?? 3000);
const CONCURRENCY = 16;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const figure = (name: string, value: number | string, unit: string) => process.stdout.write(`${name}: ${value} ${unit}\n`);
const log = (m: string) => process.stderr.write(`${m}\n`);
logger.setLevel('error');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const REMOTE = 'https://remote.example';
const actors = Array.from({ length: ACTORS }, (_, i) => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const id = `${REMOTE}/users/u${i}`;
  return {
    id,
    keyId: `${id}#main-key`,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
});

/** A Hearth data directory with a member, posts, and the remote actors already known. */
async function prepare(dir: string, url: string, port: number): Promise<number[]> {
  const config = defaultConfig({ server: { data_dir: dir, url, port }, federation: { allow_private_addresses: true } });
  const hearth = await createHearth(config);
  const ana = await hearth.services.members.create({ handle: 'ana', password: 'bench password 1', role: 'owner' });
  const general = await hearth.services.spaces.getVisible(null, 'general');
  const ids: number[] = [];
  for (let i = 0; i < POSTS; i++) ids.push((await hearth.services.posts.createThread(ana, general, { body: `Post ${i}` })).id);
  const apex = hearth.federation!.apex;
  for (const a of actors) {
    const doc = await apex.fromJSONLD({
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
      id: a.id, type: 'Person', preferredUsername: a.id.split('/').pop(), inbox: `${a.id}/inbox`,
      publicKey: { id: a.keyId, owner: a.id, publicKeyPem: a.publicKeyPem },
    });
    await apex.store.saveObject(doc);
  }
  await hearth.close();
  return ids;
}

function activity(i: number, base: string, postIds: number[]): { actor: (typeof actors)[number]; body: string } {
  const actor = actors[i % ACTORS]!;
  const post = `${base}/p/${postIds[Math.floor(i / ACTORS) % postIds.length]}`;
  const body =
    i % 2 === 0
      ? { '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor.id}#likes/${i}`, type: 'Like', actor: actor.id, object: post }
      : {
          '@context': 'https://www.w3.org/ns/activitystreams', id: `${REMOTE}/statuses/${i}/activity`, type: 'Create', actor: actor.id,
          to: ['https://www.w3.org/ns/activitystreams#Public'],
          object: { id: `${REMOTE}/statuses/${i}`, type: 'Note', attributedTo: actor.id, inReplyTo: post, content: `<p>Reply number ${i}, <b>nice</b> ride!</p>`, published: new Date().toISOString(), to: ['https://www.w3.org/ns/activitystreams#Public'] },
        };
  return { actor, body: JSON.stringify(body) };
}

async function load(url: string, base: string, postIds: number[], count = ACTIVITIES, offset = 0): Promise<number> {
  const requests = Array.from({ length: count }, (_, n) => {
    const { actor, body } = activity(n + offset, base, postIds);
    const headers = signRequest({ method: 'POST', url, body, keyId: actor.keyId, privateKeyPem: actor.privateKeyPem, headers: { 'content-type': 'application/activity+json' } });
    return { headers, body };
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  const one = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers: r.headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(r.body);
      });
      if (status !== 202) failures++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, one));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  if (failures) throw new Error(`${failures} of ${requests.length} requests to ${url} were not accepted`);
  return requests.length / seconds;
}

const waitForLine = (child: ChildProcess, match: RegExp) =>
  new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = match.exec(seen);
      if (m) resolve(m[1] ?? m[0]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready: ${seen}`)));
  });

/**
 * Hearth's SQL counts (HEARTH_SQL_STATS, src/db/sql-stats.ts), once they hold still: the
 * work an activity leaves for after its answer (awards, notifications) is counted with it.
 */
async function settledStats(child: ChildProcess, file: string): Promise<SqlStats> {
  const read = async (): Promise<SqlStats> => {
    rmSync(file, { force: true });
    child.kill('SIGUSR2');
    for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    return JSON.parse(readFileSync(file, 'utf8')) as SqlStats;
  };
  let last = await read();
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await read();
    if (now.statements === last.statements) return now;
    last = now;
  }
}

/** The statements run per activity between two readings, most frequent first (to stderr). */
function perActivity(before: SqlStats, after: SqlStats, activities: number): string[] {
  return Object.entries(after.bySql)
    .map(([sql, n]) => [sql, (n - (before.bySql[sql] ?? 0)) / activities] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([sql, n]) => `${n.toFixed(2).padStart(6)}  ${sql.length > 160 ? `${sql.slice(0, 157)}...` : sql}`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'hearth-inbox-bench-'));
const children: ChildProcess[] = [];
try {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const postIds = await prepare(dir, base, port);
  const statsFile = path.join(dir, 'sql-stats.json');
  const hearth = spawn(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []), path.join(root, 'dist', 'src', 'main.js'), 'serve'], {
    cwd: root,
    env: { ...process.env, HEARTH_SQL_STATS: statsFile, HEARTH_SERVER_DATA_DIR: dir, HEARTH_SERVER_URL: base, HEARTH_SERVER_PORT: String(port), HEARTH_FEDERATION_ALLOW_PRIVATE_ADDRESSES: 'true', HEARTH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(hearth);
  await waitForLine(hearth, /is serving/);
  const bare = fork(path.join(here, 'bare', 'inbox-server.ts'), [JSON.stringify(actors.map((a) => [a.keyId, a.publicKeyPem]))], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.push(bare);
  const barePort = await waitForLine(bare, /^(\d+)\n/);
  const bareUrl = `http://127.0.0.1:${barePort}/inbox`;
  log(`warming up (${ACTIVITIES} activities each side)`);
  await load(bareUrl, base, postIds);
  await load(`${base}/inbox`, base, postIds, 600, 1_000_000);
  const bareRate = await load(bareUrl, base, postIds);
  const before = await settledStats(hearth, statsFile);
  const hearthRate = await load(`${base}/inbox`, base, postIds);
  const after = await settledStats(hearth, statsFile);
  log(`SQL statements per activity (half Likes, half replies):\n${perActivity(before, after, ACTIVITIES).join('\n')}`);
  figure('inbox_hearth', Math.round(hearthRate), 'activities/s');
  figure('inbox_sql_statements_per_activity', ((after.statements - before.statements) / ACTIVITIES).toFixed(1), 'statements');
  figure('inbox_commits_per_activity', ((after.commits - before.commits) / ACTIVITIES).toFixed(2), 'commits');
  figure('inbox_bare_verify', Math.round(bareRate), 'activities/s');
  figure('inbox_ratio', (hearthRate / bareRate).toFixed(2), 'ratio');
} finally {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
}
