/** @mentions and #hashtags in what members write: read by federation (tags), notifications and the Markdown renderer. */
import type { DbOrTx } from '../db/schema.js';

export interface Mention {
  user: string;
  /** null for a local member (@handle). */
  domain: string | null;
}

// @user or @user@domain, not inside an e-mail address or a URL path.
const HANDLE = String.raw`@([a-z0-9_][a-z0-9_.-]{0,63})(?:@([a-z0-9.-]+\.[a-z]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?)?`;
const MENTION = new RegExp(String.raw`(?<![\w@/.])${HANDLE}`, 'gi');
/** Where the next mention may start in a piece of text (for the Markdown lexer). */
export const MENTION_START = new RegExp(String.raw`(?<![\w@/.])${HANDLE}`, 'i');
/** A mention at the very start of a piece of text: 1 user, 2 host, 3 port. */
export const MENTION_AT_START = new RegExp(`^${HANDLE}`, 'i');
const HASHTAG = /(?<![\w#&/])#([\p{L}\p{N}_]{1,64})/gu;

export function extractMentions(text: string): Mention[] {
  const seen = new Map<string, Mention>();
  for (const m of text.replace(/`[^`]*`/g, '').matchAll(MENTION)) {
    const user = m[1]!.toLowerCase().replace(/[.-]+$/, '');
    const domain = m[2] ? `${m[2].toLowerCase()}${m[3] ? `:${m[3]}` : ''}` : null;
    seen.set(`${user}@${domain ?? ''}`, { user, domain });
  }
  return [...seen.values()];
}

export function extractHashtags(text: string): string[] {
  const tags = new Set<string>();
  for (const m of text.replace(/`[^`]*`/g, '').matchAll(HASHTAG)) {
    if (!/^\d+$/.test(m[1]!)) tags.add(m[1]!.toLowerCase());
  }
  return [...tags];
}

/** Mention key → profile URL: `/@ana` for a local member, the profile page on their server for a remote one. */
export type KnownMentions = ReadonlyMap<string, string>;

/** How a mention is looked up: `ana` for a local member, `zoe@example.social` (as remote handles are stored) for a remote one. */
export const mentionKey = (m: Mention): string => (m.domain === null ? m.user : `${m.user}@${m.domain}`);

/**
 * Which of the mentioned people this server knows, in one query whatever their number:
 * active local members, and active people from other servers (known because they wrote
 * here, were followed or looked up). Anyone else is not linked: a handle nobody holds, or a
 * pending sign-up, stays text. At most 50 mentions are looked up.
 */
export async function knownMentions(db: DbOrTx, mentions: readonly Mention[]): Promise<KnownMentions> {
  const wanted = mentions.slice(0, 50);
  const known = new Map<string, string>();
  if (!wanted.length) return known;
  const local = wanted.filter((m) => m.domain === null).map(mentionKey);
  const remote = wanted.filter((m) => m.domain !== null).map(mentionKey);
  const rows = await db
    .selectFrom('members')
    .select(['handle', 'domain', 'profile_url', 'actor_iri'])
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb.and([eb('domain', 'is', null), eb('handle', 'in', local.length ? local : [''])]),
        eb.and([eb('domain', 'is not', null), eb('handle', 'in', remote.length ? remote : [''])]),
      ]),
    )
    .execute();
  for (const r of rows) {
    const href = r.domain === null ? `/@${r.handle}` : (r.profile_url ?? r.actor_iri);
    if (href && /^(\/@|https?:\/\/)/.test(href)) known.set(r.handle, href);
  }
  return known;
}
