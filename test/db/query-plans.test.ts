import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { expect } from 'chai';
import request from 'supertest';
import { SEED_PASSWORD, type SeededCommunity, rebuildDerivedTotals, seedCommunity } from '../../bench/seed.js';
import { type Hearth, createHearth } from '../../src/app.js';
import { PasswordHasher } from '../../src/community/password.js';
import { defaultConfig } from '../../src/config.js';
import { databaseFile, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { loggedInAgent } from '../helpers/hearth.js';

/**
 * Every page query is index-backed (issue 14, ADR 0002): the SQL the main pages run is
 * captured as SQLite prepares it, and EXPLAIN QUERY PLAN must show no full scan of a table
 * that grows with the community, and no sort of one (a temp B-tree for ORDER BY), since
 * either makes the page slower with every post. Hearth never runs ANALYZE, so the plans
 * here, made without statistics, are the plans a real server gets, at any size.
 * The member page, the wallet and the leaderboards are in the list since standing is kept
 * (migration 0029) instead of grouped from the whole ledger on every view.
 */

/** Tables that grow with the community: none may be scanned. */
const NEVER_SCANNED = ['posts', 'reactions', 'ledger_entries', 'notifications', 'achievements', 'events', 'event_rsvps', 'stories', 'members', 'standing_totals', 'space_reputation'];
/** Tables that grow with every post: a statement reading one may not sort what it read. */
const NEVER_SORTED = ['posts', 'reactions', 'ledger_entries', 'notifications', 'achievements'];

interface Step {
  id: number;
  parent: number;
  detail: string;
}

const KEYWORDS = new Set(['where', 'inner', 'left', 'join', 'on', 'group', 'order', 'limit', 'union', 'as']);

/** Alias (or name) → table, for every table a statement reads: the plan names aliases. */
function tablesOf(sqlText: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of sqlText.matchAll(/\b(?:from|join)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)) {
    const table = m[1]!.toLowerCase();
    out.set(table, table);
    const alias = m[2]?.toLowerCase();
    if (alias && !KEYWORDS.has(alias)) out.set(alias, table);
  }
  return out;
}

/** What is wrong with a statement's plan; [] when every growing table is reached through an index. */
function planProblems(sqlText: string, plan: Step[]): string[] {
  const tables = tablesOf(sqlText);
  const problems: string[] = [];
  const read = new Set<string>();
  for (const step of plan) {
    const m = /^(SCAN|SEARCH) (\w+)/.exec(step.detail);
    const table = m ? (tables.get(m[2]!.toLowerCase()) ?? m[2]!.toLowerCase()) : null;
    if (table) read.add(table);
    if (m?.[1] === 'SCAN' && table && NEVER_SCANNED.includes(table)) problems.push(`full scan of ${table}: ${step.detail}`);
  }
  // A read by a list of keys must seek those keys: an index that leaves the listed column
  // out reads every row of the rest of the key (standing_rank, by period, for a few members).
  const onlyTable = new Set([...tables.values()].filter((t) => t !== 'json_each'));
  if (onlyTable.size === 1) {
    const [table] = onlyTable;
    for (const m of sqlText.matchAll(/"(\w+)" in \(/g)) {
      const search = plan.find((s) => s.detail.startsWith('SEARCH '));
      if (NEVER_SCANNED.includes(table!) && search && !search.detail.includes(`${m[1]}=`)) problems.push(`reads ${table} past the keys in "${m[1]}" in (...): ${search.detail}`);
    }
  }
  const sorts = plan.filter((s) => /USE TEMP B-TREE FOR .*ORDER BY/.test(s.detail));
  const grows = [...read].filter((t) => NEVER_SORTED.includes(t));
  if (sorts.length && grows.length) problems.push(`sorts what it reads of ${grows.join(', ')}: ${sorts.map((s) => s.detail).join('; ')}`);
  return problems;
}

describe('page queries are index-backed (issue 14)', function () {
  this.timeout(60_000);
  let dir: string;
  let h: Hearth;
  let community: SeededCommunity;
  let sqlite: SQLite.Database;
  const seen = new Map<string, string>();
  const prepare = SQLite.prototype.prepare;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-plans-'));
    const file = databaseFile(dir);
    const database = openDatabase(file);
    await migrateToLatest(database.db);
    await database.close();
    const passwordHash = await new PasswordHasher(10).hash(SEED_PASSWORD);
    community = seedCommunity(file, { members: 40, posts: 3_000, reactions: 1_500, activity: true, passwordHash });
    await rebuildDerivedTotals(file);
    let page = 'start-up';
    // Every statement the server prepares, with the page that first needed it.
    SQLite.prototype.prepare = function (this: SQLite.Database, text: string) {
      if (!seen.has(text)) seen.set(text, page);
      return prepare.call(this, text);
    } as typeof prepare;
    h = await createHearth(defaultConfig({ server: { data_dir: dir } }), { databaseFile: file, passwordCost: 10 });
    const visitor = request(h.app);
    const member = await loggedInAgent(h, community.typicalHandle, SEED_PASSWORD);
    const mid = Math.floor(community.smallThread! / 2);
    const pages: [string, boolean][] = [
      ['/', false], ['/', true], [`/?before=${mid}`, false], [`/s/${community.spaceSlug}`, false], [`/s/${community.spaceSlug}?before=${mid}`, true],
      [`/p/${community.smallThread}`, false], [`/p/${community.smallThread}`, true], [`/p/${community.smallThread}?after=${community.smallThread! + 5}`, false],
      ['/notifications', true], ['/notifications?before=999999', true], ['/events', false], ['/events', true], ['/events.ics', false], ['/spaces', false], ['/stories', false],
      [`/@${community.typicalHandle}`, false], [`/@${community.typicalHandle}`, true], [`/@${community.typicalHandle}?before=${mid}`, false],
      ['/wallet', true], ['/wallet?before=999999', true], ['/leaderboard?period=week', false], ['/leaderboard?period=month', true], ['/leaderboard?period=all', false],
    ];
    for (const [url, signedIn] of pages) {
      page = `${url}${signedIn ? ' (member)' : ''}`;
      const res = await (signedIn ? member : visitor).get(url);
      expect(res.status, page).to.equal(200);
    }
    SQLite.prototype.prepare = prepare;
    sqlite = new SQLite(file, { readonly: true });
  });

  after(async () => {
    SQLite.prototype.prepare = prepare;
    sqlite?.close();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const reads = () => [...seen].filter(([text, page]) => page !== 'start-up' && /^\s*(select|with)\b/i.test(text));
  const planOf = (text: string) => sqlite.prepare(`explain query plan ${text}`).all(...Array<null>((text.match(/\?/g) ?? []).length).fill(null)) as Step[];

  it('sees the queries of the pages, on the tables that grow', () => {
    const read = new Set(reads().flatMap(([text]) => [...tablesOf(text).values()]));
    for (const table of ['posts', 'reactions', 'notifications', 'events', 'ledger_entries', 'stories', 'standing_totals']) expect([...read], table).to.include(table);
  });

  it('scans and sorts no table that grows with the community', () => {
    const problems = reads().flatMap(([text, page]) => planProblems(text, planOf(text)).map((p) => `${page}: ${p}\n    ${text.slice(0, 300)}`));
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it("counts the bell's unread notifications from the unread ones alone", () => {
    const count = reads().find(([text]) => /from "notifications" where "member_id" = \? and "read_at" is null/.test(text) && /count\(\*\)/.test(text));
    expect(count, 'the unread count query').to.not.equal(undefined);
    expect(planOf(count![0]).map((s) => s.detail).join('\n')).to.match(/USING (COVERING )?INDEX notifications_unread/);
  });

  it('flags a scan, a sort and a keyed read past its keys the way the plans above would show them', () => {
    const sqlText = 'select * from "events" as "e" order by "e"."starts_at"';
    expect(planProblems(sqlText, [{ id: 1, parent: 0, detail: 'SCAN e USING INDEX events_starts' }])).to.have.length(1);
    expect(planProblems('select * from "posts" where "root_id" = ? order by "id"', [
      { id: 1, parent: 0, detail: 'SEARCH posts USING INDEX posts_root (root_id=?)' },
      { id: 2, parent: 0, detail: 'USE TEMP B-TREE FOR ORDER BY' },
    ])).to.have.length(1);
    expect(planProblems('select * from "posts" where "id" = ?', [{ id: 1, parent: 0, detail: 'SEARCH posts USING INTEGER PRIMARY KEY (rowid=?)' }])).to.deep.equal([]);
    const keyed = 'select "member_id", "earned" from "standing_totals" where "period" = ? and "member_id" in (?, ?)';
    expect(planProblems(keyed, [{ id: 1, parent: 0, detail: 'SEARCH standing_totals USING COVERING INDEX standing_rank (period=?)' }])).to.have.length(1);
    expect(planProblems(keyed, [{ id: 1, parent: 0, detail: 'SEARCH standing_totals USING INDEX standing_totals_member (member_id=? AND period=?)' }])).to.deep.equal([]);
  });
});
