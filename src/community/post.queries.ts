import { sql } from 'kysely';
import { preparedQuery } from '../db/prepared.js';
import type { Db } from '../db/schema.js';
import type { PostRow } from './post.table.js';
import type { Viewer } from './roles.js';
import type { SpaceVisibility } from './space.table.js';

/**
 * The SQL behind post pages. Lists (home, space, member page) show only live posts, so
 * they read the few columns a card shows: every column costs time when 50 rows become
 * objects. Threads also read what placeholders and the author's tools need. Nothing here
 * reads body_md, which only the edit form needs.
 */
const LIST_COLUMNS = ['posts.id', 'posts.title', 'posts.body_html', 'posts.created_at', 'posts.edited_at', 'posts.reply_count', 'posts.share_count'] as const;
/** Lists of thread starters leave these out: a starter is its own root, at depth 0, with no parent. */
const PLACE_COLUMNS = ['posts.parent_id', 'posts.root_id', 'posts.depth'] as const;
const THREAD_COLUMNS = ['posts.deleted_at', 'posts.removed_at', 'posts.removed_reason', 'posts.author_id'] as const;

export type PostListRow = Pick<PostRow, 'id' | 'title' | 'body_html' | 'created_at' | 'edited_at' | 'reply_count' | 'share_count'> & {
  author_handle: string;
  /** Remote authors only: their server, and their profile on it. */
  author_domain: string | null;
  author_url: string | null;
  author_name: string;
  author_avatar: string | null;
  space_slug: string;
  space_name: string;
  space_visibility: string;
  /** 'question', 'idea' or 'post' (a thread starter's kind). */
  thread_kind: string;
} & Partial<Pick<PostRow, 'parent_id' | 'root_id' | 'depth' | 'deleted_at' | 'removed_at' | 'removed_reason' | 'author_id'>>;

/** Stand-in cursor for "the first page": every id is below it, so one query shape serves all pages. */
export const FIRST_PAGE = Number.MAX_SAFE_INTEGER;
export const PAGE_SIZE = 50;

/** Members see public and members-only spaces; visitors only public ones. */
export const visibleTo = (viewer: Viewer): { visible: SpaceVisibility; alsoVisible: SpaceVisibility } => ({
  visible: 'public',
  alsoVisible: viewer === null ? 'public' : 'members',
});

export function postQueries(db: Db) {
  const list = () =>
    db
      .selectFrom('posts')
      .innerJoin('members', 'members.id', 'posts.author_id')
      .innerJoin('spaces', 'spaces.id', 'posts.space_id')
      .select(LIST_COLUMNS)
      .select([
        'members.handle as author_handle',
        'members.domain as author_domain',
        'members.display_name as author_name',
        'members.avatar_file as author_avatar',
        'members.profile_url as author_url',
        'spaces.slug as space_slug',
        'spaces.name as space_name',
        'spaces.visibility as space_visibility',
      ])
      // What the thread is (its replies' noun comes from it: src/community/reply-words.ts).
      .select(sql<string>`case when exists (select 1 from questions q where q.post_id = posts.id) then 'question' when exists (select 1 from ideas i where i.post_id = posts.id) then 'idea' else 'post' end`.as('thread_kind'));
  const live = () => list().where('posts.deleted_at', 'is', null).where('posts.removed_at', 'is', null);
  type Visible = { visible: SpaceVisibility; alsoVisible: SpaceVisibility };
  // The ids arrive as one JSON array, so the statement is the same for any page size.
  const idsIn = (ids: string) => sql<number>`(select value from json_each(${ids}))`;

  return {
    /** Thread rows (placeholders included); built per call, as thread pages are less hot. */
    thread: () => list().select(PLACE_COLUMNS).select(THREAD_COLUMNS),

    home: preparedQuery(db, (p: { before: number } & Visible) =>
      live()
        .where('posts.parent_id', 'is', null)
        .where('spaces.visibility', 'in', [p.visible, p.alsoVisible])
        .where('posts.id', '<', p.before)
        .orderBy('posts.id', 'desc')
        .limit(PAGE_SIZE + 1),
    ),

    space: preparedQuery(db, (p: { spaceId: number; before: number }) =>
      live()
        .where('posts.space_id', '=', p.spaceId)
        .where('posts.parent_id', 'is', null)
        .where('posts.id', '<', p.before)
        .orderBy('posts.id', 'desc')
        .limit(PAGE_SIZE + 1),
    ),

    member: preparedQuery(db, (p: { memberId: number; before: number } & Visible) =>
      live()
        .select(PLACE_COLUMNS)
        .where('posts.author_id', '=', p.memberId)
        .where('spaces.visibility', 'in', [p.visible, p.alsoVisible])
        .where('posts.id', '<', p.before)
        .orderBy('posts.id', 'desc')
        .limit(PAGE_SIZE + 1),
    ),

    reactionCounts: preparedQuery(db, (p: { ids: string }) =>
      db
        .selectFrom('reactions')
        .select(['post_id', 'kind', (eb) => eb.fn.countAll<number>().as('count')])
        .where('post_id', 'in', idsIn(p.ids))
        .groupBy(['post_id', 'kind']),
    ),

    ownReactions: preparedQuery(db, (p: { memberId: number; ids: string }) =>
      db.selectFrom('reactions').select(['post_id', 'kind']).where('member_id', '=', p.memberId).where('post_id', 'in', idsIn(p.ids)),
    ),
  };
}
