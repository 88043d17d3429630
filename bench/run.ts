/**
 * `npm run bench`: builds the server once, then runs every bench/*.bench.ts in its own
 * process, one after another, so one benchmark's memory never shows in another's figures.
 * Each prints `<name>: <value> <unit>` lines on stdout; progress goes to stderr.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const only = process.argv[2];

const build = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stderr.write(`\n# ${file}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(benchDir, file)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`# ${file} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.exit(failed ? 1 : 0);
