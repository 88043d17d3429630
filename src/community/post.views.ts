import type { Db } from '../db/schema.js';
import { formatHandle } from './handle.js';
import { FIRST_PAGE, PAGE_SIZE, type PostListRow, postQueries, visibleTo } from './post.queries.js';
import { isOpen } from './interaction.js';
import { isLive } from './post.service.js';
import { REACTIONS } from './reaction.service.js';
import { type ThreadKind, threadKind } from './reply-words.js';
import { type PostKind, type Support, supportFor } from './support.js';
import type { Viewer } from './roles.js';

/**
 * Read models for pages: one query for the posts (with author and space joined), one for
 * their reaction counts. Pages are keyset-paginated on post id, which never skips or repeats
 * a post when new ones arrive between two page loads.
 */
export { PAGE_SIZE };
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
  /** Takes replies, reactions, votes and edits (the rule in interaction.ts: it and its thread are live). */
  open: boolean;
  /** How people show support for it (support.ts): the page offers reactions only when 'reactions'. */
  support: Support;
  replyCount: number;
  /** What kind of thread this post starts ('post' for replies): its replies are named by it (reply-words.ts). */
  kind: ThreadKind;
  /** Boosts from other servers. */
  shareCount: number;
  depth: number;
  parentId: number | null;
  rootId: number;
  /** id is read only for threads, where the author's own tools need it. */
  /** domain and remoteUrl: for people from other servers, their server and where their profile lives. */
  author: {
    id: number | null; handle: string; domain: string | null; displayName: string; avatarFile: string | null; remoteUrl: string | null;
    /** Level and expert mark, filled in by pages where the economy shows them beside names. */
    mark?: { level: string; expert: boolean };
  };
  space: { slug: string; name: string; visibility: string };
  reactions: ReactionCount[];
  children: PostView[];
  /** For replies shown flattened below MAX_THREAD_DEPTH: whom they answer, as formatHandle writes it. */
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

export class PostViews {
  private readonly q: ReturnType<typeof postQueries>;

  constructor(
    private readonly db: Db,
    /** Whether idea boards are on (then ideas show votes, not reactions). */
    private readonly ideasOn: () => boolean = () => false,
  ) {
    this.q = postQueries(db);
  }

  /** Newest threads across every space the viewer may see. */
  async home(viewer: Viewer, before?: number): Promise<Page<PostView>> {
    const rows = await this.q.home({ before: before ?? FIRST_PAGE, ...visibleTo(viewer) });
    return this.page(rows, viewer);
  }

  /** Newest threads in one space (the caller has checked the viewer may see it). */
  async space(spaceId: number, viewer: Viewer, before?: number): Promise<Page<PostView>> {
    return this.page(await this.q.space({ spaceId, before: before ?? FIRST_PAGE }), viewer);
  }

  /** A member's live posts and replies in spaces the viewer may see. */
  async byMember(memberId: number, viewer: Viewer, before?: number): Promise<Page<PostView>> {
    return this.page(await this.q.member({ memberId, before: before ?? FIRST_PAGE, ...visibleTo(viewer) }), viewer);
  }

  /**
   * A thread: its first post, then one page of direct answers (oldest first) with every reply
   * under them, nested up to MAX_THREAD_DEPTH.
   */
  async thread(rootId: number, viewer: Viewer, after?: number, opts: { first?: number | null } = {}): Promise<ThreadView | undefined> {
    const rootRow = await this.q.thread().where('posts.id', '=', rootId).executeTakeFirst();
    if (!rootRow) return undefined;
    let branchQ = this.q.thread().where('posts.parent_id', '=', rootId);
    if (after !== undefined) branchQ = branchQ.where('posts.id', '>', after);
    // An accepted answer leads the first page and is left out of the pages after it.
    const first = opts.first ?? null;
    if (first !== null) branchQ = branchQ.where('posts.id', '!=', first);
    const branches = await branchQ.orderBy('posts.id').limit(PAGE_SIZE + 1).execute();
    const more = branches.length > PAGE_SIZE;
    const rest = branches.slice(0, PAGE_SIZE);
    const lead = first !== null && after === undefined ? await this.q.thread().where('posts.parent_id', '=', rootId).where('posts.id', '=', first).executeTakeFirst() : undefined;
    const shown = lead ? [lead, ...rest] : rest;
    const branchIds = shown.map((b) => b.id);
    const deeper =
      branchIds.length === 0
        ? []
        : // Branch by branch, each oldest first: the order of posts_root (root_id, branch_id, id), so
          // no sort. Trees are built per branch, so this gives the same tree as ordering by id.
          await this.q.thread().where('posts.root_id', '=', rootId).where('posts.branch_id', 'in', branchIds).where('posts.depth', '>', 1).orderBy('posts.branch_id').orderBy('posts.id').execute();
    const all = [rootRow, ...shown, ...deeper];
    const reactions = await this.reactionCounts(all, viewer);
    const views = new Map(all.map((r) => [r.id, toView(r, reactions.get(r.id))]));
    const root = views.get(rootRow.id)!;
    // A reply in a removed or deleted thread takes nothing either.
    for (const row of [...shown, ...deeper]) views.get(row.id)!.open = isOpen({ post: liveness(row), thread: liveness(rootRow) });
    for (const row of [...shown, ...deeper]) {
      const view = views.get(row.id)!;
      let parent = views.get(row.parent_id!);
      if (!parent) continue;
      if (row.depth > MAX_THREAD_DEPTH) {
        view.replyingTo = formatHandle(parent.author);
        // Hang it from the ancestor at the deepest shown level.
        while (parent.depth >= MAX_THREAD_DEPTH && parent.parentId !== null && views.get(parent.parentId)) parent = views.get(parent.parentId)!;
        view.depth = MAX_THREAD_DEPTH;
      }
      parent.children.push(view);
    }
    return { root, replies: root.children, next: more ? rest[rest.length - 1]!.id : null };
  }

  private async page(rows: PostListRow[], viewer: Viewer): Promise<Page<PostView>> {
    const more = rows.length > PAGE_SIZE;
    const shown = more ? rows.slice(0, PAGE_SIZE) : rows;
    const reactions = await this.reactionCounts(shown, viewer);
    // Replies listed alone (a member's page) are open only while their thread is (interaction.ts).
    const rootIds = [...new Set(shown.flatMap((r) => (r.root_id != null && r.root_id !== r.id ? [r.root_id] : [])))];
    const roots = rootIds.length ? await this.db.selectFrom('posts').select(['id', 'deleted_at', 'removed_at']).where('id', 'in', rootIds).execute() : [];
    const thread = new Map(roots.map((r) => [r.id, r]));
    const items = shown.map((r) => {
      const view = toView(r, reactions.get(r.id));
      view.open = isOpen({ post: liveness(r), thread: r.root_id == null ? null : thread.get(r.root_id) });
      return view;
    });
    return { items, next: more ? shown[shown.length - 1]!.id : null };
  }

  private async reactionCounts(rows: readonly PostListRow[], viewer: Viewer): Promise<Map<number, Supported>> {
    const out = new Map<number, Supported>();
    if (rows.length === 0) return out;
    const postIds = rows.map((r) => r.id);
    // Each row already says what it is (thread_kind, from the page query): no second query.
    const ideasOn = this.ideasOn();
    const kinds = new Map<number, PostKind>(rows.map((r) => [r.id, ideasOn && r.thread_kind === 'idea' ? 'idea' : 'post']));
    const ids = JSON.stringify(postIds);
    const counts = await this.q.reactionCounts({ ids });
    const mine = new Set<string>();
    if (viewer !== null) {
      for (const r of await this.q.ownReactions({ memberId: viewer.id, ids })) mine.add(`${r.post_id}:${r.kind}`);
    }
    const byPost = new Map<number, Map<string, number>>();
    for (const c of counts) {
      const m = byPost.get(c.post_id) ?? new Map<string, number>();
      m.set(c.kind, Number(c.count));
      byPost.set(c.post_id, m);
    }
    for (const id of postIds) {
      const m = byPost.get(id);
      // A post that takes votes shows no reactions at all (support.ts).
      const support = supportFor(kinds.get(id) ?? 'post');
      if (support !== 'reactions') {
        out.set(id, { support, reactions: [] });
        continue;
      }
      const all = REACTIONS.map((r) => ({ kind: r.kind, emoji: r.emoji, label: r.label, count: m?.get(r.kind) ?? 0, mine: mine.has(`${id}:${r.kind}`) }));
      // Members get a button for every kind; visitors only see the counts there are.
      out.set(id, { support, reactions: viewer === null ? all.filter((r) => r.count > 0) : all });
    }
    return out;
  }
}

const liveness = (r: PostListRow) => ({ deleted_at: r.deleted_at ?? null, removed_at: r.removed_at ?? null });

/** A post's support kind and, when it takes reactions, their counts. */
interface Supported {
  support: Support;
  reactions: ReactionCount[];
}

function toView(r: PostListRow, supported: Supported | undefined): PostView {
  const live = isLive(liveness(r));
  return {
    id: r.id,
    title: live ? r.title : null,
    bodyHtml: live ? r.body_html : '',
    createdAt: r.created_at,
    editedAt: r.edited_at,
    deleted: (r.deleted_at ?? null) !== null,
    removedReason: (r.removed_at ?? null) !== null ? (r.removed_reason ?? '') : null,
    open: isOpen({ post: liveness(r) }),
    replyCount: r.reply_count,
    kind: threadKind(r.thread_kind),
    shareCount: r.share_count,
    depth: r.depth ?? 0,
    parentId: r.parent_id ?? null,
    rootId: r.root_id ?? r.id,
    author: { id: r.author_id ?? null, handle: r.author_handle, domain: r.author_domain, displayName: r.author_name, avatarFile: r.author_avatar, remoteUrl: r.author_url },
    space: { slug: r.space_slug, name: r.space_name, visibility: r.space_visibility },
    reactions: supported?.reactions ?? [],
    support: supported?.support ?? 'reactions',
    children: [],
    replyingTo: null,
  };
}
