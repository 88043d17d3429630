import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { type KeyLookup, type PublicKey, SignatureError, digestOf, signRequest, verifyRequest } from '../../src/federation/http-signatures.js';

const rsa = () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
};
const alice = rsa();
const ACTOR = 'https://remote.example/users/alice';
const KEY_ID = `${ACTOR}#main-key`;
const INBOX = 'https://hearth.example/inbox';

const keys = (map: Record<string, PublicKey | null>): KeyLookup & { calls: { keyId: string; refresh: boolean }[] } => {
  const calls: { keyId: string; refresh: boolean }[] = [];
  const fn = (async (keyId: string, { refresh }: { refresh: boolean }) => {
    calls.push({ keyId, refresh });
    return map[keyId] ?? null;
  }) as KeyLookup & { calls: typeof calls };
  fn.calls = calls;
  return fn;
};
const aliceKeys = () => keys({ [KEY_ID]: { owner: ACTOR, publicKeyPem: alice.publicKeyPem } });

/** A POST as Mastodon sends it, signed with alice's key, ready for verifyRequest. */
function signedPost(body: string, opts: { now?: Date; privateKeyPem?: string } = {}) {
  const headers = signRequest({
    method: 'POST', url: INBOX, body, keyId: KEY_ID, privateKeyPem: opts.privateKeyPem ?? alice.privateKeyPem,
    headers: { 'content-type': 'application/activity+json' }, now: opts.now,
  });
  return { method: 'POST', path: '/inbox', headers: headers as Record<string, string>, body: Buffer.from(body) };
}

const failsWith = async (p: Promise<unknown>, code: SignatureError['code']) => {
  const err = await p.then(() => null, (e) => e);
  expect(err, `expected ${code}`).to.be.instanceOf(SignatureError);
  expect(err.code).to.equal(code);
  expect(err.status).to.equal(401);
};

describe('HTTP signatures', () => {
  const body = JSON.stringify({ type: 'Follow', actor: ACTOR, object: 'https://hearth.example/community' });

  it('accepts a good rsa-sha256 signature and says whose key it is', async () => {
    const req = signedPost(body);
    expect(req.headers.signature).to.match(/algorithm="rsa-sha256",headers="\(request-target\) host date digest content-type"/);
    expect(await verifyRequest(req, aliceKeys())).to.deep.equal({ keyId: KEY_ID, owner: ACTOR });
  });

  it('refuses a tampered body, and a Digest that does not match the body', async () => {
    await failsWith(verifyRequest({ ...signedPost(body), body: Buffer.from(body.replace('Follow', 'Block')) }, aliceKeys()), 'digest');
    const lying = signedPost(body);
    lying.headers.digest = digestOf('something else');
    await failsWith(verifyRequest(lying, aliceKeys()), 'digest');
  });

  it('refuses a stale or far-future Date', async () => {
    await failsWith(verifyRequest(signedPost(body, { now: new Date(Date.now() - 2 * 3600_000) }), aliceKeys()), 'date');
    await failsWith(verifyRequest(signedPost(body, { now: new Date(Date.now() + 3600_000) }), aliceKeys()), 'date');
  });

  it('accepts hs2019 with RSA (as Mastodon and others label it) and with ed25519', async () => {
    const req = signedPost(body);
    req.headers.signature = req.headers.signature!.replace('algorithm="rsa-sha256"', 'algorithm="hs2019"');
    expect((await verifyRequest(req, aliceKeys())).owner).to.equal(ACTOR);
    const ed = generateKeyPairSync('ed25519');
    const edReq = signedPost(body, { privateKeyPem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    expect(edReq.headers.signature).to.contain('algorithm="hs2019"');
    const edKeys = keys({ [KEY_ID]: { owner: ACTOR, publicKeyPem: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    expect((await verifyRequest(edReq, edKeys)).owner).to.equal(ACTOR);
  });

  it('refuses an unknown key, after asking once more past the cache', async () => {
    const none = keys({});
    await failsWith(verifyRequest(signedPost(body), none), 'unknown_key');
    expect(none.calls.map((c) => c.refresh)).to.deep.equal([false, true]);
  });

  it('follows a key rotation: a stale cached key is re-fetched once', async () => {
    const rotated = rsa();
    const calls: boolean[] = [];
    const lookup: KeyLookup = async (_keyId, { refresh }) => {
      calls.push(refresh);
      return { owner: ACTOR, publicKeyPem: refresh ? rotated.publicKeyPem : alice.publicKeyPem };
    };
    expect((await verifyRequest(signedPost(body, { privateKeyPem: rotated.privateKeyPem }), lookup)).owner).to.equal(ACTOR);
    expect(calls).to.deep.equal([false, true]);
  });

  it('refuses unsigned requests, signatures missing required headers, and forged ones', async () => {
    await failsWith(verifyRequest({ method: 'POST', path: '/inbox', headers: {}, body: Buffer.from(body) }, aliceKeys()), 'missing');
    const partial = signedPost(body);
    partial.headers.signature = partial.headers.signature!.replace('headers="(request-target) host date digest content-type"', 'headers="date digest"');
    await failsWith(verifyRequest(partial, aliceKeys()), 'headers');
    await failsWith(verifyRequest({ ...signedPost(body), path: '/users/bob/inbox' }, aliceKeys()), 'bad_signature');
    const mallory = rsa();
    await failsWith(verifyRequest(signedPost(body, { privateKeyPem: mallory.privateKeyPem }), aliceKeys()), 'bad_signature');
    const weird = signedPost(body);
    weird.headers.signature = weird.headers.signature!.replace('rsa-sha256', 'hmac-sha256');
    await failsWith(verifyRequest(weird, aliceKeys()), 'algorithm');
  });

  it('signs a GET with accept, as authorized-fetch servers require', async () => {
    const headers = signRequest({ method: 'GET', url: 'https://remote.example/users/alice?x=1', keyId: KEY_ID, privateKeyPem: alice.privateKeyPem, headers: { Accept: 'application/activity+json' } });
    expect(headers.signature).to.contain('headers="(request-target) host date accept"');
    expect(headers).not.to.have.property('digest');
    expect((await verifyRequest({ method: 'GET', path: '/users/alice?x=1', headers }, aliceKeys())).owner).to.equal(ACTOR);
  });
});
