/** @mentions and #hashtags in what members write: read by federation (tags) and notifications. */

export interface Mention {
  user: string;
  /** null for a local member (@handle). */
  domain: string | null;
}

// @user or @user@domain, not inside an e-mail address or a URL path.
const MENTION = /(?<![\w@/.])@([a-z0-9_][a-z0-9_.-]{0,63})(?:@([a-z0-9.-]+\.[a-z]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?)?/gi;
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
