import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import nunjucks from 'nunjucks';
import { type HandleOwner, accountAddress, formatHandle } from '../community/handle.js';
import { renderMarkdown } from '../community/markdown.js';
import { atLeast } from '../community/roles.js';
import type { Config } from '../config.js';
import { viewsDir } from '../paths.js';
import type { Csrf } from './csrf.js';
import { stars } from '../reviews/review.service.js';

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const formattedDates = new Map<string, string>();

/**
 * "22 Nov 2026, 11:36 UTC". Intl formatting costs more than the rest of a post card, and a
 * page shows the same recent timestamps to every visitor, so results are kept (bounded).
 */
function formatDate(iso: string): string {
  if (!iso) return '';
  let text = formattedDates.get(iso);
  if (text === undefined) {
    text = dateFormat.format(new Date(iso)) + ' UTC';
    if (formattedDates.size >= 5000) formattedDates.clear();
    formattedDates.set(iso, text);
  }
  return text;
}

const zonedFormats = new Map<string, Intl.DateTimeFormat>();
const zonedFormat = (tz: string): Intl.DateTimeFormat => {
  let f = zonedFormats.get(tz);
  if (!f) zonedFormats.set(tz, (f = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: tz })));
  return f;
};

/** Everything every page shows: the community's name, description and rules, and who is looking. */
export interface PageGlobals {
  /** address: how the fediverse follows the community (@handle@host), null when federation is off. */
  community: { name: string; handle: string; description: string; rulesHtml: string; address: string | null };
  membershipMode: string;
  /** The currency, named in the community's words; null when the economy is off. */
  economy: { name: string; plural: string; symbol: string; gifts: boolean } | null;
  /** Optional modules that are on: pages show their links only then. */
  modules: Config['modules'];
  /** Whether visitors may send a story. */
  storyVisitors: boolean;
}

export function createRenderer(config: Config, csrf: Csrf) {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: false }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('date', formatDate);
  // An event's time on its own wall clock: "Sat 5 Dec 2026, 19:30 (Europe/Paris)".
  env.addFilter('inZone', (iso: string, tz: string) => `${zonedFormat(tz).format(new Date(iso))} (${tz})`);
  // A rating (or an average, rounded) as five stars.
  env.addFilter('stars', (n: number) => stars(Math.min(5, Math.max(0, Math.round(Number(n) || 0)))));
  // `{{ post.author | handle }}`, or `{{ row.target_handle | handle(row.target_domain) }}` for a bare column.
  env.addFilter('handle', (who: HandleOwner | string | null | undefined, domain?: string | null) =>
    who ? formatHandle(typeof who === 'string' ? { handle: who, domain } : who) : '',
  );
  // A form's one-time submission key (`form.once()`): 128 random bits, base64url.
  env.addGlobal('onceKey', () => randomBytes(16).toString('base64url'));
  env.addFilter('avatarUrl', (file: string | null) => (file ? `/uploads/avatars/${file}` : '/static/avatar.svg'));
  const globals: PageGlobals = {
    community: {
      name: config.community.name,
      handle: config.community.handle,
      description: config.community.description,
      rulesHtml: renderMarkdown(config.community.rules),
      address: config.federation.enabled ? accountAddress(config.community.handle, new URL(config.server.url).host) : null,
    },
    membershipMode: config.membership.mode,
    modules: { ...config.modules },
    storyVisitors: config.submissions.visitors,
    economy: config.economy.enabled
      ? { name: config.economy.currency_name, plural: config.economy.currency_plural, symbol: config.economy.symbol, gifts: config.economy.gifts }
      : null,
  };
  // "12 cups of coffee ☕", "1 cup of coffee ☕", "-3 cups of coffee ☕".
  env.addFilter('currency', (amount: number) => {
    const e = config.economy;
    return `${amount.toLocaleString('en')} ${Math.abs(amount) === 1 ? e.currency_name : e.currency_plural}${e.symbol ? ` ${e.symbol}` : ''}`;
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
    const html = env.render(template, {
      ...globals,
      viewer,
      path: req.path,
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
