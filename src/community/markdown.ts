import { Marked, type Token, type Tokens, type TokenizerAndRendererExtension } from 'marked';
import sanitizeHtml from 'sanitize-html';
import type { DbOrTx } from '../db/schema.js';
import { extractMentions, knownMentions, MENTION_AT_START, MENTION_START, mentionKey, type KnownMentions } from './mentions.js';

/** An @mention as the lexer reads it; `href` is filled in from the known accounts before rendering. */
interface MentionToken extends Tokens.Generic {
  type: 'mention';
  raw: string;
  /** Lower-cased, as handles are stored. */
  user: string;
  /** As written. */
  shown: string;
  domain: string | null;
  href?: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `@user` and `@user@host` as their own inline token. Being a token (and not a pass over
 * the HTML) is what keeps code spans, code blocks and link texts untouched (the lexer
 * reads those first, and link texts say `inLink`), and stops GFM from reading
 * `@zoe@example.social` as the e-mail address `zoe@example.social`.
 */
const mentionExtension: TokenizerAndRendererExtension = {
  name: 'mention',
  level: 'inline',
  start(src) {
    return src.match(MENTION_START)?.index;
  },
  tokenizer(src) {
    if (this.lexer.state.inLink) return undefined;
    const m = MENTION_AT_START.exec(src);
    if (!m) return undefined;
    // A sentence's full stop after a local handle is not part of it.
    const user = m[2] ? m[1]! : m[1]!.replace(/[.-]+$/, '');
    const domain = m[2] ? `${m[2]}${m[3] ? `:${m[3]}` : ''}` : null;
    const raw = domain ? m[0] : `@${user}`;
    return { type: 'mention', raw, user: user.toLowerCase(), shown: user, domain: domain?.toLowerCase() ?? null } satisfies MentionToken;
  },
  renderer(token) {
    const t = token as MentionToken;
    if (!t.href) return escapeHtml(t.raw);
    if (t.domain === null) return `<a href="${escapeHtml(t.href)}" class="mention">@${escapeHtml(t.shown)}</a>`;
    // Mastodon's shape for a remote account (h-card microformat), so other software reads it the same way.
    return `<span class="h-card"><a href="${escapeHtml(t.href)}" class="u-url mention">@<span>${escapeHtml(t.shown)}</span></a></span>`;
  },
};

const marked = new Marked({ gfm: true, breaks: true, async: false, extensions: [mentionExtension] });

/**
 * What members' Markdown may become. Raw HTML in the source is passed through Markdown
 * and then cut down to this allowlist, so `<script>`, event handlers, `style` and
 * `javascript:` links never reach a page. Images are not allowed: a post cannot make
 * readers' browsers call a third-party server.
 */
const options: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'strong', 'b', 'em', 'i', 'del', 's', 'code', 'pre', 'blockquote',
    'ul', 'ol', 'li', 'a', 'span', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'], th: ['align'], td: ['align'] },
  // Only the mention markup's classes (its look, and the microformat other servers read).
  allowedClasses: { a: ['mention', 'u-url'], span: ['h-card'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    // Headings inside a post must not compete with the page's own headings.
    h1: 'h3',
    h2: 'h4',
    // A link within this site (a member's profile) is ours to vouch for; every other one is not.
    a: (tagName, attribs) => {
      const { rel: _rel, ...rest } = attribs;
      return { tagName, attribs: /^\/(?!\/)/.test(attribs.href ?? '') ? rest : { ...rest, rel: 'nofollow noopener ugc' } };
    },
  },
  allowedSchemesAppliedToAttributes: ['href'],
};

/**
 * Members' Markdown as safe HTML (GFM, single line breaks kept, the allowlist above).
 * `known` maps mention keys (`ana`, `zoe@example.social`, see `mentionKey`) to profile
 * URLs: those mentions become links, every other one stays text. Use
 * `renderWithMentions` where the accounts should be looked up.
 */
export function renderMarkdown(source: string, known: KnownMentions = new Map()): string {
  const tokens = marked.lexer(source);
  if (known.size) {
    marked.walkTokens(tokens, (t) => {
      if (t.type === 'mention') {
        const m = t as MentionToken;
        m.href = known.get(mentionKey(m));
      }
    });
  }
  const html = marked.parser(tokens) as string;
  return sanitizeHtml(html, options).trim();
}

export interface PlainTextOptions {
  /** At most this many characters (UTF-16 units), cut at a word boundary and ended with "…". */
  maxLength?: number;
  /** One line: every run of whitespace, line breaks included, becomes one space (meta tags, previews). */
  singleLine?: boolean;
}

/**
 * Members' Markdown as plain text, for everything that is not HTML: calendar files, e-mail,
 * notification and link previews, `<meta>` descriptions. Emphasis marks go, entities are
 * decoded, paragraphs stay apart by a blank line, list items keep a bullet ("- ", "1. "),
 * links read "text (url)", code keeps its text, raw HTML keeps only its text. The result
 * is text, not HTML: escape it wherever it goes into markup.
 */
export function markdownToPlainText(source: string, opts: PlainTextOptions = {}): string {
  let text = blocks(marked.lexer(source)).replace(/\n{3,}/g, '\n\n').trim();
  if (opts.singleLine) text = text.replace(/\s+/g, ' ');
  return opts.maxLength === undefined ? text : truncate(text, opts.maxLength);
}

/** Cuts at the last space before `max` (unless that loses more than half), then adds "…". */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 2) return '…'.slice(0, max);
  const cut = text.slice(0, max - 1);
  // A word that ends exactly at the cut is whole; otherwise the cut word goes.
  const space = /\s/.test(text[max - 1]!) ? cut.length : cut.search(/\s\S*$/);
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function blocks(tokens: Token[]): string {
  return tokens.map(block).filter((s) => s !== '').join('\n\n');
}

function block(t: Token): string {
  switch (t.type) {
    case 'paragraph':
    case 'heading':
      return inline(t.tokens ?? []);
    case 'text':
      return t.tokens ? inline(t.tokens) : decodeEntities(t.text);
    case 'code':
      return t.text;
    case 'blockquote':
      return blocks(t.tokens ?? []).replace(/^/gm, '> ');
    case 'list': {
      const list = t as Tokens.List;
      const start = typeof list.start === 'number' ? list.start : 1;
      return list.items
        .map((item, i) => {
          const bullet = list.ordered ? `${start + i}. ` : '- ';
          return bullet + blocks(item.tokens).replace(/\n/g, `\n${' '.repeat(bullet.length)}`);
        })
        .join('\n');
    }
    case 'table': {
      const table = t as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => cells.map((c) => inline(c.tokens)).join(' | ');
      return [row(table.header), ...table.rows.map(row)].join('\n');
    }
    case 'html':
      return decodeEntities(sanitizeHtml(t.text, { allowedTags: [], allowedAttributes: {} })).trim();
    case 'hr':
    case 'space':
    case 'def':
      return '';
    default:
      return 'tokens' in t && Array.isArray(t.tokens) ? inline(t.tokens) : decodeEntities(String(t.raw ?? ''));
  }
}

function inline(tokens: Token[]): string {
  return tokens.map(inlineOne).join('');
}

function inlineOne(t: Token): string {
  switch (t.type) {
    case 'text':
      return t.tokens ? inline(t.tokens) : decodeEntities(t.text);
    case 'escape':
    case 'codespan':
      return t.text;
    case 'br':
      return '\n';
    case 'link': {
      const label = inline(t.tokens ?? []);
      const href: string = t.href;
      // An address that is its own text (autolinks, e-mail) is written once.
      if (href.startsWith('mailto:') || label === href || `mailto:${label}` === href || label === href.replace(/^https?:\/\//, '')) return label || href;
      return label ? `${label} (${href})` : href;
    }
    case 'image':
      return t.text ? decodeEntities(t.text) : '';
    case 'html':
      return '';
    case 'mention':
      return t.raw;
    default:
      return 'tokens' in t && Array.isArray(t.tokens) ? inline(t.tokens) : decodeEntities(String(t.raw ?? ''));
  }
}

/** The named entities people type; numeric ones are decoded for any code point. Unknown names stay as written. */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–', copy: '©', reg: '®',
  trade: '™', euro: '€', pound: '£', yen: '¥', cent: '¢', deg: '°', times: '×', divide: '÷', middot: '·', bull: '•',
  laquo: '«', raquo: '»', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', sect: '§', para: '¶', shy: '',
};

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (name) return NAMED[name] ?? whole;
    const cp = dec ? Number(dec) : parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\uFFFD';
  });
}

/**
 * `renderMarkdown` with the mentioned people looked up first (one query): what every
 * service that stores members' Markdown as HTML (posts, replies, stories, event
 * descriptions, reviews) renders with. Mentions are decided when the text is written, as
 * the notification of the mentioned member and the federation Mention tags are.
 */
export async function renderWithMentions(db: DbOrTx, source: string): Promise<string> {
  return renderMarkdown(source, await knownMentions(db, extractMentions(source)));
}
