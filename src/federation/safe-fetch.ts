import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './address-guard.js';
import { openUnit } from '../core/after-commit.js';
import { logger } from '../core/logger.js';

/** Why a remote fetch was refused or failed; `code` is stable for callers and logs. */
export class RemoteFetchError extends Error {
  constructor(
    readonly code: 'bad_url' | 'private_address' | 'too_many_redirects' | 'too_large' | 'timeout' | 'network' | 'http_status',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RemoteFetchError';
  }
}

export interface SafeFetchOptions {
  /**
   * Lets fetches reach loopback and private addresses. Off in production; the one switch
   * tests use to federate with peers on 127.0.0.1 (federation.allow_private_addresses).
   */
  allowPrivateAddresses: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  /**
   * Which resolved addresses may be reached. Default: public ones only (any, with
   * allowPrivateAddresses). Tests use it to stand a loopback peer in for a public server.
   */
  allowAddress?: (address: string) => boolean;
  /** DNS resolution, replaceable in tests; defaults to the system resolver. */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

export interface FetchRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Follow redirects (GET only); each hop is checked like the first. */
  followRedirects?: boolean;
}

export interface FetchResponse {
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const systemResolve = (hostname: string) =>
  new Promise<{ address: string; family: number }[]>((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/**
 * The only way Hearth reaches other servers. It resolves the host itself, refuses any
 * private or loopback address (unless allowPrivateAddresses), then connects to exactly the
 * address it checked, so DNS cannot be switched between check and connect. Time, size and
 * redirects are bounded; every redirect hop is checked again.
 */
let fetchesInsideUnits = 0;
/** How many fetches this process made inside a unit of work (each one a stall of the whole server); tests expect 0. */
export const fetchesMadeInsideUnits = (): number => fetchesInsideUnits;

export class SafeFetcher {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxRedirects: number;
  private readonly resolve: NonNullable<SafeFetchOptions['resolve']>;

  constructor(private readonly options: SafeFetchOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxRedirects = options.maxRedirects ?? 3;
    this.resolve = options.resolve ?? systemResolve;
  }

  async fetch(rawUrl: string, request: FetchRequest = {}): Promise<FetchResponse> {
    // A unit of work holds the database (ADR 0006): a fetch inside one stalls every page
    // for as long as the other server takes. Nothing should; say so where it is seen.
    if (openUnit()) {
      fetchesInsideUnits++;
      logger.warn(`federation: fetching ${rawUrl} inside a unit of work holds the database meanwhile`);
    }
    const deadline = Date.now() + this.timeoutMs;
    let url = rawUrl;
    for (let hop = 0; ; hop++) {
      const response = await this.once(url, request, deadline);
      const location = response.headers.location;
      const redirect = [301, 302, 303, 307, 308].includes(response.status) && location;
      if (!redirect || request.followRedirects === false || (request.method ?? 'GET') !== 'GET') return response;
      if (hop >= this.maxRedirects) throw new RemoteFetchError('too_many_redirects', `more than ${this.maxRedirects} redirects from ${rawUrl}`);
      url = new URL(location, url).toString();
    }
  }

  /** GET a JSON document (ActivityPub objects, WebFinger); non-2xx and non-JSON are errors. */
  async fetchJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.fetch(url, { headers: { accept: 'application/activity+json, application/ld+json, application/json', ...headers } });
    if (res.status < 200 || res.status > 299) throw new RemoteFetchError('http_status', `${url} answered ${res.status}`, res.status);
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new RemoteFetchError('bad_url', `${url} did not return JSON`);
    }
  }

  private async checkedAddress(url: URL): Promise<{ address: string; family: number }> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.resolve(host).catch(() => []);
    if (addresses.length === 0) throw new RemoteFetchError('network', `cannot resolve ${host}`);
    // Every address must pass: a name that also resolves inside the network is refused.
    const allowed = this.options.allowAddress ?? (this.options.allowPrivateAddresses ? () => true : isPublicAddress);
    if (addresses.some((a) => !allowed(a.address))) {
      throw new RemoteFetchError('private_address', `${host} resolves to a non-public address`);
    }
    return addresses[0]!;
  }

  private async once(rawUrl: string, request: FetchRequest, deadline: number): Promise<FetchResponse> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new RemoteFetchError('bad_url', `not a URL: ${rawUrl.slice(0, 100)}`);
    }
    const secure = url.protocol === 'https:';
    // Plain http only where private addresses are allowed (local test peers).
    if (!secure && !(url.protocol === 'http:' && this.options.allowPrivateAddresses)) {
      throw new RemoteFetchError('bad_url', `only https URLs are fetched: ${url.origin}`);
    }
    if (url.username || url.password) throw new RemoteFetchError('bad_url', 'URLs with credentials are not fetched');
    const target = await this.checkedAddress(url);
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new RemoteFetchError('timeout', `timed out fetching ${url.origin}`);

    return new Promise<FetchResponse>((resolve, reject) => {
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const req = (secure ? https : http).request(
        url,
        {
          method: request.method ?? 'GET',
          lookup: pinned,
          headers: {
            'user-agent': this.options.userAgent ?? 'Hearth',
            ...(body ? { 'content-length': String(body.length) } : {}),
            ...request.headers,
          },
          timeout: remaining,
        },
        (res) => {
          const declared = Number(res.headers['content-length'] ?? 0);
          if (declared > this.maxBytes) {
            res.destroy();
            return reject(new RemoteFetchError('too_large', `${url.origin} sent more than ${this.maxBytes} bytes`));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBytes) {
              res.destroy();
              reject(new RemoteFetchError('too_large', `${url.origin} sent more than ${this.maxBytes} bytes`));
            } else chunks.push(chunk);
          });
          res.on('end', () => resolve({ url: url.toString(), status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', (err) => reject(new RemoteFetchError('network', `${url.origin}: ${err.message}`)));
        },
      );
      // One deadline for the whole exchange, body included: a server that trickles bytes is cut off too.
      const timedOut = () => {
        reject(new RemoteFetchError('timeout', `timed out fetching ${url.origin}`));
        req.destroy();
      };
      const timer = setTimeout(timedOut, remaining);
      req.on('close', () => clearTimeout(timer));
      req.on('timeout', timedOut);
      req.on('error', (err) => reject(err instanceof RemoteFetchError ? err : new RemoteFetchError('network', `${url.origin}: ${err.message}`)));
      req.end(body);
    });
  }
}
