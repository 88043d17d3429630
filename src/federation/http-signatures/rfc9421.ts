import { httpbis, type SignatureParameters } from 'http-message-signatures';
import { type IncomingSignedRequest, type ReadSignature, SignatureError, type VerifyOptions, checkFreshness, headerValue } from './common.js';

/**
 * HTTP Message Signatures (RFC 9421): `Signature-Input` and `Signature` dictionaries, as
 * Mastodon 4.4+ can send them. Parsing the structured fields and building the signature
 * base is left to `http-message-signatures` (dhensby); the rules and the key are ours.
 *
 * What we require, as Mastodon's SignedRequest does: one signature; `keyid` and an integer
 * `created` inside the window; `expires`, when given, not past; the covered components
 * include `@method` and `@target-uri` (or `@authority` with `@path`, and `@query` when there
 * is one), and `content-digest` when there is a body (checked against it by the caller).
 * Accepted `alg`: none (the key decides: RSA PKCS#1 v1.5 SHA-256, Ed25519),
 * `rsa-v1_5-sha256`, `rsa-pss-sha512`, `ed25519`.
 *
 * The library looks the key up before it checks anything else, and a key lookup may fetch;
 * so its key lookup here fetches nothing: it checks the parameters and hands back a verifier
 * that only records the signature base. The real key is looked up afterwards, once all
 * checks that need no key have passed.
 */

const ALGORITHMS = new Set(['rsa-v1_5-sha256', 'rsa-pss-sha512', 'ed25519']);

/** `created`/`expires` in ms: the library gives them as Dates or as numbers (seconds). */
function unixTime(value: SignatureParameters[string], name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 1000 : NaN;
  if (!Number.isInteger(ms / 1000)) throw new SignatureError('malformed', `${name} must be an integer Unix time`);
  return ms;
}

/** Reads and checks an RFC 9421 signature as far as the headers allow (see the module comment). */
export async function readRfc9421(req: Omit<IncomingSignedRequest, 'body'>, options: VerifyOptions, hasBody: boolean): Promise<ReadSignature> {
  const host = headerValue(req.headers, 'host');
  if (!host) throw new SignatureError('headers', 'the request has no Host header');
  const url = `${req.scheme ?? 'https'}://${host}${req.path}`;
  let params: SignatureParameters | undefined;
  let signed: { data: Buffer; signature: Buffer } | undefined;
  const keyLookup = async (p: SignatureParameters) => {
    if (params) throw new SignatureError('malformed', 'only one signature per request is accepted');
    params = p;
    if (typeof p.keyid !== 'string' || !p.keyid) throw new SignatureError('malformed', 'the signature needs a keyid');
    if (p.alg !== undefined && !ALGORITHMS.has(String(p.alg))) throw new SignatureError('algorithm', `alg ${String(p.alg)} is not accepted`);
    const created = unixTime(p.created, 'created');
    if (created === undefined) throw new SignatureError('headers', 'the signature must have a created time');
    checkFreshness({ created, expires: unixTime(p.expires, 'expires') }, options);
    const recorder = async (data: Buffer, signature: Buffer) => {
      signed = { data, signature };
      return true;
    };
    return { verify: recorder };
  };
  try {
    // Our own window applies (in keyLookup): the library's is opened wide.
    const wide = Number.MAX_SAFE_INTEGER;
    await httpbis.verifyMessage({ keyLookup, tolerance: wide, notAfter: wide }, { method: req.method, url, headers: req.headers as Record<string, string | string[]> });
  } catch (err) {
    if (err instanceof SignatureError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new SignatureError(/^No header/.test(message) ? 'headers' : 'malformed', `the signature cannot be read: ${message}`);
  }
  if (!params || !signed) throw new SignatureError('missing', 'the request is not signed');

  // The covered components, from the signature base the library built: one `"name";params: value` line each.
  const lines = signed.data.toString('utf8').split('\n');
  const covered = new Set(lines.map((l) => /^"([^"]+)"/.exec(l)?.[1]).filter((c) => c !== undefined && c !== '@signature-params'));
  const missing: string[] = [];
  if (!covered.has('@method')) missing.push('@method');
  const query = req.path.includes('?');
  if (!covered.has('@target-uri') && !(covered.has('@authority') && covered.has('@path') && (!query || covered.has('@query')))) missing.push('@target-uri');
  if (hasBody && !covered.has('content-digest')) missing.push('content-digest');
  if (missing.length) throw new SignatureError('headers', `the signature must cover ${missing.join(', ')}`);

  return {
    keyId: params.keyid as string,
    algorithm: params.alg === undefined ? 'rfc9421' : String(params.alg),
    data: signed.data,
    signature: signed.signature,
    digests: covered.has('content-digest') ? ['content-digest'] : [],
  };
}
