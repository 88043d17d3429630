import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export interface OpenDatabase {
  db: Kysely<Database>;
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

/**
 * Opens the SQLite file (or ':memory:') with the pragmas a small server wants: WAL so
 * readers never wait for the writer, NORMAL sync (durable at checkpoints, safe with WAL),
 * foreign keys on, and a busy timeout so a CLI command and the server can share the file.
 */
export function openDatabase(file: string): OpenDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -16000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
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
export function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
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
