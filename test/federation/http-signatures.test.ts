import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { expect } from 'chai';
import { createSigner, httpbis } from 'http-message-signatures';
import { type KeyLookup, type PublicKey, SignatureError, digestOf, inspectSignature, signRequest, verifyRequest } from '../../src/federation/http-signatures.js';

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

  describe('draft-cavage (created) and (expires), as newer senders sign without a Date', () => {
    const seconds = (offsetMs = 0) => Math.floor((Date.now() + offsetMs) / 1000);
    /** Signs `names` by hand the way draft-cavage-12 §2.3 builds the string; no Date header unless `date` is given. */
    function cavage(opts: { names: string; created?: number | string; expires?: number | string; algorithm?: string; date?: string; digest?: string; contentDigest?: string; privateKeyPem?: string }) {
      const headers: Record<string, string> = { host: 'hearth.example', 'content-type': 'application/activity+json' };
      if (opts.date) headers.date = opts.date;
      headers.digest = opts.digest ?? digestOf(body);
      if (opts.contentDigest) headers['content-digest'] = opts.contentDigest;
      const params: Record<string, string> = { created: String(opts.created ?? ''), expires: String(opts.expires ?? '') };
      const lines = opts.names.split(' ').map((n) =>
        n === '(request-target)' ? `${n}: post /inbox` : n === '(created)' || n === '(expires)' ? `${n}: ${params[n.slice(1, -1)]}` : `${n}: ${headers[n]}`,
      );
      const signature = sign('sha256', Buffer.from(lines.join('\n')), opts.privateKeyPem ?? alice.privateKeyPem).toString('base64');
      const extra = [opts.created !== undefined ? `,created=${opts.created}` : '', opts.expires !== undefined ? `,expires=${opts.expires}` : ''].join('');
      headers.signature = `keyId="${KEY_ID}",algorithm="${opts.algorithm ?? 'hs2019'}"${extra},headers="${opts.names}",signature="${signature}"`;
      return { method: 'POST', path: '/inbox', headers, body: Buffer.from(body) };
    }
    const WITH_CREATED = '(request-target) host (created) digest';

    it('accepts (created) in place of a Date, with or without (expires)', async () => {
      expect(await verifyRequest(cavage({ names: WITH_CREATED, created: seconds() }), aliceKeys())).to.deep.equal({ keyId: KEY_ID, owner: ACTOR });
      const both = cavage({ names: '(request-target) host (created) (expires) digest', created: seconds(), expires: seconds(300_000) });
      expect((await verifyRequest(both, aliceKeys())).owner).to.equal(ACTOR);
    });

    it('refuses an expired signature, signed (expires) or not', async () => {
      await failsWith(verifyRequest(cavage({ names: '(request-target) host (created) (expires) digest', created: seconds(-1200_000), expires: seconds(-600_000) }), aliceKeys()), 'date');
      await failsWith(verifyRequest(cavage({ names: WITH_CREATED, created: seconds(-1200_000), expires: seconds(-600_000) }), aliceKeys()), 'date');
    });

    it('refuses (created) in the future or too old, and one that is not an integer', async () => {
      await failsWith(verifyRequest(cavage({ names: WITH_CREATED, created: seconds(3600_000) }), aliceKeys()), 'date');
      await failsWith(verifyRequest(cavage({ names: WITH_CREATED, created: seconds(-2 * 3600_000) }), aliceKeys()), 'date');
      await failsWith(verifyRequest(cavage({ names: WITH_CREATED, created: `${seconds()}.5` }), aliceKeys()), 'malformed');
      await failsWith(verifyRequest(cavage({ names: WITH_CREATED, created: '"soon"' }), aliceKeys()), 'malformed');
    });

    it('refuses a created time that is not signed, and (created) signed without a value', async () => {
      await failsWith(verifyRequest(cavage({ names: '(request-target) host digest', created: seconds() }), aliceKeys()), 'headers');
      await failsWith(verifyRequest(cavage({ names: WITH_CREATED }), aliceKeys()), 'headers');
    });

    it('refuses (created) with rsa-sha256: draft-cavage-12 allows it with hs2019 only', async () => {
      await failsWith(verifyRequest(cavage({ names: WITH_CREATED, created: seconds(), algorithm: 'rsa-sha256' }), aliceKeys()), 'algorithm');
    });

    it('checks both when both Date and (created) are signed, and still accepts Date alone', async () => {
      const fresh = new Date().toUTCString();
      const stale = new Date(Date.now() - 2 * 3600_000).toUTCString();
      const names = '(request-target) host date (created) digest';
      expect((await verifyRequest(cavage({ names, date: fresh, created: seconds() }), aliceKeys())).owner).to.equal(ACTOR);
      await failsWith(verifyRequest(cavage({ names, date: stale, created: seconds() }), aliceKeys()), 'date');
      await failsWith(verifyRequest(cavage({ names, date: fresh, created: seconds(-2 * 3600_000) }), aliceKeys()), 'date');
      expect((await verifyRequest(cavage({ names: '(request-target) host date digest', date: fresh, algorithm: 'rsa-sha256' }), aliceKeys())).owner).to.equal(ACTOR);
    });

    it('refuses a signature that leaves out host or (request-target), or any freshness', async () => {
      await failsWith(verifyRequest(cavage({ names: '(request-target) (created) digest', created: seconds() }), aliceKeys()), 'headers');
      await failsWith(verifyRequest(cavage({ names: 'host (created) digest', created: seconds() }), aliceKeys()), 'headers');
      await failsWith(verifyRequest(cavage({ names: '(request-target) host digest' }), aliceKeys()), 'headers');
      // hs2019 without a headers list signs only (created) (§2.1.6): not enough.
      const bare = cavage({ names: WITH_CREATED, created: seconds() });
      bare.headers.signature = bare.headers.signature!.replace(`,headers="${WITH_CREATED}"`, '');
      await failsWith(verifyRequest(bare, aliceKeys()), 'headers');
    });

    it('refuses a Digest that does not match the body, and a body whose digest is not signed', async () => {
      await failsWith(verifyRequest(cavage({ names: WITH_CREATED, created: seconds(), digest: digestOf('other') }), aliceKeys()), 'digest');
      await failsWith(verifyRequest(cavage({ names: '(request-target) host (created)', created: seconds() }), aliceKeys()), 'headers');
    });

    it('accepts a signed RFC 9530 Content-Digest where there is no Digest, and checks it', async () => {
      const good = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
      const names = '(request-target) host (created) content-digest';
      expect((await verifyRequest(cavage({ names, created: seconds(), contentDigest: good }), aliceKeys())).owner).to.equal(ACTOR);
      const bad = `sha-256=:${createHash('sha256').update('other').digest('base64')}:`;
      await failsWith(verifyRequest(cavage({ names, created: seconds(), contentDigest: bad }), aliceKeys()), 'digest');
    });

    it('decides all of this from the headers alone, before the body is read and before any key lookup', async () => {
      const lookup = aliceKeys();
      const { body: _body, ...headersOnly } = cavage({ names: WITH_CREATED, created: seconds(-2 * 3600_000) });
      await failsWith(inspectSignature(headersOnly, { hasBody: true }), 'date');
      const { body: _b, ...noDigest } = cavage({ names: '(request-target) host (created)', created: seconds() });
      await failsWith(inspectSignature(noDigest, { hasBody: true }), 'headers');
      const { body: _c, ...fine } = cavage({ names: WITH_CREATED, created: seconds() });
      expect(await inspectSignature(fine, { hasBody: true })).to.deep.equal({ keyId: KEY_ID });
      expect(lookup.calls).to.have.length(0);
    });
  });

  describe('HTTP Message Signatures (RFC 9421), as Mastodon 4.4+ sends them', () => {
    const contentDigest = (b: string) => `sha-256=:${createHash('sha256').update(b).digest('base64')}:`;
    /** Mastodon's shape: `@method @target-uri content-digest`, created and keyid, no alg; signed with the library. */
    async function rfc9421(opts: { fields?: string[]; created?: Date | null; expires?: Date; alg?: string; url?: string; privateKeyPem?: string; keyAlg?: string } = {}) {
      const url = opts.url ?? INBOX;
      const signer = createSigner(opts.privateKeyPem ?? alice.privateKeyPem, opts.keyAlg ?? 'rsa-v1_5-sha256', KEY_ID);
      const params = ['keyid', ...(opts.created === null ? [] : ['created']), ...(opts.expires ? ['expires'] : []), ...(opts.alg ? ['alg'] : [])];
      const signed = await httpbis.signMessage(
        { key: { ...signer, alg: opts.alg }, fields: opts.fields ?? ['@method', '@target-uri', 'content-digest'], params, paramValues: { created: opts.created ?? new Date(), expires: opts.expires } },
        { method: 'POST', url, headers: { 'content-type': 'application/activity+json', 'content-digest': contentDigest(body) } },
      );
      const headers: Record<string, string> = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      headers.host = 'hearth.example';
      return { method: 'POST', path: '/inbox', headers, body: Buffer.from(body) };
    }

    it('accepts a request signed the RFC 9421 way, RSA without alg and Ed25519 with it', async () => {
      const req = await rfc9421();
      expect(req.headers['signature-input']).to.match(/^sig=\("@method" "@target-uri" "content-digest"\);keyid=".+";created=\d+$/);
      expect(await verifyRequest(req, aliceKeys())).to.deep.equal({ keyId: KEY_ID, owner: ACTOR });
      const ed = generateKeyPairSync('ed25519');
      const edReq = await rfc9421({ privateKeyPem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyAlg: 'ed25519', alg: 'ed25519' });
      const edKeys = keys({ [KEY_ID]: { owner: ACTOR, publicKeyPem: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
      expect((await verifyRequest(edReq, edKeys)).owner).to.equal(ACTOR);
    });

    it('accepts @authority with @path in place of @target-uri', async () => {
      expect((await verifyRequest(await rfc9421({ fields: ['@method', '@authority', '@path', 'content-digest'] }), aliceKeys())).owner).to.equal(ACTOR);
    });

    it('refuses a tampered body and a request signed for another address', async () => {
      await failsWith(verifyRequest({ ...(await rfc9421()), body: Buffer.from(body.replace('Follow', 'Block')) }, aliceKeys()), 'digest');
      await failsWith(verifyRequest(await rfc9421({ url: 'https://elsewhere.example/inbox' }), aliceKeys()), 'bad_signature');
      await failsWith(verifyRequest({ ...(await rfc9421()), path: '/@ana/inbox' }, aliceKeys()), 'bad_signature');
    });

    it('refuses a signature that leaves out @method, the target or the content digest', async () => {
      await failsWith(verifyRequest(await rfc9421({ fields: ['@target-uri', 'content-digest'] }), aliceKeys()), 'headers');
      await failsWith(verifyRequest(await rfc9421({ fields: ['@method', 'content-digest'] }), aliceKeys()), 'headers');
      await failsWith(verifyRequest(await rfc9421({ fields: ['@method', '@target-uri'] }), aliceKeys()), 'headers');
    });

    it('refuses a stale, future, missing or expired created time', async () => {
      await failsWith(verifyRequest(await rfc9421({ created: new Date(Date.now() - 2 * 3600_000) }), aliceKeys()), 'date');
      await failsWith(verifyRequest(await rfc9421({ created: new Date(Date.now() + 3600_000) }), aliceKeys()), 'date');
      await failsWith(verifyRequest(await rfc9421({ created: null }), aliceKeys()), 'headers');
      await failsWith(verifyRequest(await rfc9421({ created: new Date(Date.now() - 1200_000), expires: new Date(Date.now() - 600_000) }), aliceKeys()), 'date');
    });

    it('refuses a forged signature, an unknown alg and a second signature', async () => {
      await failsWith(verifyRequest(await rfc9421({ privateKeyPem: rsa().privateKeyPem }), aliceKeys()), 'bad_signature');
      await failsWith(verifyRequest(await rfc9421({ alg: 'hmac-sha256' }), aliceKeys()), 'algorithm');
      const req = await rfc9421();
      req.headers['signature-input'] += `, ${req.headers['signature-input']!.replace(/^sig=/, 'sig2=')}`;
      req.headers.signature += `, ${req.headers.signature!.replace(/^sig=/, 'sig2=')}`;
      await failsWith(verifyRequest(req, aliceKeys()), 'malformed');
    });
  });
});
