import { readCavage } from './http-signatures/cavage.js';
import { type IncomingSignedRequest, type KeyLookup, type ReadSignature, type VerifyOptions, checkDigests, headerValue, verifyWithKey } from './http-signatures/common.js';
import { readRfc9421 } from './http-signatures/rfc9421.js';

/**
 * Signed HTTP requests, both ways. Incoming requests may use either scheme the fediverse
 * sends, chosen by the headers present (as Mastodon chooses): `Signature-Input` means HTTP
 * Message Signatures (RFC 9421, http-signatures/rfc9421.ts), otherwise `Signature` or
 * `Authorization: Signature` means draft-cavage-http-signatures-12
 * (http-signatures/cavage.ts). Either way the request target, a freshness window and,
 * with a body, a matching SHA-256 digest are required: apex checks none of this, so our
 * inbox does. Outgoing requests are signed the draft-cavage way every server reads.
 */

export { type IncomingSignedRequest, type KeyLookup, type PublicKey, SignatureError, type SignatureFailure, type VerifyOptions, digestOf } from './http-signatures/common.js';
export { type OutgoingRequest, parseSignatureHeader, signRequest } from './http-signatures/cavage.js';

/** Options for {@link inspectSignature}: the verification window, and whether a body will follow. */
export interface InspectOptions extends VerifyOptions {
  /** The request has (or announces) a body, so the signature must cover its digest. */
  hasBody: boolean;
}

const readSignature = (req: Omit<IncomingSignedRequest, 'body'>, options: VerifyOptions, hasBody: boolean): Promise<ReadSignature> =>
  headerValue(req.headers, 'signature-input') !== undefined ? readRfc9421(req, options, hasBody) : Promise.resolve(readCavage(req, options, hasBody));

/**
 * Everything about a request's signature that can be checked from its headers alone,
 * without the body and without looking up (or fetching) a key: present, readable, an
 * accepted algorithm, covering what it must, and fresh. Cheap enough to run before the
 * body is read, so that a request nobody could verify costs us nothing more.
 * Returns the key id; throws SignatureError (401) otherwise.
 */
export async function inspectSignature(req: Omit<IncomingSignedRequest, 'body'>, options: InspectOptions): Promise<{ keyId: string }> {
  const { keyId } = await readSignature(req, options, options.hasBody);
  return { keyId };
}

/**
 * Verifies a signed request (either scheme) and returns the key's id and owner, or throws
 * SignatureError. The key is looked up last, after the headers and the body digest passed.
 */
export async function verifyRequest(req: IncomingSignedRequest, lookup: KeyLookup, options: VerifyOptions = {}): Promise<{ keyId: string; owner: string }> {
  const hasBody = req.body !== undefined && req.body.length > 0;
  const read = await readSignature(req, options, hasBody);
  if (hasBody) checkDigests(req.headers, read.digests, req.body!);
  return verifyWithKey(read, lookup);
}
