import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';
import { instrumentSqlStats } from './sql-stats.js';
import { UnitSqliteDialect } from './unit-of-work.js';

export interface OpenDatabase {
  db: Kysely<Database>;
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

/** Thrown by openDatabase with `create: false` when there is no database file at `file` (an absolute path). */
export class DatabaseMissingError extends Error {
  constructor(readonly file: string) {
    super(`No Hearth database at ${file}.`);
    this.name = 'DatabaseMissingError';
  }
}

/**
 * Opens the SQLite file (or ':memory:') with the pragmas a small server wants: WAL so
 * readers never wait for the writer, NORMAL sync (durable at checkpoints, safe with WAL),
 * foreign keys on, and a busy timeout so a CLI command and the server can share the file.
 * `create: false` (every command but `serve` and `migrate`) never makes a new, empty
 * database: it throws DatabaseMissingError instead, so a command run in the wrong place
 * cannot quietly answer from nothing.
 */
export function openDatabase(file: string, options: { create?: boolean } = {}): OpenDatabase {
  const create = options.create ?? true;
  if (create && file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file, { fileMustExist: !create });
  } catch (err) {
    if (!create && !existsSync(file)) throw new DatabaseMissingError(path.resolve(file));
    throw err;
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -16000');
  // A bench aid, off (and free) unless HEARTH_SQL_STATS names a file: see sql-stats.ts.
  instrumentSqlStats(sqlite);
  const dialect = new UnitSqliteDialect(withStatementCache(sqlite), sqlite);
  const db = new Kysely<Database>({ dialect });
  dialect.register(db);
  return {
    db,
    sqlite,
    async close() {
      await db.destroy();
    },
  };
}

export const databaseFile = (dataDir: string): string => path.join(dataDir, 'hearth.sqlite');

/**
 * kysely's SQLite driver calls prepare() for every query it runs; preparing a join costs
 * more than running it. This keeps the most recently used prepared statements (the same
 * SQL text always compiles to the same statement), bounded so queries built with varying
 * `in (...)` lists cannot grow it without end. A statement still busy (mid-iteration) is
 * never handed out twice: a fresh one is prepared instead.
 */
export function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase & { prepare(sql: string): SQLite.Statement } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        cache.delete(sql); // move to the most-recent end
        cache.set(sql, cached);
        return cached;
      }
      const stmt = sqlite.prepare(sql);
      if (!cached) {
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
