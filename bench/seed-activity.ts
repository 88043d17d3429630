import type SQLite from 'better-sqlite3';

/**
 * The rows the app writes around posts and reactions, for bench/seed.ts, exactly as the
 * services write them: EarningService + AchievementService + LedgerService (an
 * achievement, then an award from 'community:issuing' to 'member:<id>', source
 * `post:<id>` or `reaction:<post>:<member>`, day = UTC day of the award), the notification
 * subscribers (a 'reply' to the parent's author, a 'reaction' to the post's author, never
 * for one's own), and EventService (events with RSVPs). Daily caps are not applied: every
 * post and reaction pays once. Balances and standing are left to `rebuildDerivedTotals` (seed.ts).
 */

/** A post just written: `parentAuthor` is null for a thread starter. */
export interface Posted {
  id: number;
  space: number;
  author: number;
  root: number;
  rootTitle: string | null;
  parentAuthor: number | null;
  /** 0 for a thread starter, 1 for a reply to it, 2 for a reply to a reply. */
  depth: number;
  /** ISO 8601 UTC. */
  at: string;
  text: string;
}

/** A new reaction (the same person's second kind on a post pays nothing more, but notifies). */
export interface Reacted {
  post: number;
  space: number;
  author: number;
  title: string | null;
  reactor: number;
  at: string;
}

// Amounts and reasons of the default config (src/config.ts EARN_DEFAULTS, earning.service.ts REASONS).
const EARN = {
  post: [5, 'Started a thread'],
  reply: [2, 'Replied in a thread'],
  reaction_received: [1, 'Someone reacted to your post'],
} as const;

const DAY = 86_400_000;
/** Notifications older than this are marked read, as a member who visits now and then leaves them. */
const READ_AFTER = 3 * DAY;
const isolate = (text: string) => `\u2068${text}\u2069`;

/**
 * The writers for one seeding transaction on `db` (prepared once): call `posted` after each
 * post, `reacted` after each new reaction row, `events` once. `rand(n)` is the seed's PRNG
 * (an integer in [0, n)), so the same seed gives the same rows.
 */
export function seedActivity(db: SQLite.Database, rand: (n: number) => number) {
  const achievement = db.prepare(`insert or ignore into achievements (source, member_id, rule, space_id, revoked, created_at) values (?, ?, ?, ?, 0, ?)`);
  const award = db.prepare(
    `insert into ledger_entries (debit, credit, amount, kind, rule, reason, source, member_id, actor_id, reverses, day, created_at)
     values ('community:issuing', ?, ?, 'award', ?, ?, ?, ?, null, null, ?, ?)`,
  );
  const notify = db.prepare(`insert into notifications (member_id, kind, text, link, read_at, created_at) values (?, ?, ?, ?, ?, ?)`);
  const now = Date.now();

  const earn = (memberId: number, rule: keyof typeof EARN, source: string, space: number, at: string) => {
    if (!achievement.run(source, memberId, rule, space, at).changes) return;
    const [amount, reason] = EARN[rule];
    award.run(`member:${memberId}`, amount, rule, reason, source, memberId, at.slice(0, 10), at);
  };
  const tell = (memberId: number, kind: string, text: string, link: string, at: string) => {
    const t = Date.parse(at);
    notify.run(memberId, kind, text.slice(0, 500), link, now - t > READ_AFTER ? new Date(t + 3_600_000).toISOString() : null, at);
  };
  const subject = (title: string | null, text: string) => `“${isolate(title ?? text.slice(0, 60))}”`;

  return {
    posted(p: Posted): void {
      earn(p.author, p.parentAuthor === null ? 'post' : 'reply', `post:${p.id}`, p.space, p.at);
      if (p.parentAuthor === null || p.parentAuthor === p.author) return;
      const said = `: “${isolate(p.text.slice(0, 120))}”`;
      const what = p.depth === 1 ? 'your post' : 'your reply in';
      tell(p.parentAuthor, 'reply', `@member${p.author} replied to ${what} ${subject(p.rootTitle, p.text)}${said}`, `/p/${p.root}#p-${p.id}`, p.at);
    },

    reacted(r: Reacted): void {
      if (r.reactor === r.author) return;
      earn(r.author, 'reaction_received', `reaction:${r.post}:${r.reactor}`, r.space, r.at);
      tell(r.author, 'reaction', `@member${r.reactor} reacted to your post ${subject(r.title, 'a post')}.`, `/p/${r.post}`, r.at);
    },

    /**
     * Events in one space, each with up to 40 RSVPs: 10 in the coming two months at every
     * size (the events page shows the same list), and 10 plus one per 100 members in the
     * past 180 days (the past grows with the community; the page must not read it).
     */
    events(spaceId: number, members: number, nowMs: number): void {
      const event = db.prepare(
        `insert into events (space_id, title, description_md, description_html, starts_at, ends_at, timezone, address, online_url, capacity, status, created_by, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, 'Europe/Berlin', 'Roastery, Main Street 1', null, ?, 'scheduled', 1, ?, ?)`,
      );
      const rsvp = db.prepare(`insert or ignore into event_rsvps (event_id, member_id, status, created_at, updated_at) values (?, ?, ?, ?, ?)`);
      const past = 10 + Math.floor(members / 100);
      const statuses = ['going', 'going', 'maybe', 'not_going'];
      for (let i = 0; i < past + 10; i++) {
        const starts = i >= past ? nowMs + (1 + rand(60)) * DAY : nowMs - (1 + rand(180)) * DAY;
        const created = new Date(Math.min(starts, nowMs) - 14 * DAY).toISOString();
        const id = Number(
          event.run(spaceId, `Cupping session ${i + 1}`, 'Taste *new* roasts together.', '<p>Taste <em>new</em> roasts together.</p>',
            new Date(starts).toISOString(), new Date(starts + 2 * 3_600_000).toISOString(), rand(2) ? 40 : null, created, created).lastInsertRowid,
        );
        for (let j = rand(40); j > 0; j--) rsvp.run(id, 1 + rand(members), statuses[rand(statuses.length)], created, created);
      }
    },
  };
}
