import { sign } from 'node:crypto';
import { type IncomingSignedRequest, type ReadSignature, SignatureError, type VerifyOptions, checkFreshness, digestOf, headerValue, privateKeyFor } from './common.js';

/**
 * HTTP Signatures as the fediverse has used them since Mastodon 2
 * (draft-cavage-http-signatures-12): a `Signature` (or `Authorization: Signature`) header
 * with keyId, algorithm, headers and signature.
 *
 * What we require, as Mastodon does: `(request-target)` and `host` signed; freshness from a
 * signed `date` or a signed `(created)` (both checked when both are signed; newer senders
 * sign `(created)` and send no Date); with a body, a signed `digest` or `content-digest`.
 * `(created)` and `(expires)` are integers, and only allowed with hs2019: §2.3 says an
 * implementation MUST produce an error for them with an `rsa…` algorithm, so an
 * rsa-sha256 signature that covers them is refused. An `expires` parameter in the past
 * refuses the signature whether or not it is signed (it can only make us stricter).
 */

/** Parses `keyId="…",algorithm="…",headers="…",signature="…",created=123` (also behind `Authorization: Signature`). */
export function parseSignatureHeader(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /([a-zA-Z]+)=(?:"([^"]*)"|([^,"\s]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return params;
}

function signingString(names: string[], method: string, path: string, headers: IncomingSignedRequest['headers'], params: Record<string, string>): string {
  return names
    .map((name) => {
      if (name === '(request-target)') return `(request-target): ${method.toLowerCase()} ${path}`;
      if (name === '(created)' || name === '(expires)') return `${name}: ${params[name.slice(1, -1)]}`;
      const v = headerValue(headers, name);
      if (v === undefined) throw new SignatureError('headers', `the signed header ${name} is missing`);
      return `${name}: ${v.trim()}`;
    })
    .join('\n');
}

/** A `created` or `expires` parameter in ms: draft-cavage §2.1.4 and §2.1.5 make them integer Unix times. */
function unixTime(params: Record<string, string>, name: 'created' | 'expires'): number | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (!/^\d{1,12}$/.test(v)) throw new SignatureError('malformed', `${name} must be an integer Unix time`);
  return Number(v) * 1000;
}

/** Reads and checks a draft-cavage signature as far as the headers allow (see the module comment). */
export function readCavage(req: Omit<IncomingSignedRequest, 'body'>, options: VerifyOptions, hasBody: boolean): ReadSignature {
  const raw = headerValue(req.headers, 'signature') ?? headerValue(req.headers, 'authorization')?.replace(/^Signature\s+/i, '');
  if (!raw) throw new SignatureError('missing', 'the request is not signed');
  const params = parseSignatureHeader(raw);
  const keyId = params.keyid;
  const signatureB64 = params.signature;
  if (!keyId || !signatureB64) throw new SignatureError('malformed', 'the Signature header needs keyId and signature');
  const algorithm = (params.algorithm ?? 'hs2019').toLowerCase();
  if (algorithm !== 'rsa-sha256' && algorithm !== 'hs2019') throw new SignatureError('algorithm', `algorithm ${algorithm} is not accepted`);

  // §2.1.6: without a headers parameter only (created) is signed (`date` in older drafts, for rsa-sha256).
  const names = (params.headers ?? (algorithm === 'hs2019' ? '(created)' : 'date')).toLowerCase().split(/\s+/).filter(Boolean);
  const missing = ['(request-target)', 'host'].filter((h) => !names.includes(h));
  if (!names.includes('date') && !names.includes('(created)')) missing.push('date or (created)');
  if (hasBody && !names.includes('digest') && !names.includes('content-digest')) missing.push('digest');
  if (missing.length) throw new SignatureError('headers', `the signature must cover ${missing.join(', ')}`);

  const pseudo = names.filter((n) => n === '(created)' || n === '(expires)');
  if (pseudo.length && algorithm !== 'hs2019') throw new SignatureError('algorithm', `${pseudo.join(' and ')} may only be signed with hs2019`);
  for (const name of pseudo) {
    if (params[name.slice(1, -1)] === undefined) throw new SignatureError('headers', `${name} is signed but not given`);
  }
  const created = unixTime(params, 'created');
  const expires = unixTime(params, 'expires');
  let date: number | undefined;
  if (names.includes('date')) {
    date = Date.parse(headerValue(req.headers, 'date') ?? '');
    if (Number.isNaN(date)) throw new SignatureError('date', 'the Date header is missing or unreadable');
  }
  // An unsigned `created` says nothing: only a signed one counts towards freshness.
  checkFreshness({ date, created: names.includes('(created)') ? created : undefined, expires }, options);

  return {
    keyId,
    algorithm,
    data: Buffer.from(signingString(names, req.method, req.path, req.headers, params)),
    signature: Buffer.from(signatureB64, 'base64'),
    digests: names.filter((n): n is 'digest' | 'content-digest' => n === 'digest' || n === 'content-digest'),
  };
}

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
