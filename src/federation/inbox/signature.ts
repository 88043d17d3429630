import type { Apex, ApDoc } from 'activitypub-express';
import { firstId, firstText } from '../convert.js';
import type { KeyLookup, PublicKey } from '../http-signatures.js';
import type { FederationPolicy } from '../policy.js';
import { hostOf } from '../host.js';
import { DomainError } from '../../core/errors.js';

const KEY_TYPES = new Set(['Key', 'CryptographicKey', 'sec:Key']);

/**
 * Key lookup for HTTP Signatures through apex's object cache: a keyId names an actor
 * (Mastodon's `#main-key`) or a key document with an owner (GoToSocial). `refresh`
 * re-fetches, for a sender that rotated its key. Blocked servers are never fetched.
 */
export interface SenderKeys {
  lookup: KeyLookup;
  /** The signer's actor document, as the key lookup just read it (no second read). */
  actor(id: string): Promise<ApDoc>;
}

export function senderKeys(apex: Apex, policy: FederationPolicy): SenderKeys {
  // The last documents read, so the inbox does not read the signer twice per request.
  const recent = new Map<string, ApDoc>();
  const remember = (doc: ApDoc) => {
    if (recent.size >= 256) recent.delete(recent.keys().next().value!);
    recent.set(doc.id, doc);
  };
  const lookup: KeyLookup = async (keyId, { refresh }): Promise<PublicKey | null> => {
    if (!policy.allowsHost(hostOf(keyId))) throw new DomainError('blocked', 403, 'This server does not accept activities from you.');
    const url = keyId.split('#')[0]!;
    let doc: ApDoc | null = await apex.resolveObject(url, false, refresh).catch(() => null);
    if (doc) remember(doc);
    if (doc && KEY_TYPES.has(doc.type)) {
      const owner = firstId(doc.owner) ?? firstId(doc.controller);
      const pem = firstText(doc.publicKeyPem);
      return owner && pem ? { owner, publicKeyPem: pem } : null;
    }
    if (!doc) return null;
    const keys: unknown[] = doc.publicKey ?? [];
    const key = keys.find((k) => firstId(k) === keyId) ?? keys[0];
    const pem = key && typeof key === 'object' ? firstText((key as Record<string, unknown>).publicKeyPem) : null;
    if (!pem) return null;
    return { owner: doc.id, publicKeyPem: pem };
  };
  return {
    lookup,
    actor: async (id) => {
      const doc = recent.get(id);
      recent.delete(id);
      return doc ?? apex.resolveObject(id);
    },
  };
}

