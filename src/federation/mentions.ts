import { logger } from '../core/logger.js';
import type { SafeFetcher } from './safe-fetch.js';

interface WebFingerDoc {
  links?: { rel?: string; type?: string; href?: string }[];
}

/** user@domain → actor IRI, through the remote server's WebFinger; cached for an hour. */
export class WebFingerClient {
  private readonly cache = new Map<string, { iri: string | null; until: number }>();

  constructor(
    private readonly fetcher: SafeFetcher,
    /** Loopback test peers speak plain http; real servers only https. */
    private readonly allowHttpLoopback: boolean,
  ) {}

  async resolve(user: string, domain: string): Promise<string | null> {
    const key = `${user}@${domain}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.iri;
    const scheme = this.allowHttpLoopback && /^(localhost|127\.\d+\.\d+\.\d+)(:\d+)?$/.test(domain) ? 'http' : 'https';
    const url = `${scheme}://${domain}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${key}`)}`;
    let iri: string | null = null;
    try {
      const doc = await this.fetcher.fetchJson<WebFingerDoc>(url, { accept: 'application/jrd+json, application/json' });
      const self = doc.links?.find((l) => l.rel === 'self' && /application\/(activity\+json|ld\+json)/.test(l.type ?? ''));
      iri = self?.href && /^https?:\/\//.test(self.href) ? self.href : null;
    } catch (err) {
      logger.debug(`webfinger ${key} failed: ${err instanceof Error ? err.message : err}`);
    }
    this.cache.set(key, { iri, until: Date.now() + 3600_000 });
    return iri;
  }
}
