import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { MemberRow } from '../../src/community/member.table.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { DeliveryWorker } from '../../src/federation/delivery/delivery-worker.js';
import { verifyRequest } from '../../src/federation/http-signatures.js';
import { SafeFetcher } from '../../src/federation/safe-fetch.js';
import { ActorKeys } from '../../src/federation/store/actor-keys.js';
import { SqliteApexStore } from '../../src/federation/store/apex-store.js';
import { DeliveryQueue } from '../../src/federation/store/delivery-queue.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type Delivery, RemoteServer } from './helpers/remote.js';

const pem = () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
};

/** Verifies a delivery's HTTP Signature with the key its keyId names, fetched as a remote server would. */
async function signerOf(d: Delivery, fetchKey: (keyId: string) => Promise<{ owner: string; publicKeyPem: string } | null>): Promise<string> {
  const { owner } = await verifyRequest({ method: 'POST', path: d.path, headers: d.headers, body: d.raw }, (keyId) => fetchKey(keyId));
  return owner;
}

describe('signing keys and the delivery queue', () => {
  describe('what a Hearth queues', () => {
    let h: ServedHearth;
    let remote: RemoteServer;
    let ana: MemberRow;

    before(async () => {
      h = await serveHearth({ community: { handle: 'bikeshop' } });
      remote = await RemoteServer.start();
      ana = await makeMember(h.hearth, { handle: 'ana', displayName: 'Ana' });
    });
    after(async () => {
      await h.close();
      await remote.close();
    });

    it('holds no private key in any row, from members and groups alike, and the deliveries arrive signed by their actors', async () => {
      const fed = h.hearth.federation!;
      await fed.worker.stop(); // keep the deliveries in the queue to read them
      const maria = remote.actor('maria');
      for (const target of ['ana', 'bikeshop']) {
        await remote.send(maria, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: maria.id, target: `${h.url}/@${target}` }), id: `${maria.id}#follows/${target}` });
      }
      const general = await h.hearth.services.spaces.getVisible(null, 'general');
      await h.hearth.services.posts.createThread(ana, general, { title: 'Winter hours', body: 'Open 10–6.' });
      await h.hearth.services.members.updateProfile(ana.id, { displayName: 'Ana the Mechanic', bio: '' });
      await fed.publisher.idle();

      const rows = await h.hearth.database.db.selectFrom('ap_delivery_queue').selectAll().execute();
      const kinds = rows.map((r) => `${JSON.parse(r.body).type} from ${r.actor_id.slice(h.url.length)}`);
      // Accepts of both follows, the post's Create and its Announce by the Group, the profile's Update.
      expect(kinds).to.include.members(['Accept from /@ana', 'Accept from /@bikeshop', 'Create from /@ana', 'Announce from /@bikeshop', 'Update from /@ana']);
      expect(JSON.stringify(rows)).not.to.match(/PRIVATE KEY|privateKey/);

      fed.worker.start();
      await settle(h);
      expect(remote.received).to.have.length(rows.length);
      const actorKey = async (keyId: string) => {
        const doc: any = await (await fetch(keyId.split('#')[0]!, { headers: { accept: 'application/activity+json' } })).json();
        return doc.publicKey.id === keyId ? { owner: doc.id, publicKeyPem: doc.publicKey.publicKeyPem } : null;
      };
      for (const d of remote.received) expect(await signerOf(d, actorKey)).to.equal(d.body.actor);
    });
  });

  describe('migration 0024', () => {
    it('rewrites queued rows that held a private key: they name the actor, whose current key signs them', async () => {
      const database = openDatabase(':memory:');
      const remote = await RemoteServer.start();
      try {
        const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
        const before = await migrator.migrateTo('0023_stories');
        expect(before.error).to.equal(undefined);
        // Two actors as the store kept them; Ana's key was replaced after her rows were queued.
        const [anaOld, anaNow, group] = [pem(), pem(), pem()];
        const actors = { 'https://hearth.example/@ana': anaNow, 'https://hearth.example/@bikeshop': group };
        const store = new SqliteApexStore(database.db);
        for (const [id, key] of Object.entries(actors)) {
          await store.saveObject({ id, type: 'Person', publicKey: [{ id: `${id}#main-key`, owner: [id], publicKeyPem: [key.publicKeyPem] }], _meta: { privateKey: key.privateKeyPem } });
        }
        const oldRow = (actor: string, key: string, n: number) => ({
          address: `${remote.origin}/inbox`, host: remote.host, actor_id: actor, signing_key: key, body: JSON.stringify({ type: 'Create', actor, n }), attempt: 0, after_ms: Date.now(), first_ms: Date.now(),
        });
        await database.db
          .insertInto('ap_delivery_queue')
          .values([oldRow('https://hearth.example/@ana', anaOld.privateKeyPem, 1), oldRow('https://hearth.example/@ana', anaOld.privateKeyPem, 2), oldRow('https://hearth.example/@bikeshop', group.privateKeyPem, 3)] as never)
          .execute();

        expect(await migrateToLatest(database.db)).to.include('0024_delivery_queue_key_reference');
        const columns = database.sqlite.pragma('table_info(ap_delivery_queue)') as { name: string }[];
        expect(columns.map((c) => c.name)).not.to.include('signing_key');
        const rows = await database.db.selectFrom('ap_delivery_queue').selectAll().execute();
        expect(rows.map((r) => r.actor_id)).to.deep.equal(['https://hearth.example/@ana', 'https://hearth.example/@ana', 'https://hearth.example/@bikeshop']);
        expect(JSON.stringify(rows)).not.to.include('PRIVATE KEY');

        const worker = new DeliveryWorker(new DeliveryQueue(database.db), new ActorKeys(database.db), new SafeFetcher({ allowPrivateAddresses: true, timeoutMs: 5000 }), { concurrency: 4, perHost: 4, pollMs: 20 });
        worker.start();
        const until = Date.now() + 10_000;
        while (remote.received.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        await worker.stop();
        const byKeyId = async (keyId: string) => {
          const [id, key] = Object.entries(actors).find(([id]) => `${id}#main-key` === keyId) ?? [];
          return id && key ? { owner: id, publicKeyPem: key.publicKeyPem } : null;
        };
        expect(remote.received.map((d) => d.body.n).sort()).to.deep.equal([1, 2, 3]);
        for (const d of remote.received) expect(await signerOf(d, byKeyId)).to.equal(d.body.actor);
      } finally {
        await remote.close();
        await database.close();
      }
    });

    it('going back down gives each row its actor’s current key again, for the release before it', async () => {
      const database = openDatabase(':memory:');
      try {
        await migrateToLatest(database.db);
        const key = pem();
        await new SqliteApexStore(database.db).saveObject({ id: 'https://hearth.example/@ana', type: 'Person', _meta: { privateKey: key.privateKeyPem } });
        await new DeliveryQueue(database.db).enqueue('https://hearth.example/@ana', '{}', ['https://a.example/inbox', 'https://b.example/inbox']);
        await new DeliveryQueue(database.db).enqueue('https://hearth.example/@gone', '{}', 'https://a.example/inbox');
        const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
        expect((await migrator.migrateTo('0023_stories')).error).to.equal(undefined);
        const rows = database.sqlite.prepare('select actor_id, signing_key from ap_delivery_queue order by rowid').all();
        expect(rows).to.deep.equal([
          { actor_id: 'https://hearth.example/@ana', signing_key: key.privateKeyPem },
          { actor_id: 'https://hearth.example/@ana', signing_key: key.privateKeyPem },
          { actor_id: 'https://hearth.example/@gone', signing_key: '' },
        ]);
      } finally {
        await database.close();
      }
    });
  });
});
