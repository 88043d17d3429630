import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { expect } from 'chai';
import { type SeededCommunity, inProportion, prng, rebuildDerivedTotals, seedCommunity } from '../../bench/seed.js';
import { type Hearth, createHearth } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { databaseFile, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * The benchmarks' seed (bench/seed.ts) is what the growth figures stand on (issue 14): it
 * must spread activity over every member, and write the economy the way the app does, so
 * the app's own audit agrees with it.
 */
describe('the bench seed', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let community: SeededCommunity;
  let h: Hearth;
  let db: SQLite.Database;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-seed-'));
    file = databaseFile(dir);
    const database = openDatabase(file);
    await migrateToLatest(database.db);
    await database.close();
    community = seedCommunity(file, { ...inProportion(5_000), activity: true });
    await rebuildDerivedTotals(file);
    h = await createHearth(defaultConfig({ server: { data_dir: dir } }), { databaseFile: file, passwordCost: 10 });
    db = new SQLite(file, { readonly: true });
  });

  after(async () => {
    db?.close();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks members uniformly (the LCG it replaced only ever picked 37 of 200)', () => {
    const rand = prng(42);
    const hits = new Array<number>(200).fill(0);
    for (let i = 0; i < 20_000; i++) hits[rand(200)]!++;
    expect(hits.filter((n) => n > 0)).to.have.length(200);
    expect(Math.min(...hits)).to.be.above(60); // 100 expected each
    const authors = db.prepare('select count(distinct author_id) as n from posts').get() as { n: number };
    expect(authors.n).to.equal(inProportion(5_000).members);
  });

  it('pays one award per post and per reaction from another member, and the economy audit finds no difference', async () => {
    const n = (q: string) => (db.prepare(q).get() as { n: number }).n;
    expect(n("select count(*) as n from ledger_entries where source like 'post:%'")).to.equal(n('select count(*) as n from posts'));
    expect(n("select count(*) as n from ledger_entries where source like 'reaction:%'")).to.equal(
      n('select count(*) as n from (select distinct r.post_id, r.member_id from reactions r join posts p on p.id = r.post_id where r.member_id <> p.author_id)'),
    );
    expect(n("select count(*) as n from achievements a left join ledger_entries e on e.source = a.source where e.id is null")).to.equal(0);
    const audit = await h.services.ledger.audit();
    expect(audit.mismatches).to.deep.equal([]);
    expect(audit.standing).to.deep.equal([]);
    expect(audit.total).to.equal(0);
    // The kept standing was rebuilt, not left empty: everyone who earned has a total.
    expect(n("select count(*) as n from standing_totals where period = 'all'")).to.equal(n('select count(distinct member_id) as n from ledger_entries'));
  });

  it('writes the measured threads, notifications and events', () => {
    const replies = (id: number | null) => (db.prepare('select reply_count as n from posts where id = ?').get(id) as { n: number }).n;
    expect(replies(community.bigThread)).to.equal(2_000);
    expect(replies(community.smallThread)).to.equal(20);
    const kinds = db.prepare('select kind, count(*) as n from notifications group by kind order by kind').all() as { kind: string; n: number }[];
    expect(kinds.map((k) => k.kind)).to.deep.equal(['reaction', 'reply']);
    const events = db.prepare("select sum(starts_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) as upcoming, count(*) as n from events").get() as { upcoming: number; n: number };
    expect(events.upcoming).to.be.above(0);
    expect(events.n).to.be.above(events.upcoming);
  });
});
