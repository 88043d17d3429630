import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { migrations } from '../../migrations/index.js';
import { PasswordHasher } from '../../src/community/password.js';
import { databaseFile, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { SEED_PASSWORD, SEED_VERSION, type SeededCommunity, inProportion, rebuildDerivedTotals, seedCommunity } from '../seed.js';
import { log } from './hearth-process.js';

/**
 * The growth benchmark's databases: a community seeded in the issue 14 proportions at a
 * given number of posts, built once and kept outside the repository in
 * `$HEARTH_BENCH_CACHE` (default `${XDG_CACHE_HOME:-~/.cache}/hearth-bench/`).
 *
 * A cached file is named by the seed's version, the newest migration and the week it was
 * built in, so a change to either (or a new week) builds a new one. It is built under a temporary name in the same directory and
 * renamed only once complete (the description beside it first, the database last), so a
 * build that was killed is never taken for a finished one. A new build of a size removes
 * the older builds of that size.
 */

/** Where the databases are kept: `$HEARTH_BENCH_CACHE`, else `${XDG_CACHE_HOME:-~/.cache}/hearth-bench`. */
export const cacheDir = (): string =>
  process.env.HEARTH_BENCH_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'hearth-bench');

const latestMigration = (): string => Object.keys(migrations).sort().at(-1)!;

/** The UTC date of this week's Monday: the week a database was built in. */
const week = (): string => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};

/**
 * The cache file's name for `posts` posts (without directory). The week is part of it: the
 * seeded activity ends when the database is built, so a build from an earlier week would
 * have nobody on this week's leaderboard.
 */
export const cacheName = (posts: number): string => `growth-seed${SEED_VERSION}-${latestMigration()}-week${week()}-${posts}.sqlite`;

/** The cached database for `posts` posts and what the seed made in it, building it first if it is not there. */
export async function growthDatabase(posts: number): Promise<{ file: string; community: SeededCommunity }> {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, cacheName(posts));
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) return { file, community: JSON.parse(readFileSync(meta, 'utf8')) as SeededCommunity };

  const building = mkdtempSync(path.join(dir, '.building-'));
  try {
    const tmp = path.join(building, 'hearth.sqlite');
    const t0 = Date.now();
    const database = openDatabase(tmp);
    await migrateToLatest(database.db);
    await database.close();
    // A low scrypt cost: the bench signs in once per run; the hash format is the app's own.
    const passwordHash = await new PasswordHasher(12).hash(SEED_PASSWORD);
    const community = seedCommunity(tmp, { ...inProportion(posts), activity: true, passwordHash });
    await rebuildDerivedTotals(tmp);
    log(`built the ${posts.toLocaleString('en')}-post database in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${file}`);
    writeFileSync(path.join(building, 'meta.json'), JSON.stringify(community));
    renameSync(path.join(building, 'meta.json'), meta);
    renameSync(tmp, file);
    // Builds of the same size by an older seed or schema are never read again (up to 1.4 GB each).
    const sameSize = (f: string) => f.startsWith('growth-') && ['', '.json', '-wal', '-shm'].some((end) => f.endsWith(`-${posts}.sqlite${end}`));
    for (const old of readdirSync(dir).filter((f) => sameSize(f) && !f.startsWith(path.basename(file)))) rmSync(path.join(dir, old), { force: true });
    return { file, community };
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/**
 * A fresh data directory holding a copy of `file`: the pages measured write a little
 * (the signed-in member's session, notifications marked read), and a copy keeps the cached
 * database as it was built, so every run starts from the same state. Copying even the
 * 1M-post file takes seconds; the caller removes the directory.
 */
export function dataDirWith(file: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-growth-'));
  copyFileSync(file, databaseFile(dir));
  return dir;
}
