import ActivitypubExpress, { type Apex, type ApDoc } from 'activitypub-express';
import { afterCommit, openUnit } from '../../core/after-commit.js';
import { logger } from '../../core/logger.js';
import { signRequest } from '../http-signatures.js';
import type { FederationPolicy } from '../policy.js';
import { hostOf } from '../host.js';
import type { SafeFetcher } from '../safe-fetch.js';
import type { SqliteApexStore } from '../store/apex-store.js';
import { withPlainType, withWellKnownFields } from '../actor-fields.js';
import { contextLoader, withUsableContext } from './contexts.js';

export const AS_TYPES = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** Terms we read and write beyond ActivityStreams and security/v1, sent as our inline context. */
export const EXTRA_CONTEXT = {
  toot: 'http://joinmastodon.org/ns#',
  litepub: 'http://litepub.social/ns#',
  lemmy: 'https://join-lemmy.org/ns#',
  discoverable: 'toot:discoverable',
  indexable: 'toot:indexable',
  manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
  sensitive: 'as:sensitive',
  Hashtag: 'as:Hashtag',
  EmojiReact: 'litepub:EmojiReact',
  Emoji: 'toot:Emoji',
  postingRestrictedToMods: 'lemmy:postingRestrictedToMods',
  moderators: { '@id': 'lemmy:moderators', '@type': '@id' },
  alsoKnownAs: { '@id': 'as:alsoKnownAs', '@type': '@id' },
  movedTo: { '@id': 'as:movedTo', '@type': '@id' },
  // Polls, as Mastodon writes them.
  votersCount: 'toot:votersCount',
  // Events, as Mobilizon writes them.
  mz: 'https://joinmobilizon.org/ns#',
  ical: 'http://www.w3.org/2002/12/cal/ical#',
  schema: 'http://schema.org#',
  joinMode: 'mz:joinMode',
  maximumAttendeeCapacity: 'mz:maximumAttendeeCapacity',
  remainingAttendeeCapacity: 'mz:remainingAttendeeCapacity',
  participantCount: 'mz:participantCount',
  isOnline: 'mz:isOnline',
  timezone: 'mz:timezone',
  anonymousParticipationEnabled: 'mz:anonymousParticipationEnabled',
  repliesModerationOption: 'mz:repliesModerationOption',
  PostalAddress: 'schema:PostalAddress',
  streetAddress: 'schema:streetAddress',
  address: { '@id': 'schema:address' },
};

export interface ApexDeps {
  baseUrl: string;
  version: string;
  store: SqliteApexStore;
  fetcher: SafeFetcher;
  policy: FederationPolicy;
  /** The key our fetches are signed with (the community actor's), for servers that require signed reads. */
  signingKey: () => Promise<{ keyId: string; privateKeyPem: string } | null>;
  /** Called when apex queues deliveries: our worker sends them (apex's loop stays off). */
  wakeDelivery: () => void;
}

/**
 * apex on our SQLite store, with the stages ADR 0003 lists as defective replaced:
 * remote fetches and JSON-LD contexts go through the SafeFetcher and the domain policy,
 * the delivery loop is off (our worker drains the same queue), no delivery goes back to
 * our own server, and collection Updates are never broadcast. One comment per fix.
 */
export function createApex(deps: ApexDeps): Apex {
  const apex = ActivitypubExpress({
    name: 'Hearth',
    version: deps.version,
    baseUrl: deps.baseUrl,
    actorParam: 'actor',
    objectParam: 'id',
    activityParam: 'id',
    routes: {
      actor: '/@:actor',
      object: '/o/:id',
      activity: '/a/:id',
      inbox: '/@:actor/inbox',
      outbox: '/@:actor/outbox',
      followers: '/@:actor/followers',
      following: '/@:actor/following',
      liked: '/@:actor/liked',
      collections: '/@:actor/c/:id',
      blocked: '/@:actor/blocked',
      rejections: '/@:actor/rejections',
      rejected: '/@:actor/rejected',
      shares: '/a/:id/shares',
      likes: '/a/:id/likes',
    },
    endpoints: { sharedInbox: `${deps.baseUrl}/inbox` },
    context: [EXTRA_CONTEXT],
    store: deps.store,
    // Defect: apex's delivery loop is serial, in memory and retries seconds apart.
    offlineMode: true,
    itemsPerPage: 20,
    // Replies are attached by our handlers; apex need not walk long reply chains.
    threadDepth: 2,
    logger: { info: (...a) => logger.debug(a.map(String).join(' ')), warn: (...a) => logger.debug(a.map(String).join(' ')), error: (...a) => logger.warn(a.map(String).join(' ')) },
  });

  const fetchJson = async (url: string, accept: string): Promise<unknown> => {
    if (!deps.policy.allowsHost(hostOf(url))) throw new Error(`federation with ${hostOf(url)} is blocked`);
    const key = await deps.signingKey();
    const headers: Record<string, string> = key
      ? signRequest({ method: 'GET', url, keyId: key.keyId, privateKeyPem: key.privateKeyPem, headers: { accept } })
      : { accept };
    delete headers.host;
    return deps.fetcher.fetchJson(url, headers);
  };

  // Defect: apex fetches remote objects with `request`, unguarded. Ours refuses private
  // addresses (unless the test switch is on), bounds time, size and redirects, honours
  // domain blocks, and signs the GET for servers in "authorized fetch" mode.
  // The well-known actor fields (inbox, keys, profile) are kept from the raw JSON when
  // the sender's contexts made JSON-LD lose them (see actor-fields.ts).
  apex.requestObject = async (id: string): Promise<ApDoc | null> => {
    const json = await fetchJson(id, AS_TYPES);
    if (typeof json !== 'object' || json === null) return null;
    const doc = await apex.fromJSONLD(json as object);
    return doc ? withWellKnownFields(doc, json) : doc;
  };

  // Defect: apex loads unknown JSON-LD contexts from the network with no guard or bound.
  apex.jsonldContextLoader = contextLoader(deps.store, (url) => fetchJson(url, 'application/ld+json, application/json'));

  // A bare term in an @context list ("as:Hashtag") is not a context to load: dropped, as
  // Mastodon tolerates it, instead of being resolved as a URL and fetched. A type the
  // sender's contexts leave undefined is read as written (see withPlainType).
  const fromJSONLD = apex.fromJSONLD.bind(apex);
  apex.fromJSONLD = async (obj) => {
    const doc = await fromJSONLD(withUsableContext(obj));
    return doc ? withPlainType(doc, obj) : doc;
  };

  // Our worker drains the queue; apex only tells it there is work.
  apex.startDelivery = () => deps.wakeDelivery();

  // Local recipients (a space's Group addressed by a member's post) are handled in
  // process; an HTTP delivery to ourselves would only come back as a duplicate.
  // Blocked domains never get a delivery.
  const address = apex.address.bind(apex);
  apex.address = async (activity, sender, audienceOverride) =>
    (await address(activity, sender, audienceOverride)).filter((a) => !apex.isLocalIRI(a) && deps.policy.allowsHost(hostOf(a)));

  // apex builds every collection header and page through a full JSON-LD compaction
  // (three per activity it builds). Their fields are plain IRIs and numbers, whose
  // compacted form is known: build it directly. A test checks it equals apex's own.
  apex.buildCollection = async (id, isOrdered, totalItems) => ({
    id,
    type: isOrdered ? 'OrderedCollection' : 'Collection',
    totalItems: [totalItems],
    first: [apex.addPageToIRI(id, true)],
  });
  apex.buildCollectionPage = async (collectionId, page, isOrdered, lastItemId) => {
    const doc: ApDoc = { id: apex.addPageToIRI(collectionId, page), type: isOrdered ? 'OrderedCollectionPage' : 'CollectionPage', partOf: [collectionId] };
    if (lastItemId) doc.next = [apex.addPageToIRI(collectionId, lastItemId)];
    return doc;
  };

  // Most activities we build are flat (Announce, Like or EmojiReact of an IRI, to and cc
  // lists): their compacted form is the same values in arrays, with the public collection
  // as `as:Public`. Build those directly; anything with an embedded object goes through
  // apex's JSON-LD path. A test checks both paths give the same document.
  const buildActivity = apex.buildActivity.bind(apex);
  apex.buildActivity = async (type, actorId, to, etc = {}) => {
    const fields: Record<string, unknown> = { actor: actorId, to, published: new Date().toISOString(), ...etc };
    delete fields.id;
    if (!Object.entries(fields).every(([k, v]) => FLAT_KEYS.has(k) && flatValue(v))) return buildActivity(type, actorId, to, etc);
    const activityId = apex.store.generateId();
    const doc: ApDoc = { id: typeof etc.id === 'string' ? etc.id : apex.utils.activityIdToIRI(activityId), type };
    for (const [k, v] of Object.entries(fields)) doc[k] = (Array.isArray(v) ? v : [v]).map((x: string) => (x === PUBLIC_IRI ? 'as:Public' : x));
    const collections = apex.utils.idToActivityCollections(activityId);
    for (const key of Object.keys(collections)) doc[key] = [await apex.buildCollection(collections[key]!, true, 0)];
    return doc;
  };

  // apex compacts the outgoing JSON-LD while it resolves the addresses, even when there
  // is nobody to send to (a space with no remote followers): compact only when needed.
  const publish = async (actor: ApDoc, activity: ApDoc, audienceOverride?: string[]) => {
    const addresses = await apex.address(activity, actor, audienceOverride);
    if (!addresses.length) return undefined;
    return apex.queueForDelivery(actor, await apex.toJSONLD(activity), addresses);
  };
  // Addressing may fetch recipients from other servers (an actor not stored yet). Inside a
  // unit of work (an inbound activity, ADR 0006) that fetch would hold the database, and
  // every page with it, for as long as the other server takes: the activity is stored in
  // the outbox with the unit, and addressed and queued once the unit has committed.
  apex.publishActivity = async (actor, activity, audienceOverride) => {
    if (!openUnit()) return publish(actor, activity, audienceOverride);
    afterCommit(() => void publish(actor, activity, audienceOverride).catch((err) => logger.warn(`federation: could not address ${String(activity.id)}`, err)));
    return undefined;
  };

  // Defect: apex publishes an Update of a whole collection (likes, shares, followers)
  // to every follower after each like, share or follow. Nobody reads those; we send none.
  const publishUpdate = apex.publishUpdate.bind(apex);
  apex.publishUpdate = async (actor, object, cc) => {
    if (/Collection$/.test(object?.type ?? '')) return undefined;
    return publishUpdate(actor, object, cc);
  };

  // Compaction writes the public collection as `as:Public`. JSON-LD readers (Mastodon,
  // Fedify) accept that; plain-JSON readers such as Lemmy compare the full IRI. Send that.
  const toJSONLD = apex.toJSONLD.bind(apex);
  apex.toJSONLD = async (obj) => expandPublic(await toJSONLD(obj)) as Record<string, unknown>;

  return apex;
}

const PUBLIC_IRI = 'https://www.w3.org/ns/activitystreams#Public';
const FLAT_KEYS = new Set(['actor', 'to', 'cc', 'object', 'target', 'audience', 'published', 'content']);
/** A plain web IRI or text: nothing JSON-LD compaction would rewrite (prefixes, objects, language maps). */
const flatString = (v: unknown): boolean => typeof v === 'string' && !/^(as|toot|litepub|lemmy|sec|xsd):/.test(v) && !/^https?:\/\/(www\.w3\.org|w3id\.org|joinmastodon\.org|litepub\.social|join-lemmy\.org)\//.test(v);
const flatValue = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 && v.every(flatString) : flatString(v)) || (v === PUBLIC_IRI) || (Array.isArray(v) && v.every((x) => x === PUBLIC_IRI || flatString(x)));
const ADDRESSING = new Set(['to', 'cc', 'bto', 'bcc', 'audience']);

function expandPublic(value: unknown, key = ''): unknown {
  if (value === 'as:Public' && ADDRESSING.has(key)) return PUBLIC_IRI;
  if (Array.isArray(value)) return value.map((v) => expandPublic(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandPublic(v, k)]));
  }
  return value;
}
