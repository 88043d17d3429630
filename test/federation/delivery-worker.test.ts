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
import { ActorKeys } from '../../src/federation/store/actor-keys.js';
import { SqliteApexStore } from '../../src/federation/store/apex-store.js';
import { DeliveryQueue } from '../../src/federation/store/delivery-queue.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ACTOR = 'https://hearth.example/@ana';
/** Public keys the inbox accepts, by key id; the actor's key by default. */
const KNOWN_KEYS = new Map<string, string>();

/** A remote inbox on 127.0.0.1 that verifies signatures and answers as told. */
async function remoteInbox(answer: (n: number) => number | 'hang' = () => 202, holdMs = 0) {
  const received: { body: string; owner: string; keyId: string }[] = [];
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
        const { owner, keyId } = await verifyRequest({ method: req.method!, path: req.url!, headers: req.headers, body }, async (id) =>
          KNOWN_KEYS.has(id) ? { owner: ACTOR, publicKeyPem: KNOWN_KEYS.get(id)! } : null,
        );
        if (status < 300) received.push({ body: body.toString(), owner, keyId });
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
  let store: SqliteApexStore;
  const rows = () => database.db.selectFrom('ap_delivery_queue').selectAll().execute();
  const worker = (opts: Partial<DeliveryWorkerOptions> = {}) =>
    new DeliveryWorker(queue, new ActorKeys(database.db), new SafeFetcher({ allowPrivateAddresses: true, timeoutMs: 5000 }), { concurrency: 4, perHost: 2, pollMs: 20, ...opts });
  /** The actor as ActorDirectory stores it: the public key in the document, the private one in `_meta`. */
  const actorDoc = (publicKeyPem: string, privateKeyPem: string) => ({
    id: ACTOR,
    type: 'Person',
    publicKey: [{ id: `${ACTOR}#main-key`, owner: [ACTOR], publicKeyPem: [publicKeyPem] }],
    _meta: { privateKey: privateKeyPem },
  });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-delivery-'));
    database = openDatabase(path.join(dir, 'q.sqlite'));
    await migrateToLatest(database.db);
    queue = new DeliveryQueue(database.db);
    store = new SqliteApexStore(database.db);
    await store.saveObject(actorDoc(PUBLIC, PRIVATE));
    KNOWN_KEYS.clear();
    KNOWN_KEYS.set(`${ACTOR}#main-key`, PUBLIC);
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs and delivers each queued activity once, then forgets it', async () => {
    const inbox = await remoteInbox();
    const w = worker();
    await queue.enqueue(ACTOR, '{"type":"Create","n":1}', [inbox.url, inbox.url]); // duplicate address: once
    await queue.enqueue(ACTOR, '{"type":"Create","n":2}', inbox.url);
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
    for (let i = 0; i < 8; i++) await queue.enqueue(ACTOR, `{"n":${i}}`, [slow.url, other.url]);
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
    await queue.enqueue(ACTOR, '{"n":"retry"}', inbox.url, now);
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
    await queue.enqueue(ACTOR, '{"n":"lost"}', down.url, now);
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
    await queue.enqueue(ACTOR, '{}', gone.url);
    const w = worker();
    w.start();
    await until(async () => (await rows())[0]?.failed_ms != null);
    await w.stop();
    gone.close();
    expect((await rows())[0]).to.include({ last_status: 410, last_error: 'HTTP 410: the server refused it' });
  });

  it('keeps no key in the queue, and signs with the key the actor has when sending (a replaced key is used)', async () => {
    const inbox = await remoteInbox();
    await queue.enqueue(ACTOR, '{"n":"a"}', inbox.url);
    await store.deliveryEnqueue(ACTOR, '{"n":"b"}', [inbox.url], PRIVATE); // apex hands over the key: not kept
    await store.deliveryRequeue({ address: inbox.url, actorId: ACTOR, signingKey: PRIVATE, body: '{"n":"c"}', attempt: 0, after: new Date() });
    const queued = JSON.stringify(await rows());
    expect(queued).not.to.include('PRIVATE KEY');
    expect(queued).not.to.include(PRIVATE.split('\n')[1]);
    // The actor's key is replaced while its deliveries wait: only the new one verifies now.
    const next = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const nextPublic = next.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await store.updateObject(actorDoc(nextPublic, next.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), ACTOR, true);
    KNOWN_KEYS.set(`${ACTOR}#main-key`, nextPublic);
    const w = worker();
    w.start();
    await until(async () => (await rows()).every((r) => r.failed_ms !== null));
    await w.stop();
    inbox.close();
    expect(await rows()).to.deep.equal([]);
    expect(inbox.received.map((r) => JSON.parse(r.body).n).sort()).to.deep.equal(['a', 'b', 'c']);
    expect(inbox.received.every((r) => r.keyId === `${ACTOR}#main-key`)).to.equal(true);
  });

  it('gives up at once, saying why, on a delivery from an actor with no key here (unknown, or not ours)', async () => {
    const inbox = await remoteInbox();
    const stranger = 'https://elsewhere.example/users/bob';
    await store.saveObject({ id: stranger, type: 'Person', inbox: [`${stranger}/inbox`] }); // a remote actor: no private key
    await queue.enqueue(stranger, '{"n":1}', inbox.url);
    await queue.enqueue('https://hearth.example/@nobody', '{"n":2}', inbox.url);
    const w = worker();
    w.start();
    await until(async () => (await rows()).every((r) => r.failed_ms !== null));
    await w.stop();
    inbox.close();
    expect(inbox.stats().count).to.equal(0);
    expect((await rows()).map((r) => r.last_error).sort()).to.deep.equal([
      'no signing key for https://elsewhere.example/users/bob',
      'no signing key for https://hearth.example/@nobody',
    ]);
  });

  it('survives a kill: deliveries taken by a dead process go out after restart', async () => {
    let hanging = true;
    const inbox = await remoteInbox(() => (hanging ? 'hang' : 202));
    for (let i = 0; i < 5; i++) await queue.enqueue(ACTOR, `{"n":${i}}`, inbox.url);
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
