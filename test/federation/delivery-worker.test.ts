import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type OpenDatabase, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../src/federation/delivery/delivery-worker.js';
import { verifyRequest } from '../../src/federation/http-signatures.js';
import { SafeFetcher } from '../../src/federation/safe-fetch.js';
import { DeliveryQueue } from '../../src/federation/store/delivery-queue.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ACTOR = 'https://hearth.example/@ana';

/** A remote inbox on 127.0.0.1 that verifies signatures and answers as told. */
async function remoteInbox(answer: (n: number) => number | 'hang' = () => 202, holdMs = 0) {
  const received: { body: string; owner: string }[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const body = Buffer.concat(chunks);
      const status = answer(++count);
      if (status === 'hang') return; // never answers
      await new Promise((r) => setTimeout(r, holdMs));
      try {
        const { owner } = await verifyRequest({ method: req.method!, path: req.url!, headers: req.headers, body }, async () => ({ owner: ACTOR, publicKeyPem: PUBLIC }));
        if (status < 300) received.push({ body: body.toString(), owner });
        res.writeHead(status).end();
      } catch {
        res.writeHead(401).end();
      } finally {
        concurrent--;
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`;
  return {
    url,
    received,
    stats: () => ({ maxConcurrent, count }),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const until = async (check: () => Promise<boolean> | boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the delivery worker', function () {
  this.timeout(30_000);
  let dir: string;
  let database: OpenDatabase;
  let queue: DeliveryQueue;
  const rows = () => database.db.selectFrom('ap_delivery_queue').selectAll().execute();
  const worker = (opts: Partial<DeliveryWorkerOptions> = {}) =>
    new DeliveryWorker(queue, new SafeFetcher({ allowPrivateAddresses: true, timeoutMs: 5000 }), { concurrency: 4, perHost: 2, pollMs: 20, ...opts });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-delivery-'));
    database = openDatabase(path.join(dir, 'q.sqlite'));
    await migrateToLatest(database.db);
    queue = new DeliveryQueue(database.db);
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs and delivers each queued activity once, then forgets it', async () => {
    const inbox = await remoteInbox();
    const w = worker();
    await queue.enqueue(ACTOR, '{"type":"Create","n":1}', [inbox.url, inbox.url], PRIVATE); // duplicate address: once
    await queue.enqueue(ACTOR, '{"type":"Create","n":2}', inbox.url, PRIVATE);
    w.start();
    await until(async () => (await rows()).length === 0);
    await w.stop();
    inbox.close();
    expect(inbox.received.map((r) => JSON.parse(r.body).n).sort()).to.deep.equal([1, 2]);
    expect(inbox.received.every((r) => r.owner === ACTOR)).to.equal(true);
  });

  it('keeps to its concurrency and to the per-host limit', async () => {
    const slow = await remoteInbox(() => 202, 100);
    const other = await remoteInbox(() => 202, 100);
    for (let i = 0; i < 8; i++) await queue.enqueue(ACTOR, `{"n":${i}}`, [slow.url, other.url], PRIVATE);
    const w = worker({ concurrency: 3, perHost: 2 });
    w.start();
    await until(async () => (await rows()).length === 0);
    await w.stop();
    slow.close();
    other.close();
    expect(slow.received).to.have.length(8);
    expect(other.received).to.have.length(8);
    expect(slow.stats().maxConcurrent).to.be.at.most(2);
    expect(other.stats().maxConcurrent).to.be.at.most(2);
    expect(slow.stats().maxConcurrent + other.stats().maxConcurrent).to.be.at.least(3);
  });

  it('retries server errors with growing delays, and gives up after the limit, saying why', async () => {
    let now = 1_000_000;
    const inbox = await remoteInbox((n) => (n <= 2 ? 503 : 202));
    await queue.enqueue(ACTOR, '{"n":"retry"}', inbox.url, PRIVATE, now);
    const w = worker({ now: () => now, baseDelayMs: 60_000 });
    w.start();
    await until(async () => (await rows())[0]?.attempt === 1);
    expect((await rows())[0]).to.include({ after_ms: now + 60_000, last_status: 503, last_error: 'HTTP 503' });
    now += 60_000;
    w.wake();
    await until(async () => (await rows())[0]?.attempt === 2);
    expect((await rows())[0]!.after_ms).to.equal(now + 120_000); // doubled
    now += 120_000;
    w.wake();
    await until(async () => (await rows()).length === 0);
    expect(inbox.received).to.have.length(1);

    const down = await remoteInbox(() => 500);
    await queue.enqueue(ACTOR, '{"n":"lost"}', down.url, PRIVATE, now);
    now += 48 * 3600_000; // two days of failures later
    w.wake();
    await until(async () => (await rows())[0]?.failed_ms !== null && (await rows()).length === 1);
    const [failed] = await rows();
    expect(failed!.last_error).to.match(/^gave up after 1 attempts: HTTP 500/);
    await w.stop();
    inbox.close();
    down.close();
  });

  it('gives up at once on a refusal (410 Gone) and records the status', async () => {
    const gone = await remoteInbox(() => 410);
    await queue.enqueue(ACTOR, '{}', gone.url, PRIVATE);
    const w = worker();
    w.start();
    await until(async () => (await rows())[0]?.failed_ms != null);
    await w.stop();
    gone.close();
    expect((await rows())[0]).to.include({ last_status: 410, last_error: 'HTTP 410: the server refused it' });
  });

  it('survives a kill: deliveries taken by a dead process go out after restart', async () => {
    let hanging = true;
    const inbox = await remoteInbox(() => (hanging ? 'hang' : 202));
    for (let i = 0; i < 5; i++) await queue.enqueue(ACTOR, `{"n":${i}}`, inbox.url, PRIVATE);
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'federation', 'fixtures', 'delivery-child.ts'), path.join(dir, 'q.sqlite'), '1500'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const w = worker();
    try {
      await until(() => inbox.stats().count === 5, 15_000); // all five in flight in the child
      expect((await rows()).every((r) => r.leased_until_ms !== null)).to.equal(true);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      hanging = false;
      w.start();
      await until(async () => (await rows()).length === 0, 15_000);
      expect(inbox.received.map((r) => JSON.parse(r.body).n).sort()).to.deep.equal([0, 1, 2, 3, 4]);
    } finally {
      child.kill('SIGKILL');
      await w.stop();
      inbox.close();
    }
  });
});
