import { createHash, createPrivateKey, createPublicKey, sign, verify, constants, type KeyObject } from 'node:crypto';

/**
 * HTTP Signatures as the fediverse uses them (draft-cavage-http-signatures-12), both
 * ways. Verification requires `(request-target)`, `host` and `date` to be signed, a
 * `Date` inside a bounded window and, when there is a body, a signed `Digest` that matches
 * it: apex checks none of this (see DESIGN.md), so our inbox does.
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
  /** The raw body as received; its digest must match the signed Digest header. */
  body?: Buffer;
}

export interface VerifyOptions {
  now?: number;
  /** How old a Date may be. Senders sign at send time, retries included. */
  maxAgeMs?: number;
  /** How far ahead a Date may be (clock skew). */
  maxFutureMs?: number;
}

const REQUIRED = ['(request-target)', 'host', 'date'];

export const digestOf = (body: Buffer | string): string => `SHA-256=${createHash('sha256').update(body).digest('base64')}`;

/** Parses `keyId="…",algorithm="…",headers="…",signature="…"` (also behind `Authorization: Signature`). */
export function parseSignatureHeader(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /([a-zA-Z]+)=(?:"([^"]*)"|(\d+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return params;
}

const headerValue = (headers: IncomingSignedRequest['headers'], name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

function signingString(names: string[], method: string, path: string, headers: IncomingSignedRequest['headers'], params: Record<string, string>): string {
  return names
    .map((name) => {
      if (name === '(request-target)') return `(request-target): ${method.toLowerCase()} ${path}`;
      if (name === '(created)' || name === '(expires)') {
        const v = params[name.slice(1, -1)];
        if (v === undefined) throw new SignatureError('headers', `${name} is signed but not given`);
        return `${name}: ${v}`;
      }
      const v = headerValue(headers, name);
      if (v === undefined) throw new SignatureError('headers', `the signed header ${name} is missing`);
      return `${name}: ${v.trim()}`;
    })
    .join('\n');
}

/** Checks a signature with the algorithm the key and the header call for. */
function signatureMatches(algorithm: string, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return algorithm === 'hs2019' && verify(null, data, key, signature);
  if (type !== 'rsa') return false;
  if (algorithm === 'rsa-sha256') return verify('sha256', data, key, signature);
  // hs2019 leaves the scheme to the key: PKCS#1 v1.5 (what Mastodon sends) or PSS.
  return (
    verify('sha256', data, key, signature) ||
    verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature)
  );
}

/** Verifies a signed request and returns the key's id and owner, or throws SignatureError. */
export async function verifyRequest(req: IncomingSignedRequest, lookup: KeyLookup, options: VerifyOptions = {}): Promise<{ keyId: string; owner: string }> {
  const raw = headerValue(req.headers, 'signature') ?? headerValue(req.headers, 'authorization')?.replace(/^Signature\s+/i, '');
  if (!raw) throw new SignatureError('missing', 'the request is not signed');
  const params = parseSignatureHeader(raw);
  const keyId = params.keyid;
  const signatureB64 = params.signature;
  if (!keyId || !signatureB64) throw new SignatureError('malformed', 'the Signature header needs keyId and signature');
  const algorithm = (params.algorithm ?? 'hs2019').toLowerCase();
  if (algorithm !== 'rsa-sha256' && algorithm !== 'hs2019') throw new SignatureError('algorithm', `algorithm ${algorithm} is not accepted`);

  const names = (params.headers ?? 'date').toLowerCase().split(/\s+/).filter(Boolean);
  const missing = REQUIRED.filter((h) => !names.includes(h));
  if (missing.length) throw new SignatureError('headers', `the signature must cover ${missing.join(', ')}`);

  const now = options.now ?? Date.now();
  const date = Date.parse(headerValue(req.headers, 'date') ?? '');
  if (Number.isNaN(date)) throw new SignatureError('date', 'the Date header is missing or unreadable');
  if (now - date > (options.maxAgeMs ?? 3600_000) || date - now > (options.maxFutureMs ?? 300_000)) {
    throw new SignatureError('date', 'the Date header is outside the accepted window');
  }

  if (req.body !== undefined && req.body.length > 0) {
    if (!names.includes('digest')) throw new SignatureError('headers', 'a request with a body must sign its Digest');
    const sent = (headerValue(req.headers, 'digest') ?? '').split(',').map((d) => d.trim());
    const sha256 = sent.find((d) => d.toLowerCase().startsWith('sha-256='));
    if (!sha256 || sha256.slice(8) !== digestOf(req.body).slice(8)) throw new SignatureError('digest', 'the body does not match its Digest');
  }

  const data = Buffer.from(signingString(names, req.method, req.path, req.headers, params));
  const signature = Buffer.from(signatureB64, 'base64');
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
    if (signatureMatches(algorithm, publicKey, data, signature)) return { keyId, owner: key.owner };
    // A failure with a cached key may mean the sender rotated it: look it up afresh once.
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
const privateKeyFor = keyCache(createPrivateKey, 100);
const publicKeyFor = keyCache(createPublicKey, 1000);

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: string | Buffer;
  /** Extra headers to send and sign (content-type, accept). */
  headers?: Record<string, string>;
  keyId: string;
  privateKeyPem: string;
  now?: Date;
}

/**
 * Headers for a signed request, the way Mastodon expects them: rsa-sha256 over
 * (request-target), host, date, and digest plus content-type for a POST (accept for a GET).
 */
export function signRequest(req: OutgoingRequest): Record<string, string> {
  const url = new URL(req.url);
  const headers: Record<string, string> = {
    host: url.host,
    date: (req.now ?? new Date()).toUTCString(),
    ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  if (req.body !== undefined) headers.digest = digestOf(req.body);
  const names = ['(request-target)', 'host', 'date', ...['digest', 'content-type', 'accept'].filter((h) => headers[h] !== undefined)];
  const data = signingString(names, req.method, url.pathname + url.search, headers, {});
  const key = privateKeyFor(req.privateKeyPem);
  const signature = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', Buffer.from(data), key).toString('base64');
  const algorithm = key.asymmetricKeyType === 'ed25519' ? 'hs2019' : 'rsa-sha256';
  headers.signature = `keyId="${req.keyId}",algorithm="${algorithm}",headers="${names.join(' ')}",signature="${signature}"`;
  return headers;
}
