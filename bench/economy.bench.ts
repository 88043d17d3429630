/**
 * The economy under load, in process on a real SQLite file (WAL, as `npm start` runs):
 * - awards applied per second from a burst of 10,000 domain events (40% new threads,
 *   60% reactions from other members), from the first emit until every award is written,
 *   with the ledger audited afterwards (balances equal to their entries, sum zero);
 * - the wallet page of a member with 10,000 ledger entries, first page and a deep page,
 *   over HTTP with a signed-in session (the page shows 50 entries at a time).
 * Caps are lifted so every event pays: the figure is the ledger's speed, not the caps'.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHearth } from '../src/app.js';
import { defaultConfig } from '../src/config.js';
import { databaseFile } from '../src/db/database.js';
import { logger } from '../src/core/logger.js';
import { ISSUING, wallet } from '../src/rewards/ledger.service.js';

const EVENTS = 10_000;
const MEMBERS = 200;
const WALLET_ENTRIES = 10_000;
const PASSWORD = 'bench password long enough';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const figure = (name: string, value: number | string, unit: string) => process.stdout.write(`${name}: ${value} ${unit}\n`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  logger.setLevel('error');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-economy-'));
  const unlimited = 1_000_000;
  const config = defaultConfig({
    server: { data_dir: dataDir },
    federation: { enabled: false },
    economy: { daily_cap: unlimited, cap: { post: unlimited, reply: unlimited, reaction_received: unlimited } },
  });
  const h = await createHearth(config, { databaseFile: databaseFile(dataDir), passwordCost: 10 });
  try {
    const { services, database } = h;
    log(`seeding ${MEMBERS} members and ${EVENTS * 0.4} threads`);
    const members: number[] = [];
    for (let i = 0; i < MEMBERS; i++) members.push((await services.members.create({ handle: `m${i}`, password: PASSWORD, role: 'member' })).id);
    const space = await services.spaces.getVisible(null, 'general');
    // Threads straight into the table: the bench measures awards, not posting.
    const insert = database.sqlite.prepare(
      `insert into posts (space_id, author_id, parent_id, root_id, branch_id, depth, title, body_md, body_html, reply_count, created_at, updated_at)
       values (?, ?, null, null, null, 0, null, 'hi', '<p>hi</p>', 0, ?, ?)`,
    );
    const posts: { id: number; author: number }[] = [];
    database.sqlite.transaction(() => {
      const at = new Date().toISOString();
      for (let i = 0; i < EVENTS * 0.4; i++) {
        const author = members[i % MEMBERS]!;
        posts.push({ id: Number(insert.run(space.id, author, at, at).lastInsertRowid), author });
      }
    })();

    // The burst: every thread's post.created, then reactions from distinct (post, member) pairs.
    const reactions = EVENTS - posts.length;
    const started = performance.now();
    for (const p of posts) services.bus.emit('post.created', { postId: p.id, spaceId: space.id, authorId: p.author, parentId: null, rootId: p.id });
    for (let i = 0; i < reactions; i++) {
      const p = posts[i % posts.length]!;
      const reactor = members[(members.indexOf(p.author) + 1 + Math.floor(i / posts.length)) % MEMBERS]!;
      services.bus.emit('reaction.added', { postId: p.id, memberId: reactor, authorId: p.author, kind: 'like', spaceId: space.id });
    }
    await services.earning.idle();
    const seconds = (performance.now() - started) / 1000;
    const awards = Number((await database.db.selectFrom('ledger_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'award').executeTakeFirstOrThrow()).n);
    if (awards !== EVENTS) throw new Error(`expected ${EVENTS} awards, got ${awards}`);
    figure('economy_awards', awards, 'awards');
    figure('economy_awards_per_s', Math.round(awards / seconds), 'awards/s');
    const audit = await services.ledger.audit();
    if (audit.mismatches.length || audit.standing.length || audit.total !== 0) throw new Error(`economy audit failed: ${JSON.stringify(audit).slice(0, 300)}`);
    figure('economy_audit_mismatches', audit.mismatches.length, 'accounts');
    figure('economy_audit_standing_mismatches', audit.standing.length, 'totals');

    // One member with a long history, written through the ledger so balances stay true.
    log(`writing ${WALLET_ENTRIES} entries to one wallet`);
    const rich = await services.members.create({ handle: 'regular', password: PASSWORD, role: 'member' });
    for (let done = 0; done < WALLET_ENTRIES; done += 500) {
      await database.db.transaction().execute(async (trx) => {
        for (let i = done; i < done + 500; i++) {
          await services.ledger.record(trx, { debit: ISSUING, credit: wallet(rich.id), amount: 1 + (i % 7), kind: 'award', rule: 'post', reason: 'Started a thread', source: `bench:${i}`, memberId: rich.id });
        }
      });
    }
    const oldest = await database.db.selectFrom('ledger_entries').select('id').where('member_id', '=', rich.id).orderBy('id').offset(60).limit(1).executeTakeFirstOrThrow();

    const server = h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const loginPage = await fetch(`${base}/login`);
      const visitor = loginPage.headers.get('set-cookie')?.split(';')[0] ?? '';
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
      const login = await fetch(`${base}/login`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor },
        body: new URLSearchParams({ _csrf: csrf, handle: 'regular', password: PASSWORD }),
      });
      if (login.status !== 303) throw new Error(`log-in answered ${login.status}`);
      const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      for (const [name, url] of [['wallet_first_page', '/wallet'], ['wallet_deep_page', `/wallet?before=${oldest.id}`]] as const) {
        const times: number[] = [];
        for (let i = 0; i < 220; i++) {
          const t = performance.now();
          const res = await fetch(base + url, { headers: { cookie } });
          const html = await res.text();
          if (i >= 20) times.push(performance.now() - t);
          // Each page must really show a full page of entries, or the figure means nothing.
          const rows = html.split('>Started a thread</td>').length - 1;
          if (res.status !== 200 || rows !== 50) throw new Error(`${url} answered ${res.status} with ${rows} entries, not 50`);
        }
        figure(`${name}_p50`, round(pct(times, 50)), 'ms');
        figure(`${name}_p95`, round(pct(times, 95)), 'ms');
      }
      // The ledger query alone, in process: how much of the page time is SQL.
      for (const [name, before] of [['wallet_history_first_page', undefined], ['wallet_history_deep_page', oldest.id]] as const) {
        const times: number[] = [];
        for (let i = 0; i < 220; i++) {
          const t = performance.now();
          await services.ledger.history(rich.id, before);
          if (i >= 20) times.push(performance.now() - t);
        }
        figure(`${name}_p50`, round(pct(times, 50), 3), 'ms');
      }
      figure('wallet_entries', WALLET_ENTRIES, 'entries');
    } finally {
      await new Promise((r) => server.close(r));
    }
  } finally {
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
