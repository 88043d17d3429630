import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteDialect,
  type SqliteDialectConfig,
} from 'kysely';
import { type Unit, openUnit, unitScope } from '../core/after-commit.js';

/**
 * SQLite has one connection and one writer, so kysely hands the connection to one user at
 * a time. This driver does the same (first come, first served), and adds units of work:
 * `inOneTransaction(db, fn)` takes the connection and begins one transaction, and every
 * query `fn` makes while it runs, through any handle on the database and from any
 * service it calls, joins that transaction; a `db.transaction()` inside it becomes a
 * savepoint, so it still rolls back alone. The unit commits once (one WAL commit for
 * all the work) or rolls back whole. Effects deferred with `afterCommit` (domain events)
 * run after the commit. Code inside a unit must not wait for the network or for work
 * queued on another async path: it holds the database meanwhile.
 */
class Connection implements DatabaseConnection {
  /** `db` prepares through the statement cache (database.ts). */
  constructor(private readonly db: { prepare(sql: string): SQLite.Statement }) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.db.prepare(query.sql);
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(query.parameters as unknown[]) as R[] });
    const { changes, lastInsertRowid } = stmt.run(query.parameters as unknown[]);
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    for (const row of this.db.prepare(query.sql).iterate(query.parameters as unknown[])) yield { rows: [row as R] };
  }
}

const raw = (sql: string) => CompiledQuery.raw(sql);

/**
 * The connection as one user inside a unit holds it: a transaction begun on it is the
 * savepoint it names, so its commit or rollback can be checked to be the innermost one.
 */
class UnitConnection implements DatabaseConnection {
  savepoint: string | null = null;
  constructor(private readonly base: Connection) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.base.executeQuery(query);
  }
  streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    return this.base.streamQuery(query);
  }
}

/**
 * SQLite's savepoints are a stack: two transactions running at once inside one unit
 * (a Promise.all over db.transaction()) would release or roll back each other's work.
 * That is refused, loudly: the unit is marked broken and rolls back whole.
 */
function innermost(unit: Unit, c: DatabaseConnection): { name: string; effects: number } {
  const top = unit.savepoints[unit.savepoints.length - 1];
  const name = c instanceof UnitConnection ? c.savepoint : null;
  if (!top || top.name !== name) {
    unit.broken = 'two transactions ran at once inside one unit of work; they must run one after another';
    throw new Error(unit.broken);
  }
  return top;
}

class UnitDriver implements Driver {
  private readonly waiting: (() => void)[] = [];
  private busy = false;
  readonly connection: Connection;

  constructor(
    cached: { prepare(sql: string): SQLite.Statement },
    private readonly sqlite: SQLite.Database,
  ) {
    this.connection = new Connection(cached);
  }

  async init(): Promise<void> {}

  /** The connection, in arrival order; at once for code inside the unit that holds it. */
  async acquireConnection(): Promise<DatabaseConnection> {
    if (openUnit()) return new UnitConnection(this.connection);
    await this.lock();
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    if (!openUnit()) this.unlock();
  }

  async beginTransaction(c: DatabaseConnection): Promise<void> {
    const unit = openUnit();
    if (!unit) return void (await c.executeQuery(raw('begin')));
    // SQLite rolls a whole transaction back on its own after some errors (disk full, I/O):
    // a savepoint now would open a new one, and what the unit wrote before would be lost.
    if (!this.sqlite.inTransaction || unit.broken) {
      unit.broken ??= 'the database rolled the unit of work back';
      throw new Error(unit.broken);
    }
    const name = `unit_${++unit.named}`;
    if (c instanceof UnitConnection) c.savepoint = name;
    unit.savepoints.push({ name, effects: unit.effects.length });
    await c.executeQuery(raw(`savepoint ${name}`));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    const unit = openUnit();
    if (!unit) return void (await c.executeQuery(raw('commit')));
    const { name } = innermost(unit, c);
    await c.executeQuery(raw(`release ${name}`));
    unit.savepoints.pop();
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    const unit = openUnit();
    if (!unit) return void (await c.executeQuery(raw('rollback')));
    const { name, effects } = innermost(unit, c);
    unit.savepoints.pop();
    unit.effects.length = effects;
    if (!this.sqlite.inTransaction) {
      unit.broken ??= 'the database rolled the unit of work back';
      return;
    }
    await c.executeQuery(raw(`rollback to ${name}`));
    await c.executeQuery(raw(`release ${name}`));
  }

  async savepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(raw(`savepoint ${JSON.stringify(name)}`));
  }

  async rollbackToSavepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(raw(`rollback to ${JSON.stringify(name)}`));
  }

  async releaseSavepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(raw(`release ${JSON.stringify(name)}`));
  }

  async destroy(): Promise<void> {
    this.sqlite.close();
  }

  /** See inOneTransaction. */
  async unit<T>(fn: () => Promise<T>): Promise<T> {
    if (openUnit()) return fn();
    await this.lock();
    const unit: Unit = { open: true, savepoints: [], named: 0, broken: null, effects: [] };
    let result: T;
    try {
      await this.connection.executeQuery(raw('begin'));
      try {
        result = await unitScope.run(unit, fn);
        unit.open = false;
        if (!unit.broken && !this.sqlite.inTransaction) unit.broken = 'the database rolled the unit of work back';
        if (unit.broken) throw new Error(unit.broken);
        await this.connection.executeQuery(raw('commit'));
      } catch (err) {
        unit.open = false;
        if (this.sqlite.inTransaction) await this.connection.executeQuery(raw('rollback'));
        throw err;
      }
    } finally {
      unit.open = false;
      this.unlock();
    }
    for (const effect of unit.effects) effect();
    return result;
  }

  private lock(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private unlock(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

const drivers = new WeakMap<Kysely<any>, UnitDriver>();

/** kysely's SQLite dialect on the driver above; `register` ties the driver to its Kysely. */
export class UnitSqliteDialect extends SqliteDialect {
  private readonly driver: UnitDriver;

  constructor(cached: { prepare(sql: string): SQLite.Statement; close(): void }, sqlite: SQLite.Database) {
    super({ database: cached as unknown as SqliteDialectConfig['database'] });
    this.driver = new UnitDriver(cached, sqlite);
  }

  override createDriver(): Driver {
    return this.driver;
  }

  register(db: Kysely<any>): void {
    drivers.set(db, this.driver);
  }
}

/**
 * Runs `fn` as one unit of work on `db` (see UnitDriver): one transaction, one commit, or
 * nothing at all if it throws. Inside another unit it simply joins it. A Kysely not
 * opened by openDatabase runs `fn` as it is.
 */
export function inOneTransaction<T>(db: Kysely<any>, fn: () => Promise<T>): Promise<T> {
  const driver = drivers.get(db);
  return driver ? driver.unit(fn) : fn();
}

const OK = Symbol('ok');

/**
 * Units of work that come in bursts (inbound activities), many to one transaction, as
 * the WriteBatcher does for awards: one commit for a batch costs what one commit for one
 * unit would. Each job runs in its own savepoint inside the batch's transaction, so one
 * that throws is rolled back alone (its writes and its deferred effects) and fails alone;
 * the others are kept. Every job settles only after the batch has committed: a caller
 * told "done" has its work on disk as surely as with its own commit. If the commit itself
 * fails, every job of the batch fails and nothing of it is written.
 */
export class UnitBatcher {
  private readonly queue: { run: () => Promise<unknown>; settle: (err: unknown, value?: unknown) => void }[] = [];
  private draining: Promise<void> | null = null;

  /** @param max the most jobs to one transaction. */
  constructor(
    private readonly db: Kysely<any>,
    private readonly max = 64,
  ) {}

  /** Runs `job` in the next batch; resolves (or rejects) with it once that batch has committed. */
  submit<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: job, settle: (err, value) => (err === OK ? resolve(value as T) : reject(err)) });
      this.draining ??= this.drain().finally(() => {
        this.draining = null;
      });
    });
  }

  private async drain(): Promise<void> {
    // Let the rest of a burst join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) await this.runBatch(this.queue.splice(0, this.max));
  }

  private async runBatch(batch: UnitBatcher['queue']): Promise<void> {
    const outcomes: [unknown, unknown][] = [];
    try {
      await inOneTransaction(this.db, async () => {
        for (const job of batch) {
          try {
            outcomes.push([OK, await this.db.transaction().execute(() => job.run())]);
          } catch (err) {
            outcomes.push([err, undefined]);
          }
        }
      });
    } catch (err) {
      for (const job of batch) job.settle(err);
      return;
    }
    batch.forEach((job, i) => job.settle(outcomes[i]![0], outcomes[i]![1]));
  }
}
