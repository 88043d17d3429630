import type { PollView } from '../polls/poll.service.js';
import type { ApDoc } from 'activitypub-express';
import type { PostRow } from '../community/post.table.js';

export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

export interface NoteContext {
  baseUrl: string;
  authorIri: string;
  authorFollowers: string;
  groupIri: string;
  /** The IRI of the post this one answers, if any. */
  inReplyTo: string | null;
  mentions: { href: string; name: string }[];
  hashtags: string[];
}

/**
 * Stored HTML links within this site by path (a mention is `<a href="/@ana">`); other
 * servers need the whole address. Only the sanitizer's output comes here, whose attributes
 * are always double-quoted.
 */
export const absoluteLinks = (html: string, baseUrl: string): string => html.replace(/href="\/(?!\/)/g, `href="${baseUrl}/`);

export const postIri = (baseUrl: string, postId: number): string => `${baseUrl}/p/${postId}`;

/**
 * A local post as ActivityStreams: a Note, or an Article when it has a title (Lemmy
 * and Mastodon both show an Article's name), addressed to the public, the author's
 * followers and the space's Group, with the Group as `audience` (FEP-1b12).
 */
export function postToNote(post: PostRow, c: NoteContext): Record<string, unknown> {
  const id = postIri(c.baseUrl, post.id);
  return {
    id,
    type: post.title ? 'Article' : 'Note',
    attributedTo: c.authorIri,
    name: post.title ?? undefined,
    content: absoluteLinks(post.body_html, c.baseUrl),
    mediaType: 'text/html',
    source: { content: post.body_md, mediaType: 'text/markdown' },
    url: id,
    published: post.created_at,
    updated: post.edited_at ?? undefined,
    inReplyTo: c.inReplyTo ?? undefined,
    to: [PUBLIC],
    cc: [c.authorFollowers, c.groupIri, ...c.mentions.map((m) => m.href)],
    audience: c.groupIri,
    sensitive: false,
    tag: [
      ...c.mentions.map((m) => ({ type: 'Mention', href: m.href, name: m.name })),
      ...c.hashtags.map((t) => ({ type: 'Hashtag', href: `${c.baseUrl}/tags/${encodeURIComponent(t)}`, name: `#${t}` })),
    ],
  };
}

/** What a remote Note, Article or Page carries that a post needs (apex's compacted form: arrays). */
export interface RemoteNote {
  id: string;
  type: string;
  html: string;
  title: string | null;
  url: string | null;
  published: string | null;
  inReplyTo: string | null;
  attributedTo: string | null;
  audience: string[];
}

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const idOf = (v: unknown): string | null => {
  const x = first(v);
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string') return (x as { id: string }).id;
  if (x && typeof x === 'object' && Array.isArray((x as { href?: unknown }).href)) return String((x as { href: unknown[] }).href[0]);
  return null;
};
const text = (v: unknown): string | null => {
  const x = first(v);
  if (typeof x === 'string') return x;
  // Language maps (contentMap) come through apex as objects with @value or a language key.
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o['@value'] === 'string') return o['@value'];
    const any = Object.values(o).find((s) => typeof s === 'string');
    return typeof any === 'string' ? any : null;
  }
  return null;
};

export const POST_TYPES = new Set(['Note', 'Article', 'Page', 'Question']);

export function noteToRemotePost(doc: ApDoc): RemoteNote {
  const audience = ['to', 'cc', 'audience']
    .flatMap((k) => (Array.isArray(doc[k]) ? doc[k] : doc[k] ? [doc[k]] : []))
    .map((v: unknown) => idOf(v))
    .filter((v): v is string => v !== null);
  return {
    id: doc.id,
    type: doc.type,
    html: text(doc.content) ?? text(doc.contentMap) ?? '',
    title: doc.type === 'Note' ? null : text(doc.name),
    url: idOf(doc.url),
    published: text(doc.published),
    inReplyTo: idOf(doc.inReplyTo),
    attributedTo: idOf(doc.attributedTo),
    audience,
  };
}

export const firstId = idOf;
export const firstText = text;

/**
 * A thread with a poll, as Mastodon federates polls: a `Question` with `oneOf` or `anyOf`
 * choices (each a Note named after the option, its votes in `replies.totalItems`),
 * `endTime`, `votersCount`, and `closed` once over. Counts stay at 0 while a poll that
 * shows results only at closing is open. The thread's title leads the content.
 */
export function withPoll(note: Record<string, unknown>, poll: PollView): Record<string, unknown> {
  const counts = poll.closed || poll.results === 'after_vote';
  const choices = poll.options.map((o) => ({ type: 'Note', name: o.name, replies: { type: 'Collection', totalItems: counts ? o.votes : 0 } }));
  const { name, ...rest } = note;
  const title = typeof name === 'string' && name ? `<p><strong>${name.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</strong></p>` : '';
  return {
    ...rest,
    type: 'Question',
    content: `${title}${String(note.content ?? '')}`,
    [poll.multiple ? 'anyOf' : 'oneOf']: choices,
    endTime: poll.closesAt,
    votersCount: counts ? poll.votersCount : 0,
    ...(poll.closed ? { closed: poll.closesAt } : {}),
  };
}
