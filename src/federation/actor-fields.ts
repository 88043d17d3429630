import { createPublicKey } from 'node:crypto';

/**
 * The fields of a remote actor (or key document) that federation depends on, read as
 * plain JSON the way Mastodon and Lemmy read them: by their well-known names, whatever
 * the `@context` says. JSON-LD processing loses a term when a sender's context is
 * incomplete, unreachable or wrong (a Mobilizon actor's `publicKey` came out as
 * `_:publicKey`); these names are what every server means anyway.
 */

export const ACTOR_TYPES = new Set(['Person', 'Group', 'Organization', 'Service', 'Application']);
/** Key documents: Mastodon-style `Key`/`CryptographicKey` (security/v1) and FEP-521a `Multikey`. */
export const KEY_TYPES = new Set(['Key', 'CryptographicKey', 'sec:Key', 'Multikey']);

export interface ActorKey {
  /** The key's id (what a Signature's keyId names). */
  id: string;
  /** The actor the document says owns it (`owner`, or FEP-521a `controller`); null if unsaid. */
  owner: string | null;
  /** SPKI PEM; from `publicKeyPem`, or an Ed25519 `publicKeyMultibase`. Null for a key given by IRI only. */
  publicKeyPem: string | null;
}

export interface ActorFields {
  id: string | null;
  type: string | null;
  inbox: string | null;
  sharedInbox: string | null;
  preferredUsername: string | null;
  name: string | null;
  summary: string | null;
  /** The avatar's URL (the first `icon`). */
  icon: string | null;
  /** The profile page. */
  url: string | null;
  /** The document itself when it is a key, then its `publicKey` entries, then its `assertionMethod` entries. */
  keys: ActorKey[];
}

type Json = Record<string, unknown>;
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** An IRI given as a string, an object with `id`, or a Link with `href`. */
function idOf(v: unknown): string | null {
  const x = first(v);
  if (typeof x === 'string') return x;
  if (isObject(x)) return typeof x.id === 'string' ? x.id : typeof first(x.href) === 'string' ? (first(x.href) as string) : null;
  return null;
}

/** Text given as a string, a JSON-LD value object, or a language map. */
function text(v: unknown): string | null {
  const x = first(v);
  if (typeof x === 'string') return x;
  if (isObject(x)) {
    if (typeof x['@value'] === 'string') return x['@value'];
    const any = Object.values(x).find((s) => typeof s === 'string');
    return typeof any === 'string' ? any : null;
  }
  return null;
}

/** An image's URL: a string, or an Image whose `url` is a string or Link. */
function imageUrl(v: unknown): string | null {
  const x = first(v);
  if (typeof x === 'string') return x;
  return isObject(x) ? idOf(x.url) : null;
}

function keyOf(entry: unknown, holder: string | null): ActorKey | null {
  if (typeof entry === 'string') return { id: entry, owner: holder, publicKeyPem: null };
  if (!isObject(entry) || typeof entry.id !== 'string') return null;
  const multibase = text(entry.publicKeyMultibase);
  return {
    id: entry.id,
    owner: idOf(entry.owner) ?? idOf(entry.controller) ?? holder,
    publicKeyPem: text(entry.publicKeyPem) ?? (multibase ? multikeyToPem(multibase) : null),
  };
}

/**
 * Reads the well-known fields of an actor or key document, raw JSON or apex's compacted
 * form (every value in an array) alike. Never throws; a missing field is null.
 */
export function wellKnownActorFields(doc: unknown): ActorFields {
  const d: Json = isObject(doc) ? doc : {};
  const id = typeof d.id === 'string' ? d.id : null;
  const type = typeof first(d.type) === 'string' ? (first(d.type) as string) : null;
  const keys: ActorKey[] = [];
  if ((type && KEY_TYPES.has(type)) || d.publicKeyPem !== undefined || d.publicKeyMultibase !== undefined) {
    const self = keyOf(d, null);
    if (self) keys.push(self);
  }
  for (const k of [...list(d.publicKey), ...list(d.assertionMethod)]) {
    const key = keyOf(k, id);
    if (key) keys.push(key);
  }
  const endpoints = first(d.endpoints);
  return {
    id,
    type,
    inbox: idOf(d.inbox),
    sharedInbox: (isObject(endpoints) ? idOf(endpoints.sharedInbox) : null) ?? idOf(d.sharedInbox),
    preferredUsername: text(d.preferredUsername),
    name: text(d.name),
    summary: text(d.summary),
    icon: imageUrl(d.icon),
    url: idOf(d.url),
    keys,
  };
}

/** A real actor: one that can receive (an inbox), not a key stub (GoToSocial serves those). */
export const isRealActor = (doc: unknown): boolean => {
  const f = wellKnownActorFields(doc);
  return f.id !== null && f.inbox !== null;
};

/** The terms `withWellKnownFields` restores, at the top level of a document. */
const WELL_KNOWN = [
  'inbox', 'outbox', 'followers', 'following', 'endpoints', 'preferredUsername', 'name', 'summary', 'icon', 'url',
  'publicKey', 'assertionMethod', 'owner', 'controller', 'publicKeyPem', 'publicKeyMultibase',
];

/** A raw JSON value in apex's compacted form: every property value an array, `id` and `type` as given. */
const apexValue = (v: unknown): unknown[] => list(v).map(apexNode);
function apexNode(v: unknown): unknown {
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !k.startsWith('@'))
      .map(([k, x]) => (k === 'id' || k === 'type' ? [k, x] : [k, apexValue(x)])),
  );
}

/**
 * The compacted document with each well-known term it lacks taken from the raw JSON it
 * came from (in apex's form), so the store, apex's delivery addressing and our readers
 * all see the inbox, keys and profile even when the sender's contexts lost them. Only
 * applied to the same document (same id); a term compaction kept is never replaced.
 */
export function withWellKnownFields<T extends Json & { id?: unknown }>(compacted: T, raw: unknown): T {
  if (!isObject(raw) || raw.id !== compacted.id) return compacted;
  const out: Json = { ...compacted };
  for (const term of WELL_KNOWN) {
    if (out[term] !== undefined || raw[term] === undefined || raw[term] === null) continue;
    out[term] = apexValue(raw[term]);
    // What compaction made of it under the AS context's `@vocab: _:` is noise once restored.
    delete out[`_:${term}`];
  }
  return out as T;
}

/**
 * The compacted document with its `type` as the sender wrote it when compaction could only
 * make `_:Name` of it (the sender's contexts do not define the term: an `EmojiReact` under
 * the litepub context, say). Types, like the fields above, are read as plain JSON.
 */
export function withPlainType<T extends Json>(compacted: T, raw: unknown): T {
  const type = isObject(raw) ? raw.type : undefined;
  if (typeof type !== 'string' || type.includes(':') || compacted.type !== `_:${type}`) return compacted;
  return { ...compacted, type };
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58btc(s: string): Buffer | null {
  let n = 0n;
  for (const c of s) {
    const i = BASE58.indexOf(c);
    if (i < 0) return null;
    n = n * 58n + BigInt(i);
  }
  const bytes: number[] = [];
  for (; n > 0n; n >>= 8n) bytes.unshift(Number(n & 0xffn));
  for (const c of s) {
    if (c !== '1') break;
    bytes.unshift(0);
  }
  return Buffer.from(bytes);
}

const pems = new Map<string, string | null>();

/**
 * An Ed25519 Multikey (FEP-521a; W3C Controlled Identifiers, "Multikey") as SPKI PEM:
 * `z` + base58btc of the multicodec prefix 0xed 0x01 and the 32-byte key. Other key types
 * (RSA Multikeys are rare and senders publish `publicKeyPem` beside them) give null.
 */
export function multikeyToPem(multibase: string): string | null {
  if (!multibase.startsWith('z') || multibase.length > 64) return null;
  // The same actor's keys are read on every delivery it sends: convert each once.
  const known = pems.get(multibase);
  if (known !== undefined) return known;
  const bytes = base58btc(multibase.slice(1));
  let pem: string | null = null;
  if (bytes && bytes.length === 34 && bytes[0] === 0xed && bytes[1] === 0x01) {
    try {
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: bytes.subarray(2).toString('base64url') };
      pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    } catch {
      pem = null;
    }
  }
  if (pems.size >= 1000) pems.clear();
  pems.set(multibase, pem);
  return pem;
}
