import type { Request } from 'express';

/**
 * Content negotiation between a page (HTML) and its ActivityStreams document, for every
 * route that serves both (actors, posts, activities, collections, events, reviews,
 * stories) and for error bodies.
 *
 * Accept is read as RFC 9110 §12.5.1 defines it: a comma-separated list of media ranges,
 * each with parameters and an optional weight `q` (0 to 1, default 1; `q=0` means "not
 * acceptable"). ActivityPub §3.2 says a client MUST ask with
 * `application/ld+json; profile="https://www.w3.org/ns/activitystreams"` and SHOULD
 * accept `application/activity+json` as equivalent; both are answered with the document.
 *
 * The rules, in order:
 * - ActivityStreams is asked for only by name: `application/activity+json` (any
 *   parameters), `application/ld+json` without a profile or with a profile list (the
 *   JSON-LD 1.1 media type registration: space-separated IRIs) that includes the ActivityStreams one, and
 *   `application/json` (Mastodon answers plain-JSON clients with the document too).
 *   Wildcards never ask for it: `*\/*` alone, or no Accept at all, is a browser or a
 *   link checker and gets the page.
 * - The page's weight is that of the most specific range matching `text/html` or
 *   `application/xhtml+xml` (the type itself, then `text/*` or `application/*`, then
 *   `*\/*`; RFC 9110 §12.5.1 "most specific reference has precedence"); the document's
 *   is the highest weight among the ranges naming it.
 * - The document wins when its weight is above zero and above the page's. On a tie, the
 *   range that names its type beats a wildcard, and between two named types the one
 *   listed first wins (the order Rails, and so Mastodon, keeps among equal weights). So a browser's
 *   `text/html,application/xhtml+xml,...,*\/*;q=0.8` gets the page, and
 *   `application/json, text/plain, *\/*` (axios, many scripts) gets JSON.
 */

/** One media range of an Accept header: lower-cased type and subtype, its parameters, its weight and position. */
export interface MediaRange {
  type: string;
  subtype: string;
  /** Parameters other than q, names lower-cased, values unquoted (case kept). */
  params: Record<string, string>;
  /** 0..1; 0 means "not acceptable". */
  q: number;
  /** Position in the header, from 0. */
  index: number;
}

/** The ActivityStreams namespace, the profile ActivityPub §3.2 names. */
export const AS2_PROFILE = 'https://www.w3.org/ns/activitystreams';

/**
 * Splits an Accept header into media ranges. Lenient where clients are sloppy (spaces,
 * unquoted IRIs as parameter values, empty elements) and strict where it matters: a
 * range whose weight is not a number from 0 to 1 is dropped, as is anything that is not
 * `type/subtype`. Commas and semicolons inside quoted strings do not split.
 */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const element of splitOutsideQuotes(header, ',')) {
    const [head = '', ...rest] = splitOutsideQuotes(element, ';');
    const m = /^\s*([a-z0-9!#$%&'*+.^_`|~-]+)\/([a-z0-9!#$%&'*+.^_`|~-]+)\s*$/i.exec(head);
    if (!m) continue;
    const params: Record<string, string> = {};
    let q = 1;
    let valid = true;
    for (const raw of rest) {
      const eq = raw.indexOf('=');
      if (eq < 0) continue;
      const name = raw.slice(0, eq).trim().toLowerCase();
      const value = unquote(raw.slice(eq + 1).trim());
      if (name === 'q') {
        q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : NaN;
        if (Number.isNaN(q)) valid = false;
      } else if (name) {
        params[name] = value;
      }
    }
    if (valid) ranges.push({ type: m[1]!.toLowerCase(), subtype: m[2]!.toLowerCase(), params, q, index: ranges.length });
  }
  return ranges;
}

/** True when the range names an ActivityStreams (or plain JSON) representation outright. */
function namesActivityStreams(r: MediaRange): boolean {
  if (r.type !== 'application') return false;
  if (r.subtype === 'activity+json' || r.subtype === 'json') return true;
  if (r.subtype !== 'ld+json') return false;
  const profile = r.params.profile;
  return profile === undefined || profile.split(/\s+/).includes(AS2_PROFILE);
}

const PAGE_TYPES = [
  ['text', 'html'],
  ['application', 'xhtml+xml'],
] as const;

/** The range that decides the page's weight: the most specific one matching an HTML type, the earliest among equals. */
function pageRange(ranges: MediaRange[]): { range: MediaRange; specificity: number } | null {
  let best: { range: MediaRange; specificity: number } | null = null;
  for (const [type, subtype] of PAGE_TYPES) {
    let chosen: { range: MediaRange; specificity: number } | null = null;
    for (const r of ranges) {
      const specificity = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
      if (specificity > (chosen?.specificity ?? -1)) chosen = { range: r, specificity };
    }
    if (chosen && (!best || outranks(chosen, best))) best = chosen;
  }
  return best;
}

/** Higher weight first, then the more specific range, then the one listed first. */
function outranks(a: { range: MediaRange; specificity: number }, b: { range: MediaRange; specificity: number }): boolean {
  if (a.range.q !== b.range.q) return a.range.q > b.range.q;
  if (a.specificity !== b.specificity) return a.specificity > b.specificity;
  return a.range.index < b.range.index;
}

/**
 * Whether a client sending this Accept header should get the ActivityStreams (JSON)
 * document rather than the HTML page. `undefined` or an empty header means "anything",
 * which is a browser's or crawler's request: the page. See the module comment for the rules.
 */
export function prefersActivityJson(accept: string | undefined): boolean {
  if (!accept?.trim()) return false;
  const ranges = parseAccept(accept);
  let doc: MediaRange | null = null;
  for (const r of ranges) if (namesActivityStreams(r) && r.q > (doc?.q ?? 0)) doc = r;
  if (!doc) return false;
  const page = pageRange(ranges);
  if (!page || page.range.q === 0) return true;
  if (doc.q !== page.range.q) return doc.q > page.range.q;
  // A tie: naming the type beats a wildcard; between two named types, the first listed wins.
  return page.specificity < 2 || doc.index < page.range.index;
}

/**
 * The one check every route that serves both a page and an ActivityStreams document
 * uses: a GET (or HEAD) whose Accept header prefers the document (`prefersActivityJson`).
 */
export const wantsActivityJson = (req: Request): boolean => (req.method === 'GET' || req.method === 'HEAD') && prefersActivityJson(req.headers.accept);

function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted && c === '\\' && i + 1 < s.length) {
      current += c + s[i + 1];
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** A quoted-string's content (RFC 9110 §5.6.4: backslash escapes one character); a token as it is. */
function unquote(v: string): string {
  if (v.length < 2 || !v.startsWith('"') || !v.endsWith('"')) return v;
  return v.slice(1, -1).replace(/\\(.)/g, '$1');
}
