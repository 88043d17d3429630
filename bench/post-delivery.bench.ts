/**
 * Deliveries from a post: a member posts in the community's space, which has 1,000
 * remote followers on 1,000 loopback inboxes (a separate process). Measured from the
 * member's post to the last delivery acknowledged: the Group's Announce is built from the
 * domain event, addressed through apex (followers read from the SQLite store), queued,
 * and sent by the delivery worker (sign, POST, delete). Beside it, the ceiling measured in
 * the same run: bare sign + POST of the same body to the same inboxes at the same
 * concurrency. Target: >= 400 deliveries/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHearth } from '../src/app.js';
import { defaultConfig } from '../src/config.js';
import { logger } from '../src/core/logger.js';
import { bareSignAndPost, startInboxes } from './lib/inboxes.js';

const FOLLOWERS = 1000;
const CONCURRENCY = 32;
const figure = (name: string, value: number | string, unit: string) => process.stdout.write(`${name}: ${value} ${unit}\n`);
const log = (m: string) => process.stderr.write(`${m}\n`);
logger.setLevel('warn');

const dir = mkdtempSync(path.join(tmpdir(), 'hearth-post-delivery-bench-'));
const inboxes = await startInboxes(FOLLOWERS);
try {
  const config = defaultConfig({
    server: { data_dir: dir, url: 'https://hearth.example' },
    federation: { allow_private_addresses: true, delivery_concurrency: CONCURRENCY, delivery_per_host: 4 },
  });
  const hearth = await createHearth(config);
  const fed = hearth.federation!;
  const ana = await hearth.services.members.create({ handle: 'ana', password: 'bench password 1', role: 'owner' });
  const general = await hearth.services.spaces.getVisible(null, 'general');
  const group = await fed.actors.community();

  // 1,000 followers, each its own server (no shared inbox), already known to the store.
  log(`following the community from ${FOLLOWERS} loopback servers`);
  for (const [i, inbox] of inboxes.urls.entries()) {
    const id = inbox.replace(/\/inbox$/, `/users/f${i}`);
    await fed.apex.store.saveObject({ id, type: 'Person', preferredUsername: [`f${i}`], inbox: [inbox] });
    await fed.apex.store.saveActivity({ id: `${id}#follow`, type: 'Follow', actor: [id], object: [group.id], _meta: { collection: [group.followers[0]] } });
  }

  const queued = async () => Number((await hearth.database.db.selectFrom('ap_delivery_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  fed.start();
  // Warm-up: one post through the whole path (JIT, sockets, prepared statements).
  await hearth.services.posts.createThread(ana, general, { body: 'Warm-up' });
  await fed.publisher.idle();
  while ((await queued()) > 0) await new Promise((r) => setTimeout(r, 5));

  const started = process.hrtime.bigint();
  await hearth.services.posts.createThread(ana, general, { title: 'Fresh beans', body: 'The new Ethiopian roast is in. #coffee' });
  await fed.publisher.idle();
  const queuedAfterPost = await queued();
  while ((await queued()) > 0) await new Promise((r) => setTimeout(r, 2));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const failed = await hearth.database.db.selectFrom('ap_delivery_queue').select('last_error').where('failed_ms', 'is not', null).execute();
  if (queuedAfterPost !== FOLLOWERS) throw new Error(`the post queued ${queuedAfterPost} deliveries, expected ${FOLLOWERS}`);
  if (failed.length) throw new Error(`${failed.length} deliveries failed: ${failed[0]!.last_error}`);

  // The ceiling: the same Announce body, signed with the Group's key, sent bare.
  const sample = (await hearth.database.db.selectFrom('ap_streams').select('doc').where('type', '=', 'Announce').orderBy('seq', 'desc').executeTakeFirstOrThrow()).doc;
  const body = JSON.stringify(await fed.apex.toJSONLD(JSON.parse(sample)));
  const bareRate = await bareSignAndPost(inboxes.urls, body, group.id, group._meta.privateKey, CONCURRENCY);
  const got = await inboxes.received();
  if (got !== 3 * FOLLOWERS) throw new Error(`inboxes received ${got} deliveries, expected ${3 * FOLLOWERS}`);
  await hearth.close();
  const rate = FOLLOWERS / seconds;
  figure('post_delivery_hearth', Math.round(rate), 'deliveries/s');
  figure('post_delivery_bare_sign_post', Math.round(bareRate), 'deliveries/s');
  figure('post_delivery_ratio', (rate / bareRate).toFixed(2), 'ratio');
  figure('post_to_last_delivery', (seconds * 1000).toFixed(0), 'ms');
} finally {
  inboxes.child.kill();
  rmSync(dir, { recursive: true, force: true });
}
