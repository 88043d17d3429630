import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BoundedMap } from '../../core/bounded-map.js';
import { logger } from '../../core/logger.js';
import { contextsDir } from '../../paths.js';

export interface ContextDocument {
  contextUrl: string | null;
  documentUrl: string;
  document: unknown;
}

/**
 * The JSON-LD contexts other servers name in nearly every `@context`, kept as the real
 * documents in contexts/ (contexts/README.md names the source of each), so that reading
 * an activity never waits on (or leaks to) a context server and never loses a term the
 * real document defines. An `http:` URL is looked up under `https:` too.
 */
const OFFLINE: Record<string, string> = {
  'https://www.w3.org/ns/activitystreams': 'activitystreams.jsonld',
  'https://www.w3.org/ns/activitystreams.jsonld': 'activitystreams.jsonld',
  'https://w3id.org/security/v1': 'security-v1.jsonld',
  'https://w3id.org/security/data-integrity/v1': 'data-integrity-v1.jsonld',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
  'https://purl.archive.org/socialweb/webfinger': 'webfinger.jsonld',
  'https://gotosocial.org/ns': 'gotosocial-ns.jsonld',
};

const files = new Map<string, unknown>();
/** An offline document by URL, read once from contexts/; undefined when we keep none. */
export function offlineContext(url: string): unknown {
  const file = OFFLINE[url] ?? OFFLINE[url.replace(/^http:/, 'https:')];
  if (!file) return undefined;
  if (!files.has(file)) files.set(file, JSON.parse(readFileSync(path.join(contextsDir, file), 'utf8')));
  return files.get(file);
}

/**
 * Whether an `@context` entry names a document to load: an absolute http(s) IRI. A bare
 * term or compact IRI (`"as:Hashtag"`, seen in the wild) is not a URL and is never fetched.
 */
export const isContextUrl = (entry: unknown): entry is string => typeof entry === 'string' && /^https?:\/\/[^/?#\s]+/i.test(entry);

/**
 * The document with the top-level `@context` entries JSON-LD could not use dropped: strings
 * that are not context URLs. Mastodon tolerates such entries; JSON-LD would resolve them as
 * relative IRIs and try to load them. Anything else is returned as given.
 */
export function withUsableContext<T>(doc: T): T {
  if (!doc || typeof doc !== 'object' || !('@context' in doc)) return doc;
  const context = (doc as { '@context': unknown })['@context'];
  const list = Array.isArray(context) ? context : [context];
  const kept = list.filter((c) => typeof c !== 'string' || isContextUrl(c));
  if (kept.length === list.length) return doc;
  logger.debug(`JSON-LD: ignoring @context entries that are not URLs: ${list.filter((c) => !kept.includes(c)).map(String).join(', ').slice(0, 200)}`);
  return { ...doc, '@context': Array.isArray(context) ? kept : (kept[0] ?? {}) };
}

export type ContextCache = {
  getContext(url: string): Promise<ContextDocument | null>;
  saveContext(doc: ContextDocument): Promise<void>;
};

/** How many fetched contexts and failures are remembered in memory (the cache table keeps the rest). */
const MEMORY = 500;

/**
 * apex's document loader fetches unknown contexts over the open network (ADR 0003).
 * This one answers from the offline set, then the database cache, then one
 * bounded fetch through the SafeFetcher; a context that cannot be had becomes an empty
 * one (its terms are dropped) for an hour, so a dead context server never stops federation.
 * Only absolute http(s) URLs are ever fetched. Both in-memory maps are bounded.
 */
export function contextLoader(cache: ContextCache, fetchJson: (url: string) => Promise<unknown>) {
  const memory = new BoundedMap<string, ContextDocument>(MEMORY);
  const failed = new BoundedMap<string, number>(MEMORY);
  return async function loadContext(url: string): Promise<ContextDocument> {
    const known = memory.get(url);
    if (known) return known;
    const offline = offlineContext(url);
    if (offline !== undefined) {
      const doc = { contextUrl: null, documentUrl: url, document: offline };
      memory.set(url, doc);
      return doc;
    }
    const empty = { contextUrl: null, documentUrl: url, document: { '@context': {} } };
    if (!isContextUrl(url)) {
      logger.debug(`JSON-LD context ${String(url).slice(0, 100)} is not a URL: treated as empty`);
      return empty;
    }
    const cached = await cache.getContext(url).catch(() => null);
    if (cached) {
      memory.set(url, cached);
      return cached;
    }
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
