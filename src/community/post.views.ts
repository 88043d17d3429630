import type { Db } from '../db/schema.js';
import { isLive } from './post.service.js';
import type { PostRow } from './post.table.js';
import { REACTIONS } from './reaction.service.js';
import type { Viewer } from './roles.js';

/**
 * Read models for pages: one query for the posts (with author and space joined), one for
 * their reaction counts. Pages are keyset-paginated on post id, which never skips or repeats
 * a post when new ones arrive between two page loads.
 */
export const PAGE_SIZE = 50;
/** Replies deeper than this are shown at this depth, still saying whom they answer. */
export const MAX_THREAD_DEPTH = 6;

export interface ReactionCount {
  kind: string;
  emoji: string;
  label: string;
  count: number;
  mine: boolean;
}

export interface PostView {
  id: number;
  title: string | null;
  bodyHtml: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  removedReason: string | null;
  replyCount: number;
  depth: number;
  parentId: number | null;
  rootId: number;
  author: { id: number; handle: string; displayName: string; avatarFile: string | null };
  space: { slug: string; name: string; visibility: string };
  reactions: ReactionCount[];
  children: PostView[];
  /** For replies shown flattened below MAX_THREAD_DEPTH: the handle they answer. */
  replyingTo: string | null;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page, or null on the last page. */
  next: number | null;
}

export interface ThreadView {
  root: PostView;
  replies: PostView[];
  next: number | null;
}

type Row = PostRow & {
  author_handle: string;
  author_name: string;
  author_avatar: string | null;
  space_slug: string;
  space_name: string;
  space_visibility: string;
};

export class PostViews {
  constructor(private readonly db: Db) {}

  private base() {
    return this.db
      .selectFrom('posts')
      .innerJoin('members', 'members.id', 'posts.author_id')
      .innerJoin('spaces', 'spaces.id', 'posts.space_id')
      .selectAll('posts')
      .select([
        'members.handle as author_handle',
        'members.display_name as author_name',
        'members.avatar_file as author_avatar',
        'spaces.slug as space_slug',
        'spaces.name as space_name',
        'spaces.visibility as space_visibility',
      ]);
  }

  /** Newest threads across every space the viewer may see. */
  async home(viewer: Viewer, before?: number): Promise<Page<PostView>> {
    let q = this.base().where('posts.parent_id', 'is', null).where('posts.deleted_at', 'is', null).where('posts.removed_at', 'is', null);
    if (viewer === null) q = q.where('spaces.visibility', '=', 'public');
    if (before !== undefined) q = q.where('posts.id', '<', before);
    const rows = await q.orderBy('posts.id', 'desc').limit(PAGE_SIZE + 1).execute();
    return this.page(rows, viewer);
  }

  /** Newest threads in one space (the caller has checked the viewer may see it). */
  async space(spaceId: number, viewer: Viewer, before?: number): Promise<Page<PostView>> {
    let q = this.base()
      .where('posts.space_id', '=', spaceId)
      .where('posts.parent_id', 'is', null)
      .where('posts.deleted_at', 'is', null)
      .where('posts.removed_at', 'is', null);
    if (before !== undefined) q = q.where('posts.id', '<', before);
    const rows = await q.orderBy('posts.id', 'desc').limit(PAGE_SIZE + 1).execute();
    return this.page(rows, viewer);
  }

  /** A member's live posts and replies in spaces the viewer may see. */
  async byMember(memberId: number, viewer: Viewer, before?: number): Promise<Page<PostView>> {
    let q = this.base().where('posts.author_id', '=', memberId).where('posts.deleted_at', 'is', null).where('posts.removed_at', 'is', null);
    if (viewer === null) q = q.where('spaces.visibility', '=', 'public');
    if (before !== undefined) q = q.where('posts.id', '<', before);
    const rows = await q.orderBy('posts.id', 'desc').limit(PAGE_SIZE + 1).execute();
    return this.page(rows, viewer);
  }

  /**
   * A thread: its first post, then one page of direct answers (oldest first) with every reply
   * under them, nested up to MAX_THREAD_DEPTH.
   */
  async thread(rootId: number, viewer: Viewer, after?: number): Promise<ThreadView | undefined> {
    const rootRow = await this.base().where('posts.id', '=', rootId).executeTakeFirst();
    if (!rootRow) return undefined;
    let branchQ = this.base().where('posts.parent_id', '=', rootId);
    if (after !== undefined) branchQ = branchQ.where('posts.id', '>', after);
    const branches = await branchQ.orderBy('posts.id').limit(PAGE_SIZE + 1).execute();
    const more = branches.length > PAGE_SIZE;
    const shown = branches.slice(0, PAGE_SIZE);
    const branchIds = shown.map((b) => b.id);
    const deeper =
      branchIds.length === 0
        ? []
        : await this.base().where('posts.root_id', '=', rootId).where('posts.branch_id', 'in', branchIds).where('posts.depth', '>', 1).orderBy('posts.id').execute();
    const all = [rootRow, ...shown, ...deeper];
    const reactions = await this.reactionCounts(all.map((r) => r.id), viewer);
    const views = new Map(all.map((r) => [r.id, toView(r, reactions.get(r.id))]));
    const root = views.get(rootRow.id)!;
    for (const row of [...shown, ...deeper]) {
      const view = views.get(row.id)!;
      let parent = views.get(row.parent_id!);
      if (!parent) continue;
      if (row.depth > MAX_THREAD_DEPTH) {
        view.replyingTo = parent.author.handle;
        // Hang it from the ancestor at the deepest shown level.
        while (parent.depth >= MAX_THREAD_DEPTH && parent.parentId !== null && views.get(parent.parentId)) parent = views.get(parent.parentId)!;
        view.depth = MAX_THREAD_DEPTH;
      }
      parent.children.push(view);
    }
    return { root, replies: root.children, next: more ? shown[shown.length - 1]!.id : null };
  }

  private async page(rows: Row[], viewer: Viewer): Promise<Page<PostView>> {
    const more = rows.length > PAGE_SIZE;
    const shown = more ? rows.slice(0, PAGE_SIZE) : rows;
    const reactions = await this.reactionCounts(shown.map((r) => r.id), viewer);
    return { items: shown.map((r) => toView(r, reactions.get(r.id))), next: more ? shown[shown.length - 1]!.id : null };
  }

  private async reactionCounts(postIds: number[], viewer: Viewer): Promise<Map<number, ReactionCount[]>> {
    const out = new Map<number, ReactionCount[]>();
    if (postIds.length === 0) return out;
    const counts = await this.db
      .selectFrom('reactions')
      .select(['post_id', 'kind', (eb) => eb.fn.countAll<number>().as('count')])
      .where('post_id', 'in', postIds)
      .groupBy(['post_id', 'kind'])
      .execute();
    const mine = new Set<string>();
    if (viewer !== null) {
      const own = await this.db.selectFrom('reactions').select(['post_id', 'kind']).where('member_id', '=', viewer.id).where('post_id', 'in', postIds).execute();
      for (const r of own) mine.add(`${r.post_id}:${r.kind}`);
    }
    const byPost = new Map<number, Map<string, number>>();
    for (const c of counts) {
      const m = byPost.get(c.post_id) ?? new Map<string, number>();
      m.set(c.kind, Number(c.count));
      byPost.set(c.post_id, m);
    }
    for (const id of postIds) {
      const m = byPost.get(id);
      out.set(
        id,
        REACTIONS.map((r) => ({ kind: r.kind, emoji: r.emoji, label: r.label, count: m?.get(r.kind) ?? 0, mine: mine.has(`${id}:${r.kind}`) })),
      );
    }
    return out;
  }
}

function toView(r: Row, reactions: ReactionCount[] | undefined): PostView {
  const live = isLive(r);
  return {
    id: r.id,
    title: live ? r.title : null,
    bodyHtml: live ? r.body_html : '',
    createdAt: r.created_at,
    editedAt: r.edited_at,
    deleted: r.deleted_at !== null,
    removedReason: r.removed_at !== null ? (r.removed_reason ?? '') : null,
    replyCount: r.reply_count,
    depth: r.depth,
    parentId: r.parent_id,
    rootId: r.root_id ?? r.id,
    author: { id: r.author_id, handle: r.author_handle, displayName: r.author_name, avatarFile: r.author_avatar },
    space: { slug: r.space_slug, name: r.space_name, visibility: r.space_visibility },
    reactions: reactions ?? REACTIONS.map((x) => ({ kind: x.kind, emoji: x.emoji, label: x.label, count: 0, mine: false })),
    children: [],
    replyingTo: null,
  };
}
