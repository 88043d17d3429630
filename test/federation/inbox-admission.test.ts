import { createHash, sign } from 'node:crypto';
import http from 'node:http';
import { expect } from 'chai';
import { createSigner, httpbis } from 'http-message-signatures';
import { signRequest } from '../../src/federation/http-signatures.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer } from './helpers/remote.js';

/**
 * POSTs headers and only the first part of a body that announces `length` bytes, and
 * resolves with the answer. An answer at all proves the server decided without reading
 * the body: the rest of it is never sent.
 */
function partialPost(url: string, headers: Record<string, string>, prefix: Buffer, length?: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: length === undefined ? headers : { ...headers, 'content-length': String(length) } });
    const timer = setTimeout(() => reject(new Error('no answer while the body was unfinished: the server waited for it')), 5000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() });
      });
    });
    // The server may close while we are still writing: only the answer matters.
    req.on('error', () => undefined);
    req.write(prefix);
  });
}

describe('inbox admission: nothing is read or fetched before we know who is asking', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let inbox: string;
  const signedHeaders = (actor: RemoteActor, body: string, now?: Date) => {
    const headers = signRequest({ method: 'POST', url: inbox, body, keyId: actor.keyId, privateKeyPem: actor.privateKeyPem, headers: { 'content-type': 'application/activity+json' }, now });
    delete headers.host;
    return headers;
  };
  const brackets = (n: number) => Buffer.from('['.repeat(n));

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' }, federation: { max_activity_kb: 64 } });
    remote = await RemoteServer.start();
    await makeMember(h.hearth, { handle: 'ana' });
    inbox = `${h.url}/inbox`;
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('refuses an unsigned 1 MB body of brackets with 401 without reading it', async () => {
    const res = await partialPost(inbox, { 'content-type': 'application/activity+json' }, brackets(64 * 1024), 1024 * 1024);
    expect(res.status).to.equal(401);
    expect(res.body).to.include('not signed');
  });

  it('refuses a stale signature, or one that does not cover the digest, before reading the body', async () => {
    const maria = remote.actor('maria');
    const stale = signedHeaders(maria, '[]', new Date(Date.now() - 3 * 3600_000));
    expect((await partialPost(inbox, stale, brackets(1024), 1024 * 1024)).status).to.equal(401);
    const noDigest = signedHeaders(maria, '[]');
    noDigest.signature = noDigest.signature!.replace(/headers="[^"]*"/, 'headers="(request-target) host date"');
    expect((await partialPost(inbox, noDigest, brackets(1024), 1024 * 1024)).status).to.equal(401);
    expect(remote.gets).to.have.length(0);
  });

  it('refuses a body over federation.max_activity_kb with 413, by its length or as it streams', async () => {
    const maria = remote.actor('maria-big');
    const declared = await partialPost(inbox, signedHeaders(maria, '{}'), Buffer.from('{"a":"'), 65 * 1024);
    expect(declared.status).to.equal(413);
    // Sent chunked, with no length to go by: refused once it passes the bound.
    const streamed = await partialPost(inbox, { ...signedHeaders(maria, '{}'), 'transfer-encoding': 'chunked' }, Buffer.from(`{"a":"${'x'.repeat(70 * 1024)}`));
    expect(streamed.status).to.equal(413);
  });

  it('refuses a signed body nested deeper than an activity ever is with 400', async () => {
    const maria = remote.actor('maria-deep');
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = [deep];
    const follow = { ...fixture('mastodon/follow', { actor: maria.id, target: `${h.url}/@ana` }), id: `${maria.id}#deep`, extra: deep };
    const res = await remote.send(maria, inbox, follow);
    expect(res.status).to.equal(400);
    expect(res.body).to.include('nests deeper');
  });

  it('still takes a normal signed activity, and one signed with (created) and no Date', async () => {
    const maria = remote.actor('maria-ok');
    const follow = { ...fixture('mastodon/follow', { actor: maria.id, target: `${h.url}/@ana` }), id: `${maria.id}#f` };
    expect((await remote.send(maria, inbox, follow)).status).to.equal(202);
    const body = JSON.stringify({ ...follow, id: `${maria.id}#f2`, object: `${h.url}/@bikeshop` });
    const created = Math.floor(Date.now() / 1000);
    const host = new URL(h.url).host;
    const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
    const signed = sign('sha256', Buffer.from(`(request-target): post /inbox\nhost: ${host}\n(created): ${created}\ndigest: ${digest}`), maria.privateKeyPem).toString('base64');
    const signature = `keyId="${maria.keyId}",algorithm="hs2019",created=${created},headers="(request-target) host (created) digest",signature="${signed}"`;
    const res = await fetch(inbox, { method: 'POST', headers: { 'content-type': 'application/activity+json', digest, signature }, body });
    expect(res.status).to.equal(202);
  });

  it('takes an activity signed the RFC 9421 way (Mastodon 4.4+)', async () => {
    const maria = remote.actor('maria-9421');
    const body = JSON.stringify({ ...fixture('mastodon/follow', { actor: maria.id, target: `${h.url}/@ana` }), id: `${maria.id}#f` });
    const signed = await httpbis.signMessage(
      { key: createSigner(maria.privateKeyPem, 'rsa-v1_5-sha256', maria.keyId), fields: ['@method', '@target-uri', 'content-digest'], params: ['keyid', 'created'] },
      { method: 'POST', url: inbox, headers: { 'content-type': 'application/activity+json', 'content-digest': `sha-256=:${createHash('sha256').update(body).digest('base64')}:` } },
    );
    const headers = signed.headers as Record<string, string>;
    expect((await fetch(inbox, { method: 'POST', headers, body })).status).to.equal(202);
    expect((await fetch(inbox, { method: 'POST', headers, body: body.replace('Follow', 'Block') })).status).to.equal(401);
  });

  it("acknowledges an unknown account's farewell without fetching anything, and verifies a known one's", async () => {
    const ghost = remote.actor('ghost');
    const farewell = (a: RemoteActor) => ({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${a.id}#delete`, type: 'Delete', actor: a.id, object: a.id, to: ['https://www.w3.org/ns/activitystreams#Public'] });
    const gets = remote.gets.length;
    expect((await remote.send(ghost, inbox, farewell(ghost))).status).to.equal(202);
    // Even forged: there is nothing of theirs here to delete, so nothing to check.
    const eve = remote.actor('eve');
    expect((await remote.send({ ...eve, keyId: ghost.keyId }, inbox, farewell(ghost))).status).to.equal(202);
    expect(remote.gets.length).to.equal(gets);

    // Someone we know (they followed us): their farewell is verified as today.
    const known = remote.actor('known');
    expect((await remote.send(known, inbox, { ...fixture('mastodon/follow', { actor: known.id, target: `${h.url}/@ana` }), id: `${known.id}#f` })).status).to.equal(202);
    expect((await remote.send({ ...eve, keyId: known.keyId }, inbox, farewell(known))).status).to.equal(401);
    expect((await remote.send(known, inbox, farewell(known))).status).to.equal(202);
  });
});
