import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { logger } from '../../core/logger.js';

export interface ContextDocument {
  contextUrl: string | null;
  documentUrl: string;
  document: unknown;
}

const require = createRequire(import.meta.url);
const apexVocab = (file: string): unknown =>
  JSON.parse(readFileSync(path.join(path.dirname(require.resolve('activitypub-express/package.json')), 'vocab', file), 'utf8'));

const AS = 'https://www.w3.org/ns/activitystreams';
const SEC = 'https://w3id.org/security/v1';

/**
 * The JSON-LD contexts the servers we talk to put in every activity, kept here so that
 * reading an activity never waits on (or leaks to) a context server. The two core
 * documents are apex's own copies; the others define the terms we read, in the
 * namespaces their projects publish (Fedify, Lemmy, Pleroma/Akkoma, Mobilizon, GoToSocial).
 */
const minimal = (terms: Record<string, unknown>): unknown => ({ '@context': terms });
const OFFLINE: Record<string, () => unknown> = {
  [AS]: () => apexVocab('as.json'),
  'https://www.w3.org/ns/activitystreams.jsonld': () => apexVocab('as.json'),
  [SEC]: () => apexVocab('security.json'),
  'https://w3id.org/security/data-integrity/v1': () =>
    minimal({ sec: 'https://w3id.org/security#', proof: { '@id': 'sec:proof', '@type': '@id', '@container': '@graph' } }),
  'https://w3id.org/security/data-integrity/v2': () =>
    minimal({ sec: 'https://w3id.org/security#', proof: { '@id': 'sec:proof', '@type': '@id', '@container': '@graph' } }),
  'https://w3id.org/security/multikey/v1': () =>
    minimal({ sec: 'https://w3id.org/security#', Multikey: 'sec:Multikey', publicKeyMultibase: 'sec:publicKeyMultibase', controller: { '@id': 'sec:controller', '@type': '@id' } }),
  'https://www.w3.org/ns/did/v1': () =>
    minimal({ alsoKnownAs: { '@id': 'https://www.w3.org/ns/activitystreams#alsoKnownAs', '@type': '@id' }, assertionMethod: { '@id': 'https://w3id.org/security#assertionMethod', '@type': '@id', '@container': '@set' } }),
  'https://litepub.social/litepub/context.jsonld': () =>
    minimal({ litepub: 'http://litepub.social/ns#', EmojiReact: 'litepub:EmojiReact', ChatMessage: 'litepub:ChatMessage', sensitive: 'as:sensitive', Hashtag: 'as:Hashtag', as: `${AS}#` }),
  'https://join-lemmy.org/context.json': () =>
    minimal({
      lemmy: 'https://join-lemmy.org/ns#', as: `${AS}#`, sc: 'http://schema.org/', pt: 'https://joinpeertube.org/ns#',
      stickied: 'lemmy:stickied', postingRestrictedToMods: 'lemmy:postingRestrictedToMods', matrixUserId: 'lemmy:matrixUserId',
      moderators: { '@type': '@id', '@id': 'lemmy:moderators' }, removeData: 'lemmy:removeData', distinguished: 'lemmy:distinguished',
      sensitive: 'as:sensitive', language: 'sc:inLanguage', identifier: 'sc:identifier', commentsEnabled: 'pt:commentsEnabled', expires: 'as:endTime',
    }),
  'https://gotosocial.org/ns': () => minimal({ gts: 'https://gotosocial.org/ns#', interactionPolicy: { '@id': 'gts:interactionPolicy', '@type': '@id' } }),
};

export type ContextCache = {
  getContext(url: string): Promise<ContextDocument | null>;
  saveContext(doc: ContextDocument): Promise<void>;
};

/**
 * apex's document loader fetches unknown contexts over the open network (DESIGN.md,
 * defect 4). This one answers from the offline set, then the database cache, then one
 * bounded fetch through the SafeFetcher; a context that cannot be had becomes an empty
 * one (its terms are dropped) for an hour, so a dead context server never stops federation.
 */
export function contextLoader(cache: ContextCache, fetchJson: (url: string) => Promise<unknown>) {
  const memory = new Map<string, ContextDocument>();
  const failed = new Map<string, number>();
  return async function loadContext(url: string): Promise<ContextDocument> {
    const known = memory.get(url);
    if (known) return known;
    const offline = OFFLINE[url] ?? OFFLINE[url.replace(/^http:/, 'https:')];
    if (offline) {
      const doc = { contextUrl: null, documentUrl: url, document: offline() };
      memory.set(url, doc);
      return doc;
    }
    const cached = await cache.getContext(url).catch(() => null);
    if (cached) {
      memory.set(url, cached);
      return cached;
    }
    const empty = { contextUrl: null, documentUrl: url, document: { '@context': {} } };
    if ((failed.get(url) ?? 0) > Date.now()) return empty;
    try {
      const document = await fetchJson(url);
      if (typeof document !== 'object' || document === null || !('@context' in document)) throw new Error('not a JSON-LD context');
      const doc = { contextUrl: null, documentUrl: url, document };
      await cache.saveContext(doc).catch((err) => logger.warn('could not cache a JSON-LD context', err));
      memory.set(url, doc);
      return doc;
    } catch (err) {
      logger.debug(`JSON-LD context ${url} unavailable, using an empty one: ${err instanceof Error ? err.message : err}`);
      failed.set(url, Date.now() + 3600_000);
      return empty;
    }
  };
}
