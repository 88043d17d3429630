/**
 * Outbound delivery: one activity to 1,000 followers on 1,000 loopback inboxes (separate
 * process), drained from the SQLite queue by DeliveryWorker (lease, sign, SafeFetcher POST,
 * delete), beside its ceiling measured in the same run: bare sign + POST with the same
 * concurrency and no queue. Target: >= 400 deliveries/s.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { logger } from '../src/core/logger.js';
import { DeliveryWorker } from '../src/federation/delivery/delivery-worker.js';
import { bareSignAndPost, startInboxes } from './lib/inboxes.js';
import { SafeFetcher } from '../src/federation/safe-fetch.js';
import { ActorKeys } from '../src/federation/store/actor-keys.js';
import { SqliteApexStore } from '../src/federation/store/apex-store.js';
import { DeliveryQueue } from '../src/federation/store/delivery-queue.js';

const FOLLOWERS = 1000;
const CONCURRENCY = 32;
const figure = (name: string, value: number | string, unit: string) => process.stdout.write(`${name}: ${value} ${unit}\n`);
logger.setLevel('warn');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ACTOR = 'https://hearth.example/@ana';
const body = JSON.stringify({
  '@context': 'https://www.w3.org/ns/activitystreams',
  id: 'https://hearth.example/s/1', type: 'Announce', actor: 'https://hearth.example/s/general',
  object: { id: 'https://hearth.example/p/1', type: 'Note', content: '<p>Fresh beans are in.</p>' },
});

async function worker(urls: string[], dir: string): Promise<number> {
  const database = openDatabase(path.join(dir, 'queue.sqlite'));
  await migrateToLatest(database.db);
  // The actor's key lives in its stored document, where the worker looks it up.
  await new SqliteApexStore(database.db).saveObject({ id: ACTOR, type: 'Person', _meta: { privateKey: KEY } });
  const queue = new DeliveryQueue(database.db);
  await queue.enqueue(ACTOR, body, urls);
  const w = new DeliveryWorker(queue, new ActorKeys(database.db), new SafeFetcher({ allowPrivateAddresses: true }), { concurrency: CONCURRENCY, perHost: 4, pollMs: 5 });
  const started = process.hrtime.bigint();
  w.start();
  for (;;) {
    const left = await database.db.selectFrom('ap_delivery_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(left.n) === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await w.stop();
  await database.close();
  return urls.length / seconds;
}

const dir = mkdtempSync(path.join(tmpdir(), 'hearth-delivery-bench-'));
const inboxes = await startInboxes(FOLLOWERS);
try {
  await bareSignAndPost(inboxes.urls.slice(0, 200), body, ACTOR, KEY, CONCURRENCY); // warm-up: JIT, sockets
  const bareRate = await bareSignAndPost(inboxes.urls, body, ACTOR, KEY, CONCURRENCY);
  const workerRate = await worker(inboxes.urls, dir);
  const got = await inboxes.received();
  if (got !== 200 + 2 * FOLLOWERS) throw new Error(`inboxes received ${got} deliveries, expected ${200 + 2 * FOLLOWERS}`);
  figure('delivery_worker', Math.round(workerRate), 'deliveries/s');
  figure('delivery_bare_sign_post', Math.round(bareRate), 'deliveries/s');
  figure('delivery_ratio', (workerRate / bareRate).toFixed(2), 'ratio');
} finally {
  inboxes.child.kill();
  rmSync(dir, { recursive: true, force: true });
}
