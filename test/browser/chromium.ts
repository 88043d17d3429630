import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Locator, type Page, chromium } from 'playwright-core';
import { PASSWORD, type TestHearth, makeHearth } from '../helpers/hearth.js';

export const CHROMIUM = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium';
export const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'browser');

/**
 * Debian's Chromium, headless, with the background services off: this machine has no
 * network beyond loopback, and Chromium's own update and sync calls would only fail.
 * Returns null (the caller skips) when Chromium is missing outside CI; under CI it throws.
 */
export async function launchChromium(): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`Chromium is missing at ${CHROMIUM}; npm test's pretest step should have installed it`);
    return null;
  }
  mkdirSync(outputDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface BrowserHearth {
  h: TestHearth;
  browser: Browser;
  /** http://127.0.0.1:<port> of the running server. */
  base: string;
}

/**
 * Registers the hooks a browser test needs: one Chromium for the file (the tests skip
 * when it is missing outside CI), and a fresh Hearth on a real port for each test.
 */
export function useBrowserHearth(overrides: Parameters<typeof makeHearth>[0] = {}): BrowserHearth {
  const ctx = {} as BrowserHearth;
  let server: Server;
  let browser: Browser | null = null;
  before(async function () {
    browser = await launchChromium();
    if (!browser) this.skip();
    ctx.browser = browser;
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ctx.h = await makeHearth(overrides);
    server = ctx.h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    ctx.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await ctx.h.destroy();
  });
  return ctx;
}

/** Logs in through the form, as a person would, and waits to leave the log-in page. */
export async function logIn(page: Page, base: string, handle: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/**
 * The main navigation, as a person reaches it: on a phone it sits in the header's
 * <details class="menu">, so this opens the menu first when its summary is showing
 * (from 801 px the nav is always shown and the summary hidden).
 */
export async function mainNav(page: Page): Promise<Locator> {
  const summary = page.locator('header details.menu > summary');
  if ((await summary.isVisible()) && (await page.locator('header details.menu[open]').count()) === 0) await summary.click();
  return page.getByRole('navigation', { name: 'Main' });
}

/** Logs out through the header menu's button. */
export async function logOut(page: Page): Promise<void> {
  await (await mainNav(page)).getByRole('button', { name: 'Log out' }).click();
  await page.waitForLoadState();
}
