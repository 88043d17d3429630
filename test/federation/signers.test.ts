import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { wellKnownActorFields } from '../../src/federation/actor-fields.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer, rsaKeys } from './helpers/remote.js';

const AS = 'https://www.w3.org/ns/activitystreams';
const SEC = 'https://w3id.org/security/v1';

/** base58btc (the Bitcoin alphabet), for FEP-521a `publicKeyMultibase`. */
function base58(bytes: Buffer): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  for (; n > 0n; n /= 58n) out = alphabet[Number(n % 58n)] + out;
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/**
 * Who signed an activity: whatever the keyId names (the actor, GoToSocial's key stub, a
 * Key document, a FEP-521a Multikey), the signer is the actor at the key's owner, which
 * must be a real actor listing that key. Each case sends a real Follow and waits for
 * the Accept at the real actor's inbox.
 */
describe('the signer of an activity', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let group: string;
  let n = 0;

  const follow = (actor: RemoteActor, context: unknown = AS) => ({ '@context': context, id: `${actor.id}#follows/${++n}`, type: 'Follow', actor: actor.id, object: group });
  const storedActor = async (id: string) => h.hearth.federation!.apex.store.getObject(id, false);
  const member = (id: string) => h.hearth.database.db.selectFrom('members').selectAll().where('actor_iri', '=', id).executeTakeFirst();
  const follows = async (id: string) => h.hearth.federation!.follows.isFollower((await h.hearth.federation!.actors.find('bikeshop'))!, id);
  const acceptAt = (path: string, followId: string) => remote.waitFor((d) => d.body.type === 'Accept' && d.body.object?.id === followId && d.path === path);

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    group = `${h.url}/@bikeshop`;
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('Mastodon: the keyId is the actor document (#main-key)', async () => {
    const maria = remote.actor('maria');
    const f = follow(maria);
    expect((await remote.send(maria, `${group}/inbox`, f)).status).to.equal(202);
    await acceptAt('/inbox', f.id);
    expect((await member(maria.id))?.handle).to.equal(`maria@${remote.host}`);
    expect(await follows(maria.id)).to.equal(true);
  });

  it('GoToSocial: the key stub is read for its owner, and the Accept goes to the real actor’s inbox', async () => {
    // GoToSocial actors have no shared inbox: the Accept must go to this one.
    const zork = remote.withKeyStub(remote.actor('zork', { endpoints: undefined }));
    const f = follow(zork);
    const res = await remote.send(zork, `${group}/inbox`, f);
    expect(res.status, res.body).to.equal(202);
    await acceptAt('/users/zork/inbox', f.id);
    const stored = await storedActor(zork.id);
    expect(wellKnownActorFields(stored).inbox).to.equal(zork.inbox);
    expect((await member(zork.id))?.display_name).to.equal('Zork');
    expect(await follows(zork.id)).to.equal(true);
    // Known now: the next activity reads neither the stub nor the actor again.
    const gets = remote.gets.length;
    const again = follow(zork);
    expect((await remote.send(zork, `${group}/inbox`, again)).status).to.equal(202);
    expect(remote.gets.length).to.equal(gets);
  });

  it('GoToSocial: a stub an earlier version stored as the actor is replaced by the real actor', async () => {
    const tove = remote.withKeyStub(remote.actor('tove', { endpoints: undefined }));
    // As the old lookup left it: the stub (no inbox) kept under the actor's id.
    await h.hearth.federation!.apex.store.saveObject({ id: tove.id, type: 'Person', preferredUsername: ['tove'], publicKey: [{ id: tove.keyId, owner: [tove.id], publicKeyPem: [tove.publicKeyPem] }] });
    const f = follow(tove);
    expect((await remote.send(tove, `${group}/inbox`, f)).status).to.equal(202);
    await acceptAt('/users/tove/inbox', f.id);
    expect(wellKnownActorFields(await storedActor(tove.id)).inbox).to.equal(tove.inbox);
  });

  it('a standalone Key document names its owner, who lists the key', async () => {
    const keys = rsaKeys();
    const id = `${remote.origin}/users/kim`;
    const keyId = `${remote.origin}/keys/kim-1`;
    const kim = remote.adopt(
      { '@context': [AS, SEC], id, type: 'Person', preferredUsername: 'kim', inbox: `${id}/inbox`, publicKey: { id: keyId, owner: id, publicKeyPem: keys.publicKeyPem } },
      keyId,
      keys,
    );
    remote.objects.set(keyId, { '@context': SEC, id: keyId, type: 'Key', owner: id, publicKeyPem: keys.publicKeyPem });
    const f = follow(kim);
    expect((await remote.send(kim, `${group}/inbox`, f)).status).to.equal(202);
    await acceptAt('/users/kim/inbox', f.id);
  });

  it('FEP-521a: an Ed25519 Multikey in the actor’s assertionMethod, with its controller', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const id = `${remote.origin}/users/ed`;
    const keyId = `${id}#ed25519-key`;
    const ed = remote.adopt(
      {
        '@context': [AS, 'https://w3id.org/security/data-integrity/v1', 'https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
        id, type: 'Person', preferredUsername: 'ed', inbox: `${id}/inbox`,
        assertionMethod: [{ id: keyId, type: 'Multikey', controller: id, publicKeyMultibase: `z${base58(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}` }],
      },
      keyId,
      { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    );
    const f = follow(ed);
    const res = await remote.send(ed, `${group}/inbox`, f);
    expect(res.status, res.body).to.equal(202);
    await acceptAt('/users/ed/inbox', f.id);
  });

  it('refuses a key whose owner does not list it (401), and stores and sends nothing', async () => {
    const victim = remote.actor('victim');
    // Mallory serves a Key naming the victim as owner, signed with her own key.
    const mallory = rsaKeys();
    const keyId = `${remote.origin}/keys/not-victims`;
    remote.objects.set(keyId, { '@context': SEC, id: keyId, type: 'Key', owner: victim.id, publicKeyPem: mallory.publicKeyPem });
    const forged = { ...victim, keyId, ...mallory };
    const f = follow(forged);
    const res = await remote.send(forged, `${group}/inbox`, f);
    expect(res.status).to.equal(401);
    // The victim's own key id, with other key material in the stub: refused too.
    const stubbed = remote.withKeyStub(remote.actor('other'));
    remote.objects.set(stubbed.keyId, { ...(remote.objects.get(stubbed.keyId) as object), publicKey: { id: stubbed.keyId, owner: stubbed.id, publicKeyPem: mallory.publicKeyPem } });
    expect((await remote.send({ ...stubbed, ...mallory }, `${group}/inbox`, follow(stubbed))).status).to.equal(401);
    await settle(h);
    expect(await follows(victim.id)).to.equal(false);
    expect(await member(victim.id)).to.equal(undefined);
    expect(remote.received.some((d) => d.body.object?.id === f.id)).to.equal(false);
  });

  it('refuses a key whose owner is not a real actor (no inbox)', async () => {
    const ghost = remote.withKeyStub(remote.actor('ghost'));
    // The "actor" is one more stub: nothing can be delivered to it.
    const { inbox: _inbox, endpoints: _endpoints, ...noInbox } = ghost.doc as Record<string, unknown>;
    remote.objects.set(ghost.id, noInbox);
    expect((await remote.send(ghost, `${group}/inbox`, follow(ghost))).status).to.equal(401);
    expect(await storedActor(ghost.id)).to.equal(null);
    expect(await member(ghost.id)).to.equal(undefined);
  });

  it('remembers a gone account: five Deletes signed by it cost at most one request', async () => {
    const gone = remote.actor('deleted');
    remote.gone.add(gone.id);
    // Deletes of its posts: the key must be looked up, and the 410 is remembered.
    for (let i = 0; i < 5; i++) {
      const del = { '@context': AS, id: `${gone.id}#delete-${i}`, type: 'Delete', actor: gone.id, object: `${gone.id}/statuses/${i}`, to: [`${AS}#Public`] };
      expect((await remote.send(gone, `${h.url}/inbox`, del)).status).to.equal(202);
    }
    expect(remote.getsOf('/users/deleted')).to.equal(1);
    // Its farewell (a self-Delete of an account we never knew) costs nothing at all.
    const other = remote.actor('vanished');
    remote.gone.add(other.id);
    const farewell = { '@context': AS, id: `${other.id}#delete`, type: 'Delete', actor: other.id, object: other.id, to: [`${AS}#Public`] };
    for (let i = 0; i < 5; i++) expect((await remote.send(other, `${h.url}/inbox`, farewell)).status).to.equal(202);
    expect(remote.getsOf('/users/vanished')).to.equal(0);
  });

  it('asks a key URL that fails once, however many requests name it and despite the refresh retry', async () => {
    // An actor the peer does not serve (404): a flood of Likes signed with its key.
    const ghost = remote.actor('nobody');
    remote.objects.delete(ghost.id);
    const like = (i: number) => ({ '@context': AS, id: `${ghost.id}#like-${i}`, type: 'Like', actor: ghost.id, object: `${h.url}/@bikeshop` });
    const answers = await Promise.all([0, 1, 2, 3, 4].map((i) => remote.send(ghost, `${h.url}/inbox`, like(i))));
    expect(answers.map((a) => a.status)).to.deep.equal([401, 401, 401, 401, 401]);
    expect(remote.getsOf('/users/nobody')).to.equal(1);
  });
});
