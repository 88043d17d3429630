// The ceiling for the home page: bare express + better-sqlite3 + nunjucks, with the same
// two queries Hearth's home page makes (threads with author and space; reaction counts),
// hand-written SQL on prepared statements, and a template of the same shape. No sessions,
// CSRF, security headers or error handling: the cost of those is what the ratio shows.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import express from 'express';
import nunjucks from 'nunjucks';

const [file, port] = process.argv.slice(2);
const db = new SQLite(file, { readonly: true });
db.pragma('journal_mode = WAL');
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.dirname(fileURLToPath(import.meta.url))), { autoescape: true });
const fmt = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
env.addFilter('date', (iso) => fmt.format(new Date(iso)) + ' UTC');

const threads = db.prepare(`
  select p.id, p.title, p.body_html, p.created_at, p.reply_count, m.handle, m.display_name, m.avatar_file, s.slug, s.name as space_name
  from posts p join members m on m.id = p.author_id join spaces s on s.id = p.space_id
  where p.parent_id is null and p.deleted_at is null and p.removed_at is null and s.visibility = 'public'
  order by p.id desc limit 50`);
const kinds = [['like', '👍'], ['love', '❤️'], ['laugh', '😂'], ['wow', '😮'], ['sad', '😢'], ['celebrate', '🎉']];
const spaces = db.prepare(`select slug, name from spaces where visibility = 'public' order by id`);

const app = express();
app.get('/', (_req, res) => {
  const posts = threads.all();
  const ids = posts.map((p) => p.id);
  const counts = db
    .prepare(`select post_id, kind, count(*) as n from reactions where post_id in (${ids.map(() => '?').join(',')}) group by post_id, kind`)
    .all(...ids);
  const byPost = new Map();
  for (const c of counts) byPost.set(`${c.post_id}:${c.kind}`, c.n);
  // As Hearth does for visitors: only the reaction kinds that have a count.
  for (const p of posts) p.reactions = kinds.map(([kind, emoji]) => ({ kind, emoji, count: byPost.get(`${p.id}:${kind}`) ?? 0 })).filter((r) => r.count > 0);
  res.type('html').send(env.render('home.njk', { posts, spaces: spaces.all(), name: 'Hearth', description: 'A community on Hearth.', rules: 'Be kind. Stay on topic. No spam.' }));
});
const server = app.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
