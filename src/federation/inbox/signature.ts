import { createPublicKey } from 'node:crypto';
import type { Apex, ApDoc } from 'activitypub-express';
import { DomainError } from '../../core/errors.js';
import { BoundedMap } from '../../core/bounded-map.js';
import { logger } from '../../core/logger.js';
import { type ActorKey, isRealActor, wellKnownActorFields } from '../actor-fields.js';
import type { KeyLookup, PublicKey } from '../http-signatures.js';
import { hostOf } from '../host.js';
import type { FederationPolicy } from '../policy.js';
import { RemoteFetchError } from '../safe-fetch.js';

/**
 * Key lookup for HTTP Signatures. A keyId names a document: the actor itself (Mastodon's
 * `actor#main-key`), a stub Person that only carries the key (GoToSocial's
 * `actor/main-key`), or a key document (`Key`/`CryptographicKey` with `owner`, FEP-521a
 * `Multikey` with `controller`). Whatever that document is, it only names the owner:
 * the actor is always the document at the owner's id, must be a real actor (an inbox),
 * and must itself list the key (in `publicKey`, or `assertionMethod` for FEP-521a) with
 * the same key material. Only that actor is stored as the actor; a stub never is.
 * `refresh` re-fetches both, for a sender that rotated its key. Blocked servers are never
 * fetched. A URL that answered 410 Gone is not asked again for a while (deleted accounts
 * send floods of Deletes whose keys are gone).
 */
export interface SenderKeys {
  lookup: KeyLookup;
  /** The signer's actor document, as the key lookup just read it (no second read). */
  actor(id: string): Promise<ApDoc>;
}

/** How long a key or actor URL that answered 410 Gone is not asked again, in ms. */
const GONE_MS = 3600_000;
/** How long a key or actor URL that could not be fetched otherwise (timeout, 404, 5xx) is not asked again, in ms. */
const FAILED_MS = 60_000;

const withoutFragment = (iri: string): string => iri.split('#')[0]!;

/** Whether two PEM texts hold the same public key (formatting aside). */
function sameKey(a: string, b: string): boolean {
  try {
    return createPublicKey(a).export({ type: 'spki', format: 'der' }).equals(createPublicKey(b).export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}

/** The key the actor lists under `keyId`; an actor named by the keyId itself may list it under another id. */
function listedKey(actor: ApDoc, keyId: string): ActorKey | undefined {
  const keys = wellKnownActorFields(actor).keys.filter((k) => k.owner === actor.id);
  return keys.find((k) => k.id === keyId) ?? (withoutFragment(keyId) === actor.id ? keys.find((k) => k.publicKeyPem) : undefined);
}

/**
 * The KeyLookup the inbox and signed reads verify with (see SenderKeys). Throws
 * DomainError 'blocked' (403) for a keyId or owner on a blocked server; answers null
 * (the signature is then refused with 401) for a key that cannot be found, whose owner
 * is not a real actor, or that the owner does not list with the same key material.
 */
export function senderKeys(apex: Apex, policy: FederationPolicy): SenderKeys {
  const now = Date.now;
  // URLs not to ask again until the time given (ms): gone (410) or failing.
  const skip = new BoundedMap<string, number>(10_000);
  const inFlight = new Map<string, Promise<ApDoc | null>>();
  // Keys that live outside their actor's document: key URL → owner, so the next request reads no stub.
  const owners = new BoundedMap<string, string>(10_000);
  // The actors just verified, so the inbox does not read the signer twice per request.
  const recent = new BoundedMap<string, ApDoc>(256);

  const refuseBlocked = (iri: string) => {
    if (!policy.allowsHost(hostOf(iri))) throw new DomainError('blocked', 403, 'This server does not accept activities from you.');
  };
  const isSkipped = (url: string): boolean => {
    const until = skip.get(url);
    if (until !== undefined && until <= now()) skip.delete(url);
    return until !== undefined && until > now();
  };

  /**
   * A document through apex's guarded (and signed) fetch, not stored. Concurrent asks for
   * one URL share a fetch; a 410 is remembered for GONE_MS, any other failure for
   * FAILED_MS, so neither a flood of requests naming a dead or slow key URL nor the
   * verifier's refresh retry costs another request.
   */
  const fetchDoc = (url: string): Promise<ApDoc | null> => {
    if (apex.isLocalIRI(url) || isSkipped(url)) return Promise.resolve(null);
    const running = inFlight.get(url);
    if (running) return running;
    const work = apex
      .requestObject(url)
      .catch((err: unknown) => {
        skip.set(url, now() + (err instanceof RemoteFetchError && err.status === 410 ? GONE_MS : FAILED_MS));
        logger.debug(`key lookup: ${url} unavailable: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      })
      .finally(() => inFlight.delete(url));
    inFlight.set(url, work);
    return work;
  };

  /** Stores a verified actor, replacing whatever was kept under its id (a stub stored by an earlier version). */
  const keep = async (actor: ApDoc): Promise<void> => {
    if (!(await apex.store.saveObject(actor))) await apex.store.updateObject(actor, actor.id, true);
  };

  /** The real actor at `id`: from the store, else fetched and stored; null if there is none. */
  const actorAt = async (id: string, refresh: boolean): Promise<ApDoc | null> => {
    refuseBlocked(id);
    if (isSkipped(id)) return null;
    const stored: ApDoc | null = refresh && !apex.isLocalIRI(id) ? null : await apex.store.getObject(id, false);
    if (stored && isRealActor(stored)) return stored;
    const fetched = await fetchDoc(id);
    if (!fetched || fetched.id !== id || !isRealActor(fetched)) return null;
    await keep(fetched);
    return fetched;
  };

  const accept = (actor: ApDoc, publicKeyPem: string): PublicKey => {
    recent.set(actor.id, actor);
    return { owner: actor.id, publicKeyPem };
  };

  const lookup: KeyLookup = async (keyId, { refresh }) => {
    refuseBlocked(keyId);
    const keyUrl = withoutFragment(keyId);
    if (isSkipped(keyUrl)) return null;

    const knownOwner = refresh ? undefined : owners.get(keyUrl);
    if (knownOwner) {
      const actor = await actorAt(knownOwner, false);
      const key = actor && listedKey(actor, keyId);
      if (actor && key?.publicKeyPem) return accept(actor, key.publicKeyPem);
    }

    // 1. The document at the key's URL. A stored one is only ever a real actor (the key
    // is in it); anything else is read afresh.
    let doc: ApDoc | null = refresh && !apex.isLocalIRI(keyUrl) ? null : await apex.store.getObject(keyUrl, false);
    const stored = !!doc && isRealActor(doc);
    if (!stored) doc = await fetchDoc(keyUrl);
    if (!doc) return null;
    const fields = wellKnownActorFields(doc);
    const selfActor = doc.id === keyUrl && isRealActor(doc);
    const claimed = fields.keys.find((k) => k.id === keyId) ?? (selfActor ? fields.keys.find((k) => k.publicKeyPem) : undefined);
    const ownerId = claimed?.owner ?? null;
    if (!claimed || !ownerId) return null;

    // 2. The actor: this document only when it is the real actor served at its own id.
    const isActorDoc = selfActor && ownerId === doc.id;
    if (isActorDoc && !stored) await keep(doc);
    const actor = isActorDoc ? doc : await actorAt(ownerId, refresh);
    if (!actor) {
      logger.debug(`key lookup: ${keyId} names ${ownerId}, which is not an actor we can reach`);
      return null;
    }

    // 3. The actor must list the key, with the same material.
    const listed = listedKey(actor, keyId);
    const servedAtOwnUrl = withoutFragment(doc.id) === keyUrl;
    const pem = listed?.publicKeyPem ?? (servedAtOwnUrl ? claimed.publicKeyPem : null);
    if (!listed || !pem || (claimed.publicKeyPem && claimed.publicKeyPem !== pem && !sameKey(claimed.publicKeyPem, pem))) {
      logger.debug(`key lookup: ${actor.id} does not list the key ${keyId}`);
      return null;
    }
    if (!isActorDoc) owners.set(keyUrl, actor.id);
    return accept(actor, pem);
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
