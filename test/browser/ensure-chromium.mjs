#!/usr/bin/env node
// Runs before `npm test`: makes sure Debian's Chromium is there for the browser tests.
// It installs the `chromium` package with apt-get when it can (root on a Debian machine,
// as on CI); elsewhere it says what to do and the browser tests skip, except under CI=true,
// where a missing browser is a failure.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium';

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

if (existsSync(CHROMIUM)) process.exit(0);
const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!canInstall) {
  const msg = `Chromium not found at ${CHROMIUM}: install Debian's "chromium" package (or set HEARTH_CHROMIUM) to run the browser tests.`;
  if (process.env.CI) {
    console.error(msg);
    process.exit(1);
  }
  console.warn(`${msg} They will be skipped.`);
  process.exit(0);
}
console.error('Installing Chromium for the browser tests (apt-get install chromium)…');
try {
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
} catch (err) {
  console.error(`Could not install Chromium: ${err instanceof Error ? err.message : err}`);
  process.exit(process.env.CI ? 1 : 0);
}
