import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import nunjucks from 'nunjucks';
import { type HandleOwner, accountAddress, formatHandle } from '../community/handle.js';
import { replyCountText, replyNoun, threadKind } from '../community/reply-words.js';
import { type LabelGroup, label } from '../community/labels.js';
import { markdownToPlainText, renderMarkdown } from '../community/markdown.js';
import { PASSWORD_MIN } from '../community/member.rules.js';
import { atLeast } from '../community/roles.js';
import type { Config } from '../config.js';
import { formatNumber, formatTime, formatWallClock } from '../core/format.js';
import { isTimeZone } from '../core/timezone.js';
import { viewsDir } from '../paths.js';
import type { Csrf } from './csrf.js';
import { type FieldLimits, fieldLimits } from './field-limits.js';
import { stars } from '../reviews/review.service.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/**
 * User text placed beside other text, isolated so its direction cannot reorder what is
 * around it ("by Anna 🌸 آنا · 29 Nov 2026" must not swap the Arabic with the date).
 * Escaped here, then marked safe: the one place user text becomes markup.
 */
const isolate = (text: string | null | undefined): nunjucks.runtime.SafeString | '' => {
  if (!text) return '';
  const s = String(text);
  // Most names and titles hold nothing to escape: testing first skips replace's copy (several per card).
  return new nunjucks.runtime.SafeString(`<bdi>${/[&<>"']/.test(s) ? s.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : s}</bdi>`);
};

/** Everything every page shows: the community's name, description and rules, and who is looking. */
export interface PageGlobals {
  /** address: how the fediverse follows the community (@handle@host), null when federation is off. */
  /** descriptionText: the description as plain text, one line (made once: every page shows it). */
  community: { name: string; handle: string; description: string; descriptionText: string; rulesHtml: string; address: string | null; timezone: string };
  membershipMode: string;
  /** The currency, named in the community's words; null when the economy is off. */
  economy: { name: string; plural: string; symbol: string; gifts: boolean } | null;
  /** Optional modules that are on: pages show their links only then. */
  modules: Config['modules'];
  /** Whether visitors may send a story. */
  storyVisitors: boolean;
  /** Longest text per kind of field, in characters, the shortest password and the largest image (KB): forms show them before anything is sent. */
  limits: FieldLimits & { imageKb: number; passwordMin: number };
}

export function createRenderer(config: Config, csrf: Csrf) {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: false }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  // The zone of whoever the page being rendered is for: set around each (synchronous)
  // env.render, so every filter call of that page, imported macros included, sees it.
  let viewerZone = config.community.timezone;
  // `{{ iso | date }}`: the one way a time is shown, on the viewer's clock. `date(event.timezone)`
  // shows an event on the clock of the place it happens (that is the time on its posters),
  // labelled with the zone when it is not the viewer's: "Sat, 5 Dec 2026, 19:30 (Europe/Paris)".
  // Every time is on the reader's clock (issue 13, fault 6). `{{ e.starts_at | date(e.timezone) }}`
  // adds the event's own clock when it differs: "Sun, 6 Dec 2026, 01:30 (Sat 19:30 in America/New_York)".
  env.addFilter('date', (iso: string | null | undefined, zone?: string | null) => {
    const text = formatTime(iso, viewerZone);
    if (!text || !zone || zone === viewerZone || !isTimeZone(zone)) return text;
    return `${text} (${formatWallClock(iso!, zone)} in ${zone})`;
  });
  // `{{ n | number }}`: counts and amounts with the locale's grouping, never "-0".
  env.addFilter('number', formatNumber);
  // `{{ post.author.displayName | bdi }}`: a name, title or other user text inside a sentence.
  env.addFilter('bdi', isolate);
  // A rating (or an average, rounded) as five stars.
  env.addFilter('stars', (n: number) => stars(Math.min(5, Math.max(0, Math.round(Number(n) || 0)))));
  // `{{ post.author | handle }}`, or `{{ row.target_handle | handle(row.target_domain) }}` for a bare column.
  // Isolated like any user text (remote handles can be in any script).
  const handleOf = (who: HandleOwner | string | null | undefined, domain?: string | null): string =>
    who ? formatHandle(typeof who === 'string' ? { handle: who, domain } : who) : '';
  env.addFilter('handle', (who: HandleOwner | string | null | undefined, domain?: string | null) => isolate(handleOf(who, domain)));
  // The same as plain text, for where markup cannot go: attributes and the <title>.
  env.addFilter('handleText', handleOf);
  // Members' Markdown as one line of plain text for attributes (<meta> descriptions): `{{ md | plainText(200) }}`.
  env.addFilter('plainText', (md: string | null | undefined, maxLength?: number) => markdownToPlainText(md ?? '', { maxLength, singleLine: true }));
  // `{{ post.replyCount | replies(post.kind) }}` → "1 answer"; `{{ 'question' | replyNoun(2) }}` → "answers".
  env.addFilter('replies', (count: number, kind: unknown) => replyCountText(Number(count) || 0, threadKind(kind)));
  env.addFilter('replyNoun', (kind: unknown, count = 1) => replyNoun(threadKind(kind), Number(count)));
  // `{{ m.role | label('role') }}`: codes from the data in words (src/community/labels.ts).
  env.addFilter('label', (code: string | null | undefined, group: LabelGroup) => label(group, code));
  // A form's one-time submission key (`form.once()`): 128 random bits, base64url.
  env.addGlobal('onceKey', () => randomBytes(16).toString('base64url'));
  env.addFilter('avatarUrl', (file: string | null) => (file ? `/uploads/avatars/${file}` : '/static/avatar.svg'));
  const globals: PageGlobals = {
    community: {
      name: config.community.name,
      handle: config.community.handle,
      description: config.community.description,
      descriptionText: markdownToPlainText(config.community.description, { singleLine: true }),
      rulesHtml: renderMarkdown(config.community.rules),
      timezone: config.community.timezone,
      address: config.federation.enabled ? accountAddress(config.community.handle, new URL(config.server.url).host) : null,
    },
    membershipMode: config.membership.mode,
    modules: { ...config.modules },
    storyVisitors: config.submissions.visitors,
    limits: { ...fieldLimits(config), imageKb: config.limits.avatar_max_kb, passwordMin: PASSWORD_MIN },
    economy: config.economy.enabled
      ? { name: config.economy.currency_name, plural: config.economy.currency_plural, symbol: config.economy.symbol, gifts: config.economy.gifts }
      : null,
  };
  // "12 cups of coffee ☕", "1 cup of coffee ☕", "-3 cups of coffee ☕".
  env.addFilter('currency', (amount: number) => {
    const e = config.economy;
    return `${formatNumber(amount)} ${Math.abs(amount) === 1 ? e.currency_name : e.currency_plural}${e.symbol ? ` ${e.symbol}` : ''}`;
  });

  return function render(req: Request, res: Response, template: string, data: Record<string, unknown> = {}, status = 200): void {
    const member = req.member;
    const viewer = member
      ? {
          id: member.id,
          handle: member.handle,
          displayName: member.display_name,
          role: member.role,
          isModerator: atLeast(member.role, 'moderator'),
          isAdmin: atLeast(member.role, 'admin'),
        }
      : null;
    viewerZone = member?.timezone && isTimeZone(member.timezone) ? member.timezone : config.community.timezone;
    const html = env.render(template, {
      ...globals,
      viewer,
      path: req.path,
      // The zone shown times are in, for a page that wants to say so.
      timeZone: viewerZone,
      csrf: () => csrf.token(req, res),
      // Members always get the token (no cookie needed); visitors' forms call csrf(), which
      // sets the visitor cookie only on pages that have a form.
      csrfToken: member ? csrf.token(req, res) : '',
      // Set by the middleware in app.ts for signed-in members' pages: the bell's count.
      unread: res.locals.unread ?? 0,
      ...data,
    });
    res.status(status).type('html').send(html);
  };
}

export type Render = ReturnType<typeof createRenderer>;
