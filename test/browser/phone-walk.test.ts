import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { logIn, mainNav, outputDir, useBrowserHearth } from './chromium.js';
import { ALL_MODULES, seedEverything } from './phone-seed.js';

/** The narrowest phone the issue names (fault 18); screenshots use a common 390 px one. */
const PHONE = { width: 360, height: 740 };
const SHOT = { width: 390, height: 844 };

/** Titles the error page gives (src/web/errors.ts), for pages that answer 200 but show one. */
const ERROR_TITLE = /^(Bad request|Please log in|Not allowed|Not found|Conflict|Too large|Check your input|Slow down|Server error|Error)$/i;

/**
 * Words that look like codes but are ordinary text: Latin abbreviations written with a dot.
 * Everything else shaped like `post.remove` or `under_review` is a code shown to a person.
 */
const ALLOWED_CODES = new Set(['e.g', 'i.e']);
const DOTTED_OR_SNAKE = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*\b|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g;

/**
 * The raw codes in a page's visible text. What legitimately has dots or underscores is taken
 * out first: URLs, e-mail addresses, fediverse addresses and @handles (handles may hold "_"),
 * host names, file names, and the members' own handles (their data, shown as they chose them).
 */
export function rawCodes(text: string, handles: readonly string[]): string[] {
  let t = text
    .replace(/\b(?:https?|mailto):\S+/gi, ' ')
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' ')
    .replace(/@[a-z0-9_]+(?:@[\w.:-]+)?/gi, ' ')
    .replace(/\b(?:[a-z0-9-]+\.)+(?:example|com|org|net|social|test|local|localhost|io|dev|de|fr|uk|eu|coop)\b/gi, ' ')
    .replace(/\b[\w-]+\.(?:png|jpe?g|gif|webp|svg|ics|csv|toml|sqlite|json|txt|md|pdf)\b/gi, ' ');
  for (const h of handles) t = t.split(h).join(' ');
  return [...new Set(t.match(DOTTED_OR_SNAKE) ?? [])].filter((c) => !ALLOWED_CODES.has(c));
}

/** The little of the DOM the in-page checks use (the test program is compiled without the DOM library). */
interface El {
  tagName: string;
  id: string;
  classList: { value: string };
  parentElement: El | null;
  getBoundingClientRect(): { right: number; width: number };
  checkVisibility(): boolean;
}
interface Doc {
  documentElement: { scrollWidth: number; clientWidth: number };
  body: El & { querySelectorAll(selector: string): ArrayLike<El>; innerText: string };
}

/** Runs in the page: null when nothing is wider than the viewport, else the widest offender. */
function overflowInPage(): string | null {
  const doc = (globalThis as unknown as { document: Doc }).document;
  const de = doc.documentElement;
  if (de.scrollWidth <= de.clientWidth) return null;
  let worst: El | null = null;
  let right = de.clientWidth + 0.5;
  // Later elements are deeper or further on: ">=" names the innermost of equally wide ones.
  const all = doc.body.querySelectorAll('*');
  for (let i = 0; i < all.length; i++) {
    const el = all[i] as El;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right >= right && el.checkVisibility()) {
      right = r.right;
      worst = el;
    }
  }
  // No helper functions in here: tsx would wrap them in a __name() the page does not have.
  const parts: string[] = [];
  for (let e: El | null = worst; e && e !== doc.body && parts.length < 4; e = e.parentElement) {
    parts.unshift(e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '') + (e.classList.value ? `.${e.classList.value.trim().split(/\s+/).join('.')}` : ''));
  }
  return `scrollWidth ${de.scrollWidth} > ${de.clientWidth}; widest: ${parts.join(' > ') || '?'} (right edge ${Math.round(right)} px)`;
}

/**
 * HTML attribute names our pages may use. A name outside it is markup the templates glued
 * together (`value=""requiredmaxlength="30"`: nunjucks' trimBlocks eats the space between
 * two conditional attributes), which silently drops `required` and `maxlength`.
 */
const ATTRIBUTES = new Set(('accept action alt autocomplete autofocus charset checked class cols colspan content ' +
  'crossorigin datetime decoding defer dir disabled download enctype fill for headers height hidden href hreflang ' +
  'id inputmode lang loading max maxlength media method min minlength multiple name novalidate open pattern ' +
  'placeholder property readonly rel required reversed role rows rowspan scope selected size sizes span src srcset ' +
  'start step style tabindex target title type value viewbox width xmlns d stroke stroke-width stroke-linecap ' +
  'stroke-linejoin cx cy r x y x1 x2 y1 y2 points transform fill-rule clip-rule shape-rendering').split(' '));

/** Runs in the page: attribute names that are not HTML (see ATTRIBUTES), with their element. */
function gluedAttributes(known: string[]): string[] {
  const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ tagName: string; getAttributeNames(): string[] }> } }).document;
  const ok = new Set(known);
  const found: string[] = [];
  const all = doc.querySelectorAll('*');
  for (let i = 0; i < all.length; i++) {
    const el = all[i]!;
    for (const name of el.getAttributeNames()) {
      if (!ok.has(name.toLowerCase()) && !name.startsWith('data-') && !name.startsWith('aria-')) found.push(`<${el.tagName.toLowerCase()} ${name}>`);
    }
  }
  return [...new Set(found)];
}

/** Same-origin page links under `selector`, without fragments, files and the log-out form. */
async function linksIn(page: Page, base: string, selector: string): Promise<string[]> {
  const hrefs = await page.$$eval(`${selector} a[href]`, (as) => as.map((a) => (a as unknown as { href: string }).href));
  return hrefs
    .map((h) => new URL(h))
    .filter((u) => u.origin === base && !/\.(ics|csv|png|jpe?g|svg|webp)$/.test(u.pathname) && !/^\/(media|static)\//.test(u.pathname))
    .map((u) => `${u.pathname}${u.search}`);
}

interface Person {
  label: string;
  /** Null for a visitor. */
  handle: string | null;
}

/**
 * Checks one loaded page: sideways overflow, raw codes in the visible text, and (for a
 * logged-in person) an error page that lost their header.
 */
async function checkPage(page: Page, where: string, status: number, who: Person, handles: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const overflow = await page.evaluate(overflowInPage);
  if (overflow) problems.push(`${who.label} ${where}: sideways scroll: ${overflow}`);
  const codes = rawCodes(await page.evaluate(() => (globalThis as unknown as { document: Doc }).document.body.innerText), handles);
  if (codes.length) problems.push(`${who.label} ${where}: raw codes in text: ${codes.join(', ')}`);
  const glued = await page.evaluate(gluedAttributes, [...ATTRIBUTES]);
  if (glued.length) problems.push(`${who.label} ${where}: attributes glued together: ${glued.join(', ')}`);
  // One read of the page (no waiting locators: most pages have no error, some no <h1>).
  const seen = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
    return { h1: (doc.querySelector('h1')?.textContent ?? '').trim(), errorPage: doc.querySelector('.error-page') !== null, header: doc.querySelector('.site-header')?.textContent ?? '', logOut: doc.querySelector('.site-header form[action="/logout"]') !== null };
  });
  const h1 = seen.h1;
  const isError = status >= 400 || ERROR_TITLE.test(h1) || seen.errorPage;
  if (isError && who.handle) {
    const header = seen.header;
    const logOut = seen.logOut ? 1 : 0;
    if (!header.includes(`@${who.handle}`) || logOut === 0) problems.push(`${who.label} ${where}: error page (${status} "${h1}") without ${who.label}'s header (handle and Log out)`);
  }
  return problems;
}

/**
 * Walks what a person can reach: the header's links, then every link in the main column of
 * those pages (the admin and settings tabs included), three levels deep. Query-string and id
 * variants of one route are visited at most six times, to keep the walk short.
 */
async function walk(page: Page, base: string, who: Person, handles: readonly string[]): Promise<{ visited: string[]; problems: string[] }> {
  const problems: string[] = [];
  const seen = new Set<string>();
  const perRoute = new Map<string, number>();
  const visit = async (url: string): Promise<boolean> => {
    if (seen.has(url)) return false;
    const route = url.replace(/\?.*$/, '').replace(/\d+/g, ':id');
    if ((perRoute.get(route) ?? 0) >= 6) return false;
    seen.add(url);
    perRoute.set(route, (perRoute.get(route) ?? 0) + 1);
    const response = await page.goto(base + url);
    if (!response || !(response.headers()['content-type'] ?? '').includes('text/html')) return false;
    problems.push(...(await checkPage(page, url, response.status(), who, handles)));
    return true;
  };

  // Breadth first: the header's links, then what those pages link to, twice more.
  await visit('/');
  let next = [...new Set(await linksIn(page, base, '.site-header'))];
  for (let depth = 1; depth <= 3 && next.length; depth++) {
    const found: string[] = [];
    for (const url of next) {
      if (await visit(url)) found.push(...(await linksIn(page, base, ':is(main, .sidebar)')));
    }
    next = [...new Set(found)];
  }
  return { visited: [...seen], problems };
}

describe('every page on a 360 px phone', function () {
  this.timeout(600000);
  const ctx = useBrowserHearth(ALL_MODULES);

  it('the raw-code check finds codes and leaves addresses, handles and file names alone', () => {
    const text = 'Olga did post.remove and economy.grant (25); status under_review. See https://cafe.example/a_b.c, write to mia_x@cafe.example, follow @community@cafe.example or @ben_the_barista, edit config.toml, e.g. at roastery.example.';
    expect(rawCodes(text, ['ben_the_barista'])).to.deep.equal(['post.remove', 'economy.grant', 'under_review']);
    expect(rawCodes('by owner_with_a_long_handle', ['owner_with_a_long_handle'])).to.deep.equal([]);
  });

  it('as owner, member and visitor: nothing scrolls sideways, no raw codes, error pages keep the header', async () => {
    const { h, browser, base } = ctx;
    const seeded = await seedEverything(h);
    const handles = seeded.handles;
    const people: Person[] = [
      { label: 'owner', handle: seeded.ownerHandle },
      { label: 'member', handle: seeded.memberHandle },
      { label: 'visitor', handle: null },
    ];
    const problems: string[] = [];
    for (const who of people) {
      const context = await browser.newContext({ viewport: PHONE });
      const page = await context.newPage();
      if (who.handle) await logIn(page, base, who.handle);
      const { visited, problems: found } = await walk(page, base, who, handles);
      problems.push(...found);
      // HEARTH_WALK_LOG=1 lists what each walk visited, to see what a change to the links reaches.
      if (process.env.HEARTH_WALK_LOG) console.log(who.label, visited.length, visited.join(' '));
      // The walk reached the pages the issue names, so a pass means something.
      const expected = who.label === 'owner' ? ['/admin/invites', '/leaderboard', '/wallet', '/admin/log', '/settings/notifications'] : who.label === 'member' ? ['/wallet', '/notifications', '/events'] : ['/events', '/spaces'];
      for (const url of expected) expect(visited.some((v) => v.startsWith(url)), `${who.label} walk reached ${url}`).to.equal(true);
      expect(visited.some((v) => /^\/p\/\d+$/.test(v)), `${who.label} walk reached a thread`).to.equal(true);

      // The header on one line, and the menu open, overflow nothing either.
      await page.goto(`${base}/`);
      const header = (await page.locator('.header-row').boundingBox())!;
      if (header.height > 64) problems.push(`${who.label} /: header is ${Math.round(header.height)} px tall, more than one line`);
      await mainNav(page);
      problems.push(...(await checkPage(page, '/ (menu open)', 200, who, handles)));

      if (who.handle) {
        // Deliberate error pages keep the person's header: a missing page, and (for a member) an admin page.
        for (const url of ['/no-such-page-here', '/p/999999', ...(who.label === 'member' ? ['/admin/members'] : [])]) {
          const response = (await page.goto(base + url))!;
          expect(response.status(), url).to.be.at.least(400);
          problems.push(...(await checkPage(page, url, response.status(), who, handles)));
        }
      }
      await context.close();
    }
    expect(problems.length, `${problems.length} problems:\n${problems.join('\n')}\n`).to.equal(0);
  });

  it('screenshots at 390 px: the header closed and open, tables as cards, leaderboard, invites, wallet, event', async () => {
    const { h, browser, base } = ctx;
    const seeded = await seedEverything(h);
    const page = await browser.newPage({ viewport: SHOT });
    await logIn(page, base, seeded.ownerHandle);
    const shot = (name: string) => page.screenshot({ path: path.join(outputDir, `phone-${name}.png`), fullPage: true });
    await page.goto(`${base}/`);
    await shot('header');
    await mainNav(page);
    await page.screenshot({ path: path.join(outputDir, 'phone-menu-open.png') });
    for (const [name, url] of [['invites', '/admin/invites'], ['members', '/admin/members'], ['log', '/admin/log'], ['reports', '/admin/reports'], ['leaderboard', '/leaderboard?period=all'], ['wallet', '/wallet'], ['rewards-admin', '/admin/rewards'], ['federation', '/admin/federation']] as const) {
      await page.goto(base + url);
      expect(await page.evaluate(overflowInPage), url).to.equal(null);
      await shot(name);
    }
    // On a phone a table row is a card: its cells stack, each with its column's name.
    await page.goto(`${base}/admin/invites`);
    const cell = page.locator('table.cards tbody tr').first().locator('td[data-label="Expires"]');
    type Styles = { getComputedStyle(el: unknown, pseudo?: string): { display: string; content: string } };
    expect(await cell.evaluate((td) => (globalThis as unknown as Styles).getComputedStyle(td).display)).to.equal('block');
    expect(await cell.evaluate((td) => (globalThis as unknown as Styles).getComputedStyle(td, '::before').content)).to.equal('"Expires"');
    // A desktop keeps the full nav in the header, with no menu button to press.
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.goto(`${base}/`);
    expect(await page.locator('header details.menu > summary').isVisible()).to.equal(false);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Wallet' }).isVisible()).to.equal(true);
    await page.screenshot({ path: path.join(outputDir, 'desktop-header.png') });
    await page.setViewportSize(SHOT);
    await page.goto(`${base}/events`);
    await page.locator('main a[href^="/events/"]').filter({ hasText: 'Cupping' }).first().click();
    await page.waitForURL(/\/events\/\d+$/);
    await shot('event');
    await page.close();
  });
});
