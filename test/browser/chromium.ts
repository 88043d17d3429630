import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

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
