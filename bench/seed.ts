import SQLite from 'better-sqlite3';

/**
 * Fills a migrated Hearth database with a realistic community, straight through prepared
 * statements in one transaction (the services would take minutes for 100k posts).
 */
export function seedCommunity(file: string, opts: { members: number; posts: number; reactions: number }): void {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const words = 'coffee roast beans espresso milk oat latte grinder brew morning cup barista crema aroma filter kettle'.split(' ');
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const sentence = (n: number) => Array.from({ length: n }, () => words[rand(words.length)]).join(' ');

  db.transaction(() => {
    const member = db.prepare(
      `insert into members (handle, display_name, bio, avatar_file, role, status, status_reason, password_hash, created_at, updated_at)
       values (?, ?, '', null, 'member', 'active', null, 'x', ?, ?)`,
    );
    for (let i = 1; i <= opts.members; i++) member.run(`member${i}`, `Member ${i}`, iso(1e10), iso(1e10));
    const space = db.prepare(`insert into spaces (slug, name, description, visibility, created_by, created_at) values (?, ?, ?, 'public', 1, ?)`);
    for (const [slug, name] of [['roasting', 'Roasting'], ['events', 'Events'], ['feedback', 'Feedback']]) space.run(slug, name, `All about ${name}`, iso(1e10));
    const spaceIds = (db.prepare('select id from spaces').all() as { id: number }[]).map((s) => s.id);

    const thread = db.prepare(
      `insert into posts (space_id, author_id, parent_id, root_id, branch_id, depth, title, body_md, body_html, reply_count, created_at, updated_at)
       values (?, ?, null, null, null, 0, ?, ?, ?, 0, ?, ?)`,
    );
    const setRoot = db.prepare('update posts set root_id = id where id = ?');
    const reply = db.prepare(
      `insert into posts (space_id, author_id, parent_id, root_id, branch_id, depth, title, body_md, body_html, reply_count, created_at, updated_at)
       values (?, ?, ?, ?, ?, 1, null, ?, ?, 0, ?, ?)`,
    );
    const setBranch = db.prepare('update posts set branch_id = id where id = ?');
    const bump = db.prepare('update posts set reply_count = reply_count + 1 where id = ?');
    const threads: { id: number; space: number }[] = [];
    for (let i = 0; i < opts.posts; i++) {
      const at = iso((opts.posts - i) * 60_000);
      const author = 1 + rand(opts.members);
      const body = `${sentence(12)}. **${sentence(3)}** ${sentence(20)}.`;
      const html = `<p>${body.replace(/\*\*(.+?)\*\*/, '<strong>$1</strong>')}</p>`;
      if (threads.length < 10 || rand(10) < 8) {
        const s = spaceIds[rand(spaceIds.length)]!;
        const id = Number(thread.run(s, author, rand(3) === 0 ? null : sentence(5), body, html, at, at).lastInsertRowid);
        setRoot.run(id);
        threads.push({ id, space: s });
      } else {
        const t = threads[threads.length - 1 - rand(Math.min(threads.length, 500))]!;
        const id = Number(reply.run(t.space, author, t.id, t.id, null, body, html, at, at).lastInsertRowid);
        setBranch.run(id);
        bump.run(t.id);
      }
    }
    const kinds = ['like', 'love', 'laugh', 'wow', 'sad', 'celebrate'];
    const reaction = db.prepare('insert or ignore into reactions (post_id, member_id, kind, created_at) values (?, ?, ?, ?)');
    // Reactions cluster on recent posts, as they do in a live community.
    for (let i = 0; i < opts.reactions; i++) {
      const t = threads[threads.length - 1 - rand(Math.min(threads.length, 2000))]!;
      reaction.run(t.id, 1 + rand(opts.members), kinds[rand(kinds.length)], iso(rand(1e9)));
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
