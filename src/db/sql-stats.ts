import { renameSync, writeFileSync } from 'node:fs';
import type SQLite from 'better-sqlite3';

/**
 * A bench aid: counts what SQLite is asked to do in this process. Off unless
 * `HEARTH_SQL_STATS=<file>` is set when the database is opened (then it costs nothing:
 * no statement is wrapped). On, every statement run through a connection opened by
 * `openDatabase` (kysely's and raw better-sqlite3 alike, since kysely prepares through
 * the same handle) is counted, and so is every commit: an explicit COMMIT (or END) that
 * closes a transaction, and every writing statement run outside a transaction (SQLite
 * commits it on its own: one WAL append and sync point each). Transaction control (BEGIN,
 * COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is counted apart, in `control`: what a
 * transaction costs shows in `commits`, and `statements` is the work itself.
 *
 * The counts are written as JSON (`SqlStats`) to the file on SIGUSR2 and when the process
 * exits, so a benchmark reads them before and after the batch it measures. Nothing is
 * served over HTTP.
 */
export interface SqlStats {
  /** Statements executed (run, get, all, iterate, exec), transaction control left out. */
  statements: number;
  /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE executed. */
  control: number;
  /** Commits: explicit ones plus writes that committed on their own outside a transaction. */
  commits: number;
  /** Of `commits`, the writes that committed alone (autocommit). */
  autocommits: number;
  rollbacks: number;
  /** Executions per SQL text (whitespace collapsed), most frequent first. */
  bySql: Record<string, number>;
}

interface Counters {
  statements: number;
  control: number;
  commits: number;
  autocommits: number;
  rollbacks: number;
  bySql: Map<string, number>;
}

const counters: Counters = { statements: 0, control: 0, commits: 0, autocommits: 0, rollbacks: 0, bySql: new Map() };
let installedFor: string | null = null;

/** The counts so far (all connections instrumented in this process), as written to the file. */
export function sqlStats(): SqlStats {
  const bySql = Object.fromEntries([...counters.bySql].sort((a, b) => b[1] - a[1]));
  return { statements: counters.statements, control: counters.control, commits: counters.commits, autocommits: counters.autocommits, rollbacks: counters.rollbacks, bySql };
}

/** Zeroes the counts (tests measure one activity at a time). */
export function resetSqlStats(): void {
  counters.statements = counters.control = counters.commits = counters.autocommits = counters.rollbacks = 0;
  counters.bySql.clear();
}

const normalise = (sql: string): string => sql.replace(/\s+/g, ' ').trim();
const isCommit = (sql: string): boolean => /^\s*(commit|end)\b/i.test(sql);
const isControl = (sql: string): boolean => /^\s*(begin|commit|end|rollback|savepoint|release)\b/i.test(sql);
const isRollback = (sql: string): boolean => /^\s*rollback\b(?!\s+to\b)/i.test(sql);

/** Counts one execution of `sql` (`key`: its text normalised) on `db`, given whether a transaction was open before it ran. */
function count(db: SQLite.Database, sql: string, key: string, readonly: boolean, wasInTransaction: boolean): void {
  if (isControl(sql)) counters.control++;
  else counters.statements++;
  counters.bySql.set(key, (counters.bySql.get(key) ?? 0) + 1);
  if (wasInTransaction && !db.inTransaction) {
    if (isRollback(sql)) counters.rollbacks++;
    else if (isCommit(sql)) counters.commits++;
  } else if (!wasInTransaction && !db.inTransaction && !readonly) {
    counters.commits++;
    counters.autocommits++;
  }
}

const EXECUTORS = ['run', 'get', 'all', 'iterate'] as const;

/**
 * Wraps `sqlite`'s prepare and exec so every statement is counted (see SqlStats); a no-op
 * unless `file` is given. Installs the SIGUSR2 and exit writers once per process.
 */
export function instrumentSqlStats(sqlite: SQLite.Database, file: string | undefined = process.env.HEARTH_SQL_STATS): void {
  if (!file) return;
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const stmt = prepare(source);
    const readonly = stmt.readonly;
    const key = normalise(source);
    for (const name of EXECUTORS) {
      const original = (stmt[name] as (...args: unknown[]) => unknown).bind(stmt);
      Object.defineProperty(stmt, name, {
        value: (...args: unknown[]) => {
          const was = sqlite.inTransaction;
          try {
            return original(...args);
          } finally {
            count(sqlite, source, key, readonly, was);
          }
        },
      });
    }
    return stmt;
  }) as typeof sqlite.prepare;
  const exec = sqlite.exec.bind(sqlite);
  sqlite.exec = ((source: string) => {
    const was = sqlite.inTransaction;
    try {
      return exec(source);
    } finally {
      count(sqlite, source, normalise(source), false, was);
    }
  }) as typeof sqlite.exec;
  if (installedFor === null) {
    installedFor = file;
    // Written aside, then renamed: a reader never sees half a file.
    const write = () => {
      try {
        writeFileSync(`${file}.tmp`, JSON.stringify(sqlStats()));
        renameSync(`${file}.tmp`, file);
      } catch {
        // The reader has gone (its directory with it): nobody is left to read the counts.
      }
    };
    process.on('SIGUSR2', write);
    process.on('exit', write);
  }
}
