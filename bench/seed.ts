import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { defaultConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { StandingTotals } from '../src/rewards/standing-totals.js';
import { seedActivity } from './seed-activity.js';

/**
 * Bumped whenever what `seedCommunity` writes changes, so cached benchmark databases
 * (bench/growth.bench.ts) built by an older seed are rebuilt instead of reused.
 */
export const SEED_VERSION = 4;

/** The password every seeded member has when the caller passes its hash as `passwordHash`. */
export const SEED_PASSWORD = 'growth bench password';

export interface SeedOptions {
  members: number;
  posts: number;
  reactions: number;
  /**
   * Also write what the app writes around posts and reactions: one ledger award and one
   * achievement per post and per reaction, a notification per reply and per reaction, a
   * few events with RSVPs, and one thread with 2,000 replies and one with 20. Off by
   * default (the home-page bench needs only posts and reactions). The totals kept beside
   * the ledger are left to `rebuildDerivedTotals`, which the caller runs next.
   */
  activity?: boolean;
  /** Stored as every member's password hash (PasswordHasher format); default 'x' (no one can sign in). */
  passwordHash?: string;
  /** How far back the first post is, in ms; posts are spread evenly up to now. Default 180 days. */
  spanMs?: number;
}

/** What a benchmark needs to find its pages in a seeded community. */
export interface SeededCommunity {
  spaceSlug: string;
  /** Thread ids: null unless `activity` was set. */
  bigThread: number | null;
  smallThread: number | null;
  /** A member with typical activity (posts, reactions, awards, notifications): its handle. */
  typicalHandle: string;
}

/** Members, posts and reactions in the issue 14 proportions: members = posts/50, reactions = posts/2. */
export const inProportion = (posts: number): { members: number; posts: number; reactions: number } => ({
  members: Math.max(10, Math.round(posts / 50)),
  posts,
  reactions: Math.round(posts / 2),
});

/**
 * mulberry32: a 32-bit PRNG whose every output bit is well mixed, unlike the LCG `seed % n`
 * this replaced (its low bits cycle, so it only ever picked 37 of 200 members). `rand(n)`
 * scales the whole 32-bit output, so it takes the high bits.
 */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/**
 * After seeding the ledger, rebuild derived totals: the seed writes ledger entries and
 * achievements only, then this writes every total the app keeps beside them from those rows,
 * as `hearth economy audit --repair` and migration 0029 do: the balances (`ledger_balances`)
 * and the kept standing (StandingTotals: earned per member and period on the community's
 * clock, achievement counts, reputation per space). Afterwards the economy audit finds no
 * difference. Call it once after `seedCommunity` with `activity`; `timeZone` is the
 * community's (the default config's unless given).
 */
export async function rebuildDerivedTotals(file: string, timeZone = defaultConfig().community.timezone): Promise<void> {
  const database = openDatabase(file);
  try {
    await database.db.transaction().execute(async (trx) => {
      await sql`delete from ledger_balances`.execute(trx);
      await sql`insert into ledger_balances (account, balance)
        select account, sum(amount) from (
          select credit as account, amount from ledger_entries
          union all select debit as account, -amount from ledger_entries)
        group by account`.execute(trx);
      await new StandingTotals(() => timeZone).rebuild(trx);
    });
    // Everything into the main file: callers copy or rename it alone.
    database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    await database.close();
  }
}

/**
 * Fills a migrated Hearth database with a community, straight through prepared statements
 * in one transaction (the services would take minutes for 100k posts). Members are picked
 * uniformly; 80% of posts start threads, 20% reply to one of the 500 newest threads;
 * reactions go to the newest 2,000 threads at the time they are made. Posts are spread
 * evenly over `spanMs` up to now (UTC), so "this week" holds a realistic share. Deterministic:
 * the same options give the same rows (apart from the times, which end at now).
 */
export function seedCommunity(file: string, opts: SeedOptions): SeededCommunity {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = OFF'); // rows are written in an order that keeps them valid; checking each costs time
  const now = Date.now();
  const span = opts.spanMs ?? 180 * 86_400_000;
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const rand = prng(42);
  const words = 'coffee roast beans espresso milk oat latte grinder brew morning cup barista crema aroma filter kettle'.split(' ');
  const sentence = (n: number) => Array.from({ length: n }, () => words[rand(words.length)]).join(' ');
  const result: SeededCommunity = { spaceSlug: 'roasting', bigThread: null, smallThread: null, typicalHandle: `member${Math.ceil(opts.members / 2)}` };

  db.transaction(() => {
    const member = db.prepare(
      `insert into members (handle, display_name, bio, avatar_file, role, status, status_reason, password_hash, created_at, updated_at)
       values (?, ?, '', null, 'member', 'active', null, ?, ?, ?)`,
    );
    for (let i = 1; i <= opts.members; i++) member.run(`member${i}`, `Member ${i}`, opts.passwordHash ?? 'x', iso(span + 86_400_000), iso(span + 86_400_000));
    const space = db.prepare(`insert into spaces (slug, name, description, visibility, created_by, created_at) values (?, ?, ?, 'public', 1, ?)`);
    for (const [slug, name] of [['roasting', 'Roasting'], ['events', 'Events'], ['feedback', 'Feedback']]) space.run(slug, name, `All about ${name}`, iso(span));
    const spaceIds = (db.prepare('select id from spaces').all() as { id: number }[]).map((s) => s.id);

    const thread = db.prepare(
      `insert into posts (space_id, author_id, parent_id, root_id, branch_id, depth, title, body_md, body_html, reply_count, created_at, updated_at)
       values (?, ?, null, null, null, 0, ?, ?, ?, 0, ?, ?)`,
    );
    const setRoot = db.prepare('update posts set root_id = id where id = ?');
    const reply = db.prepare(
      `insert into posts (space_id, author_id, parent_id, root_id, branch_id, depth, title, body_md, body_html, reply_count, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, null, ?, ?, 0, ?, ?)`,
    );
    const setBranch = db.prepare('update posts set branch_id = ? where id = ?');
    const bump = db.prepare('update posts set reply_count = reply_count + 1 where id = ?');
    const reaction = db.prepare('insert or ignore into reactions (post_id, member_id, kind, created_at) values (?, ?, ?, ?)');
    const activity = opts.activity ? seedActivity(db, rand) : null;
    const kinds = ['like', 'love', 'laugh', 'wow', 'sad', 'celebrate'];

    type Thread = { id: number; space: number; author: number; title: string | null; special?: true };
    const threads: Thread[] = [];
    const body = () => {
      const md = `${sentence(12)}. **${sentence(3)}** ${sentence(20)}.`;
      return { md, html: `<p>${md.replace(/\*\*(.+?)\*\*/, '<strong>$1</strong>')}</p>` };
    };
    const at = (i: number) => iso(Math.round(((opts.posts - i) / opts.posts) * span));
    const startThread = (i: number): Thread => {
      const s = spaceIds[rand(spaceIds.length)]!;
      const author = 1 + rand(opts.members);
      const b = body();
      const title = rand(3) === 0 ? null : sentence(5);
      const id = Number(thread.run(s, author, title, b.md, b.html, at(i), at(i)).lastInsertRowid);
      setRoot.run(id);
      activity?.posted({ id, space: s, author, root: id, rootTitle: title, parentAuthor: null, depth: 0, at: at(i), text: b.md });
      return { id, space: s, author, title };
    };
    const replyTo = (i: number, t: Thread, under: { id: number; author: number } | null): { id: number; author: number } => {
      const author = 1 + rand(opts.members);
      const b = body();
      const id = Number(reply.run(t.space, author, under?.id ?? t.id, t.id, null, under ? 2 : 1, b.md, b.html, at(i), at(i)).lastInsertRowid);
      setBranch.run(under?.id ?? id, id);
      bump.run(t.id); // the root counts every reply in its thread, as PostService does
      activity?.posted({ id, space: t.space, author, root: t.id, rootTitle: t.title, parentAuthor: under?.author ?? t.author, depth: under ? 2 : 1, at: at(i), text: b.md });
      return { id, author };
    };
    // One thread with many replies and one with a page's worth, so thread pages can be measured;
    // a fifth of their replies answer an earlier reply (depth 2).
    const special = (i: number, replies: number): number => {
      const t: Thread = { ...startThread(i), special: true };
      threads.push(t);
      const top: { id: number; author: number }[] = [];
      for (let j = 1; j <= replies; j++) {
        const under = top.length && rand(5) === 0 ? top[rand(top.length)]! : null;
        const r = replyTo(i + j, t, under);
        if (!under) top.push(r);
      }
      return t.id;
    };

    let reactionsDone = 0;
    for (let i = 0; i < opts.posts; i++) {
      if (activity && i === Math.floor(opts.posts * 0.5) && opts.posts - i > 2_100) {
        result.bigThread = special(i, 2_000);
        i += 2_000;
      } else if (activity && i === Math.floor(opts.posts * 0.3) && opts.posts - i > 30) {
        result.smallThread = special(i, 20);
        i += 20;
      } else if (threads.length < 10 || rand(10) < 8) {
        threads.push(startThread(i));
      } else {
        const t = threads[threads.length - 1 - rand(Math.min(threads.length, 500))]!;
        // The measured threads keep their exact number of replies.
        replyTo(i, t.special ? threads[threads.length - 1]! : t, null);
      }
      // Reactions follow the posts in time, on the newest threads of their moment.
      const due = Math.floor(((i + 1) * opts.reactions) / opts.posts);
      for (; reactionsDone < due; reactionsDone++) {
        const t = threads[threads.length - 1 - rand(Math.min(threads.length, 2000))]!;
        const reactor = 1 + rand(opts.members);
        const kind = kinds[rand(kinds.length)]!;
        if (reaction.run(t.id, reactor, kind, at(i)).changes) activity?.reacted({ post: t.id, space: t.space, author: t.author, title: t.title, reactor, at: at(i) });
      }
    }
    activity?.events(spaceIds[1]!, opts.members, now);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return result;
}
