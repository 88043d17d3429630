import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { afterCommit } from '../../src/core/after-commit.js';
import { type OpenDatabase, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { resetSqlStats, sqlStats } from '../../src/db/sql-stats.js';
import { UnitBatcher, inOneTransaction } from '../../src/db/unit-of-work.js';

/**
 * Units of work: every query made while one runs joins its one transaction, whatever
 * handle it goes through; a nested transaction is a savepoint that rolls back alone,
 * with its deferred effects; the unit commits once or leaves nothing.
 */
describe('units of work on the SQLite driver', () => {
  let database: OpenDatabase;
  beforeEach(async () => {
    database = openDatabase(':memory:');
    await migrateToLatest(database.db);
  });
  afterEach(() => database.close());

  // A "service" that writes through the shared handle and its own transaction, as services do.
  const write = (name: string) => database.db.insertInto('server_secrets').values({ name, value: 'v', created_at: 'now' }).execute();
  const writeInItsOwnTransaction = (name: string, fail = false) =>
    database.db.transaction().execute(async (trx) => {
      await trx.insertInto('server_secrets').values({ name, value: 'v', created_at: 'now' }).execute();
      afterCommit(() => effects.push(name));
      if (fail) throw new Error(`${name} failed`);
    });
  const names = async () => (await database.db.selectFrom('server_secrets').select('name').where('name', 'like', 'u%').orderBy('name').execute()).map((r) => r.name);
  let effects: string[] = [];
  beforeEach(() => {
    effects = [];
  });

  it('refuses two transactions at once inside one unit: the unit fails whole, rather than one losing the other’s work', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let outcomes: PromiseSettledResult<void>[] = [];
    const unit = inOneTransaction(database.db, async () => {
      outcomes = await Promise.allSettled([
        database.db.transaction().execute(async (trx) => {
          await trx.insertInto('server_secrets').values({ name: 'uA', value: 'v', created_at: 'now' }).execute();
          await sleep(5);
        }),
        database.db.transaction().execute(async (trx) => {
          await trx.insertInto('server_secrets').values({ name: 'uB', value: 'v', created_at: 'now' }).execute();
          await sleep(20);
          throw new Error('B fails');
        }),
      ]);
    });
    let failed: unknown;
    await unit.catch((err) => (failed = err));
    expect(String(failed)).to.contain('two transactions ran at once');
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    expect(await names()).to.deep.equal([]);
    // The driver is free again afterwards.
    await write('u9');
    expect(await names()).to.deep.equal(['u9']);
  });

  it('commits everything at once, and runs deferred effects only after the commit', async () => {
    await inOneTransaction(database.db, async () => {
      await write('u1');
      await writeInItsOwnTransaction('u2');
      expect(database.sqlite.inTransaction).to.equal(true);
      expect(effects, 'nothing announced before the commit').to.deep.equal([]);
    });
    expect(database.sqlite.inTransaction).to.equal(false);
    expect(await names()).to.deep.equal(['u1', 'u2']);
    expect(effects).to.deep.equal(['u2']);
  });

  it('a nested transaction that fails rolls back alone, its effects with it; a failing unit leaves nothing', async () => {
    await inOneTransaction(database.db, async () => {
      await write('u1');
      await writeInItsOwnTransaction('u2', true).catch(() => undefined);
      await writeInItsOwnTransaction('u3');
    });
    expect(await names()).to.deep.equal(['u1', 'u3']);
    expect(effects).to.deep.equal(['u3']);
    effects = [];
    const failed = inOneTransaction(database.db, async () => {
      await write('u4');
      await writeInItsOwnTransaction('u5');
      throw new Error('the disk is full');
    });
    expect(await failed.then(() => 'committed', (err: Error) => err.message)).to.equal('the disk is full');
    expect(await names()).to.deep.equal(['u1', 'u3']);
    expect(effects).to.deep.equal([]);
  });

  it('queries from elsewhere wait for the unit instead of joining it', async () => {
    let release!: () => void;
    const unit = inOneTransaction(database.db, async () => {
      await write('u1');
      await new Promise<void>((r) => (release = r));
      throw new Error('rolled back');
    });
    await new Promise((r) => setImmediate(r));
    // Started outside the unit: it must not land in (and roll back with) the unit's transaction.
    const outside = write('u2');
    release();
    await unit.catch(() => undefined);
    await outside;
    expect(await names()).to.deep.equal(['u2']);
  });

  it('a UnitBatcher writes a burst in one commit; a failing job fails alone and the rest are written', async () => {
    await database.close();
    process.env.HEARTH_SQL_STATS = path.join(tmpdir(), `hearth-unit-test-${process.pid}.json`);
    try {
      database = openDatabase(':memory:');
    } finally {
      delete process.env.HEARTH_SQL_STATS;
    }
    await migrateToLatest(database.db);
    const units = new UnitBatcher(database.db);
    resetSqlStats();
    const results = await Promise.allSettled(['u1', 'u2', 'u1', 'u3'].map((name, i) => units.submit(async () => {
      await writeInItsOwnTransaction(name); // the second u1 breaks the unique name
      return i;
    })));
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await names()).to.deep.equal(['u1', 'u2', 'u3']);
    expect(effects).to.deep.equal(['u1', 'u2', 'u3']);
    expect(sqlStats().bySql.commit, 'the burst, then the names read back').to.equal(1);
    expect(sqlStats().autocommits).to.equal(0);
  });
});
