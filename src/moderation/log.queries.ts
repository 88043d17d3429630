import type { DbOrTx } from '../db/schema.js';
import type { LogEntryFacts } from './log-text.js';
import type { ModerationLogRow } from './moderation.table.js';

/** A moderation log row with the names it points at, ready for `logSentence` / `noticeFor`. */
export type LogEntry = ModerationLogRow & LogEntryFacts;

/**
 * Reads log rows newest first with the actor's and target's handles, the post's title (a
 * reply has none: its thread's title, else the start of its text) and, for expert
 * appointments, the space's name. `id` reads one row; `before` pages.
 */
export async function readLogEntries(db: DbOrTx, opts: { id?: number; before?: number; limit?: number }): Promise<LogEntry[]> {
  let q = db
    .selectFrom('moderation_log as l')
    .leftJoin('members as a', 'a.id', 'l.actor_id')
    .leftJoin('members as t', 't.id', 'l.target_member_id')
    .leftJoin('posts as p', 'p.id', 'l.target_post_id')
    .leftJoin('posts as r', 'r.id', 'p.root_id')
    .selectAll('l')
    .select(['a.handle as actor_handle', 'a.domain as actor_domain', 't.handle as target_handle', 't.domain as target_domain'])
    .select((eb) => eb.fn.coalesce('p.title', 'r.title', eb.fn('substr', ['p.body_md', eb.lit(1), eb.lit(60)])).as('post_title'))
    .orderBy('l.id', 'desc')
    .limit(opts.limit ?? 50);
  if (opts.id !== undefined) q = q.where('l.id', '=', opts.id);
  if (opts.before !== undefined) q = q.where('l.id', '<', opts.before);
  const rows = await q.execute();
  const spaceIds = [...new Set(rows.map(spaceIdOf).filter((n): n is number => n !== null))];
  const spaces = spaceIds.length ? await db.selectFrom('spaces').select(['id', 'name']).where('id', 'in', spaceIds).execute() : [];
  const names = new Map(spaces.map((s) => [s.id, s.name]));
  return rows.map((row) => ({ ...row, post_title: (row.post_title as string | null) ?? null, space_name: names.get(spaceIdOf(row) ?? -1) ?? null }));
}

// Expert appointments keep their space as "space <id>" in details (see StandingService.appoint).
function spaceIdOf(row: { action: string; details: string }): number | null {
  if (!row.action.startsWith('economy.expert_')) return null;
  const m = /^space (\d+)$/.exec(row.details);
  return m ? Number(m[1]) : null;
}
