import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseFile, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedCommunity } from '../seed.js';

/**
 * What the benchmarks that run Hearth as its own process share: the output contract
 * (bench/README.md), a seeded data directory, starting `node dist/src/main.js serve` on a
 * free loopback port, and reading its resident memory from /proc.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
/** One figure on stdout: `<name>: <value> <unit>`. */
export const figure = (name: string, value: number | string, unit: string): void => void process.stdout.write(`${name}: ${value} ${unit}\n`);

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up in 30 s`);
}

/** Resident memory of a process, in MB with one decimal. */
export const rssMb = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round((Number(kb) / 1024) * 10) / 10;
};

/** A fresh data directory (in the system's temp dir) whose migrated database holds a seeded community. */
export async function seededDataDir(opts: { members: number; posts: number; reactions: number }): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-'));
  const file = databaseFile(dir);
  const database = openDatabase(file);
  await migrateToLatest(database.db);
  await database.close();
  const t0 = Date.now();
  seedCommunity(file, opts);
  log(`seeded ${opts.posts} posts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, file };
}

/** Hearth from the compiled dist/, exactly as `npm start` runs it, on a free port; resolves once /healthz answers. */
export async function startHearth(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'dist', 'src', 'main.js'), 'serve'], {
    cwd: dataDir,
    env: { ...process.env, HEARTH_SERVER_DATA_DIR: dataDir, HEARTH_SERVER_PORT: String(port), HEARTH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitUntilUp(`${url}healthz`, child);
  return { child, url };
}

/** Stops the children (SIGTERM) and waits for them to exit. */
export async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
}
