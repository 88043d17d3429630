import { expect } from 'chai';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { RemoteServer } from './helpers/remote.js';

describe('who may talk to the server', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  const storedCount = async () => Number((await h.hearth.database.db.selectFrom('ap_streams').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    await makeMember(h.hearth, { handle: 'ana' });
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('answers 401 to unsigned, tampered and badly digested deliveries, whatever NODE_ENV is, and stores nothing', async () => {
    const saved = process.env.NODE_ENV;
    delete process.env.NODE_ENV;
    try {
      const maria = remote.actor('maria');
      const follow = fixture('mastodon/follow', { actor: maria.id, target: `${h.url}/@bikeshop` });
      const before = await storedCount();
      const unsigned = await fetch(`${h.url}/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: JSON.stringify(follow) });
      expect(unsigned.status).to.equal(401);
      const tampered = await remote.send(maria, `${h.url}/inbox`, follow, (headers) => {
        headers.digest = 'SHA-256=' + Buffer.alloc(32).toString('base64');
      });
      expect(tampered.status).to.equal(401);
      const stale = await remote.send(maria, `${h.url}/inbox`, follow, (headers) => {
        headers.date = new Date(Date.now() - 3 * 3600_000).toUTCString();
      });
      expect(stale.status).to.equal(401);
      const otherKey = remote.actor('eve');
      const forged = await remote.send({ ...otherKey, keyId: maria.keyId }, `${h.url}/inbox`, follow);
      expect(forged.status).to.equal(401);
      expect(await storedCount()).to.equal(before);
    } finally {
      if (saved !== undefined) process.env.NODE_ENV = saved;
    }
  });

  it('accepts hs2019 signatures (apex answered them with 500) and keys rotated since we cached them', async () => {
    const hs = remote.actor('hsuser');
    const follow = { ...fixture('mastodon/follow', { actor: hs.id, target: `${h.url}/@ana` }), id: `${hs.id}#f` };
    const res = await remote.send(hs, `${h.url}/inbox`, follow, (headers) => {
      headers.signature = headers.signature!.replace('algorithm="rsa-sha256"', 'algorithm="hs2019"');
    });
    expect(res.status).to.equal(202);
    // The sender rotates its key: our cached copy fails once, a fresh fetch succeeds.
    const rotated = remote.actor('hsuser');
    const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${hs.id}#f/undo`, type: 'Undo', actor: hs.id, object: follow };
    expect((await remote.send(rotated, `${h.url}/inbox`, undo)).status).to.equal(202);
    // The old key is no good any more.
    const again = { ...undo, id: `${hs.id}#f/undo2` };
    expect((await remote.send(hs, `${h.url}/inbox`, again)).status).to.equal(401);
  });

  it('takes an embedded actor when it is the signer, and refuses a body asking for many JSON-LD contexts', async () => {
    const emb = remote.actor('embedded');
    const follow = { ...fixture('mastodon/follow', { actor: emb.id, target: `${h.url}/@ana` }), id: `${emb.id}#f`, actor: { id: emb.id, type: 'Person' } };
    expect((await remote.send(emb, `${h.url}/inbox`, follow)).status).to.equal(202);
    const heavy = { ...follow, id: `${emb.id}#f2`, '@context': ['https://www.w3.org/ns/activitystreams', ...Array.from({ length: 9 }, (_, i) => `https://ctx${i}.example/c.jsonld`)] };
    const res = await remote.send(emb, `${h.url}/inbox`, heavy);
    expect(res.status).to.equal(400);
    expect(res.body).to.include('Too many JSON-LD contexts');
  });

  it('refuses an activity whose actor is not the signer', async () => {
    const maria = remote.actor('maria2');
    const eve = remote.actor('eve2');
    const follow = fixture('mastodon/follow', { actor: eve.id, target: `${h.url}/@bikeshop` });
    expect((await remote.send(maria, `${h.url}/inbox`, follow)).status).to.equal(403);
  });

  it('refuses a blocked domain with 403 before storing or fetching anything, and sends it nothing', async () => {
    const owner = await makeMember(h.hearth, { role: 'owner' });
    const spammer = remote.actor('spammer');
    // Follow first, then the admin blocks the whole server.
    await remote.send(spammer, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: spammer.id, target: `${h.url}/@ana` }), id: `${spammer.id}#f1` });
    await settle(h);
    await h.hearth.federation!.policy.block(owner, { kind: 'domain', value: '127.0.0.1', reason: 'spam' });
    try {
      const before = await storedCount();
      const fetched = remote.received.length;
      const res = await remote.send(spammer, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: spammer.id, target: `${h.url}/@bikeshop` }), id: `${spammer.id}#f2` });
      expect(res.status).to.equal(403);
      expect(await storedCount()).to.equal(before);
      // Ana posts: her follower's server is blocked, so no delivery is even queued.
      const ana = await h.hearth.services.members.getByHandle('ana');
      const general = await h.hearth.services.spaces.getVisible(null, 'general');
      await h.hearth.services.posts.createThread(ana, general, { body: 'Shop closed Monday' });
      await h.hearth.federation!.publisher.idle();
      const queued = await h.hearth.database.db.selectFrom('ap_delivery_queue').selectAll().execute();
      expect(queued).to.have.length(0);
      expect(remote.received.length).to.equal(fetched);
    } finally {
      await h.hearth.federation!.policy.unblock(owner, 'domain', '127.0.0.1');
    }
  });

  it('blocks domains from config, in blocklist and allowlist mode', async () => {
    const { FederationPolicy } = await import('../../src/federation/policy.js');
    const db = h.hearth.database.db;
    const blocklist = new FederationPolicy(db, { mode: 'blocklist', blocked_domains: ['spam.example', '*.bad.example'], allowed_domains: [] });
    await blocklist.load();
    expect(blocklist.allowsHost('spam.example')).to.equal(false);
    expect(blocklist.allowsHost('eu.spam.example')).to.equal(false);
    expect(blocklist.allowsHost('x.bad.example')).to.equal(false);
    expect(blocklist.allowsHost('bad.example')).to.equal(true);
    expect(blocklist.allowsHost('mastodon.social')).to.equal(true);
    const allowlist = new FederationPolicy(db, { mode: 'allowlist', blocked_domains: [], allowed_domains: ['friends.example'] });
    await allowlist.load();
    expect(allowlist.allowsHost('friends.example')).to.equal(true);
    expect(allowlist.allowsActor('https://friends.example/users/a')).to.equal(true);
    expect(allowlist.allowsHost('mastodon.social')).to.equal(false);
  });

  it('with authorized fetch, reads need a signature (the community actor stays readable for key checks)', async () => {
    const strict = await serveHearth({ community: { handle: 'bikeshop' }, federation: { authorized_fetch: true } });
    try {
      await makeMember(strict.hearth, { handle: 'ana' });
      const accept = { accept: 'application/activity+json' };
      expect((await fetch(`${strict.url}/@ana`, { headers: accept })).status).to.equal(401);
      expect((await fetch(`${strict.url}/@bikeshop`, { headers: accept })).status).to.equal(200);
      // Only the community's actor document itself: its collections and posts are reads like any other.
      const general = await strict.hearth.services.spaces.getVisible(null, 'general');
      const post = await strict.hearth.services.posts.createThread((await strict.hearth.services.members.findByHandle('ana'))!, general, { title: 'Members only reading', body: 'Not for unsigned readers.' });
      await settle(strict);
      for (const path of ['/@bikeshop/outbox', '/@bikeshop/outbox?page=true', '/@bikeshop/followers', '/@bikeshop/following', '/@bikeshop/moderators', `/p/${post.id}`]) {
        const res = await fetch(`${strict.url}${path}`, { headers: accept });
        expect(res.status, path).to.equal(401);
        expect(await res.text(), path).not.to.include('Not for unsigned readers');
      }
      const reader = remote.actor('reader');
      const { signRequest } = await import('../../src/federation/http-signatures.js');
      const headers = signRequest({ method: 'GET', url: `${strict.url}/@ana`, keyId: reader.keyId, privateKeyPem: reader.privateKeyPem, headers: accept });
      delete headers.host;
      const signed = await fetch(`${strict.url}/@ana`, { headers });
      expect(signed.status).to.equal(200);
      expect(((await signed.json()) as any).type).to.equal('Person');
    } finally {
      await strict.close();
    }
  });
});
