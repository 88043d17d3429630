import { constants, createHash, createPrivateKey, createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * What both signature schemes share: the error, the key lookup, the request shape, the
 * freshness window, the body digests and the key-dependent last step. Everything here is
 * re-exported by ../http-signatures.ts, the module the rest of Hearth imports.
 */

export type SignatureFailure = 'missing' | 'malformed' | 'headers' | 'date' | 'digest' | 'algorithm' | 'unknown_key' | 'bad_signature';

/** Always answered 401: the sender is not who it claims, or we cannot tell. */
export class SignatureError extends Error {
  readonly status = 401;
  constructor(
    readonly code: SignatureFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

export interface PublicKey {
  /** The actor that owns the key; the inbox checks it is the activity's actor. */
  owner: string;
  publicKeyPem: string;
}

/** Finds a key by its id; `refresh` asks to bypass any cache (the sender may have rotated it). */
export type KeyLookup = (keyId: string, options: { refresh: boolean }) => Promise<PublicKey | null>;

export interface IncomingSignedRequest {
  method: string;
  /** Path with query string, exactly as received. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body as received; its digest must match the signed Digest or Content-Digest header. */
  body?: Buffer;
  /**
   * The scheme the sender used to reach us, for RFC 9421's `@target-uri` (with the Host
   * header as authority). Default `https`: behind a TLS-terminating proxy we see plain HTTP.
   */
  scheme?: 'http' | 'https';
}

export interface VerifyOptions {
  /** The clock, in ms since the epoch. */
  now?: number;
  /** How old a Date or `created` may be, in ms (default one hour). Senders sign at send time, retries included. */
  maxAgeMs?: number;
  /** How far ahead a Date or `created` may be, and how long past `expires` we still accept, in ms (default 5 min: clock skew). */
  maxFutureMs?: number;
}

/**
 * A signature read from the headers and checked for everything that needs neither the
 * body nor a key: what remains is comparing the signed digests with the body and `data`
 * with `signature` under the key named `keyId`.
 */
export interface ReadSignature {
  keyId: string;
  /** `rsa-sha256` or `hs2019` (draft-cavage), an RFC 9421 `alg`, or `rfc9421` when it gave none. */
  algorithm: string;
  /** The signing string (draft-cavage) or signature base (RFC 9421). */
  data: Buffer;
  signature: Buffer;
  /** The body digest headers the signature covers. */
  digests: ('digest' | 'content-digest')[];
}

export const headerValue = (headers: IncomingSignedRequest['headers'], name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/**
 * The freshness rules of both schemes, times in ms: a Date or `created` inside
 * [now - maxAge, now + maxFuture], and no `expires` further in the past than the skew.
 */
export function checkFreshness(times: { date?: number; created?: number; expires?: number }, options: VerifyOptions): void {
  const now = options.now ?? Date.now();
  const maxAge = options.maxAgeMs ?? 3600_000;
  const skew = options.maxFutureMs ?? 300_000;
  for (const [name, at] of [['Date header', times.date], ['signature creation time', times.created]] as const) {
    if (at === undefined) continue;
    if (now - at > maxAge) throw new SignatureError('date', `the ${name} is too old`);
    if (at - now > skew) throw new SignatureError('date', `the ${name} is in the future`);
  }
  if (times.expires !== undefined && now - times.expires > skew) throw new SignatureError('date', 'the signature has expired');
}

export const digestOf = (body: Buffer | string): string => `SHA-256=${createHash('sha256').update(body).digest('base64')}`;

/**
 * Compares the body with every digest header the signature covers: `Digest: SHA-256=…`
 * (RFC 3230, what Mastodon sends with draft-cavage) and `Content-Digest: sha-256=:…:`
 * (RFC 9530, with RFC 9421). Only SHA-256 is accepted, as Mastodon does.
 */
export function checkDigests(headers: IncomingSignedRequest['headers'], digests: ReadSignature['digests'], body: Buffer): void {
  const expected = createHash('sha256').update(body).digest('base64');
  for (const name of digests) {
    const members = (headerValue(headers, name) ?? '').split(',').map((d) => d.trim());
    const sent =
      name === 'digest'
        ? members.find((d) => d.toLowerCase().startsWith('sha-256='))?.slice(8)
        : members.map((d) => /^sha-256=:([A-Za-z0-9+/]*={0,2}):/.exec(d)?.[1]).find((d) => d !== undefined);
    if (sent === undefined) throw new SignatureError('digest', `the ${name} header has no SHA-256 digest`);
    if (sent !== expected) throw new SignatureError('digest', `the body does not match its ${name}`);
  }
}

/** Checks a signature with the algorithm the key and the signature call for. */
function signatureMatches(algorithm: string, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return ['hs2019', 'ed25519', 'rfc9421'].includes(algorithm) && verify(null, data, key, signature);
  if (type !== 'rsa') return false;
  const pss = (hash: string) => verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
  switch (algorithm) {
    // RFC 9421 without `alg` leaves the scheme to the key: PKCS#1 v1.5 is what Mastodon signs with.
    case 'rsa-sha256':
    case 'rsa-v1_5-sha256':
    case 'rfc9421':
      return verify('sha256', data, key, signature);
    case 'rsa-pss-sha512':
      return pss('sha512');
    // hs2019 leaves the scheme to the key: PKCS#1 v1.5 (what Mastodon sends) or PSS.
    case 'hs2019':
      return verify('sha256', data, key, signature) || pss('sha256');
    default:
      return false;
  }
}

/**
 * The last step, the only one that may fetch: looks the key up (from the cache, then once
 * afresh if the cached key fails, for a sender that rotated it) and checks the signature.
 */
export async function verifyWithKey(read: ReadSignature, lookup: KeyLookup): Promise<{ keyId: string; owner: string }> {
  const { keyId } = read;
  for (const refresh of [false, true]) {
    const key = await lookup(keyId, { refresh });
    if (!key) {
      if (refresh) throw new SignatureError('unknown_key', `no key ${keyId}`);
      continue;
    }
    let publicKey: KeyObject;
    try {
      publicKey = publicKeyFor(key.publicKeyPem);
    } catch {
      throw new SignatureError('unknown_key', `the key ${keyId} is not a public key`);
    }
    if (signatureMatches(read.algorithm, publicKey, read.data, read.signature)) return { keyId, owner: key.owner };
  }
  throw new SignatureError('bad_signature', 'the signature does not match');
}

/**
 * Parsing a PEM key costs about as much as signing or verifying with it; a fan-out signs
 * with the same key many times and busy senders deliver with the same key many times.
 */
function keyCache(parse: (pem: string) => KeyObject, size: number): (pem: string) => KeyObject {
  const parsed = new Map<string, KeyObject>();
  return (pem) => {
    let key = parsed.get(pem);
    if (!key) {
      key = parse(pem);
      if (parsed.size >= size) parsed.clear();
      parsed.set(pem, key);
    }
    return key;
  };
}
export const privateKeyFor = keyCache(createPrivateKey, 100);
const publicKeyFor = keyCache(createPublicKey, 1000);
