import { formatNumber } from '../core/format.js';
import type { EventBus } from '../core/event-bus.js';
import { FieldErrors, forbidden, notFound } from '../core/errors.js';
import { once } from '../core/once.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { renderWithMentions } from './markdown.js';
import { assertOpen, isOpen } from './interaction.js';
import { cleanLine } from './member.rules.js';
import type { PostRow } from './post.table.js';
import type { Actor, Viewer } from './roles.js';
import { canSeeSpace } from './space.service.js';
import type { SpaceRow } from './space.table.js';

export const TITLE_MAX = 200;

export interface PostInput {
  title?: string;
  body: string;
  /**
   * The one-time key of the form that sends it (`submissionKey`, the `_once` field). A new
   * thread or reply with a key its author already used answers that earlier post: nothing
   * is written, nobody is told or paid again. Ignored by edits.
   */
  key?: string | null;
}

/** A post together with the space it lives in, as permission checks need both. */
export interface PostInSpace {
  post: PostRow;
  space: SpaceRow;
}

export const isLive = (post: Pick<PostRow, 'deleted_at' | 'removed_at'>): boolean => post.deleted_at === null && post.removed_at === null;

/** Threads and replies: writing, editing, deleting, and removal by moderators. */
export class PostService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly limits: () => { maxPostChars: number },
  ) {}

  /**
   * `extras` writes what belongs to the thread (a poll) in the same transaction, before anyone hears of it;
   * `check` adds that thing's own field errors, so they are reported together with the post's.
   */
  async createThread(
    author: Actor,
    space: SpaceRow,
    input: PostInput,
    extras?: (trx: DbOrTx, post: PostRow) => Promise<void>,
    check?: (errors: FieldErrors) => void,
  ): Promise<PostRow> {
    const { title, body, html } = await this.validate(input, true, check);
    const key = input.key ?? null;
    const { row: post, fresh } = await once(
      () => this.db.transaction().execute(async (trx) => {
        const prior = await submitted(trx, author.id, key);
        if (prior) return { row: prior, fresh: false };
        const post = await insertPost(trx, { spaceId: space.id, authorId: author.id, parent: null, title, body, html, at: nowIso(), key });
        await extras?.(trx, post);
        return { row: post, fresh: true };
      }),
      () => submitted(this.db, author.id, key),
    );
    if (fresh) this.bus.emit('post.created', { postId: post.id, spaceId: space.id, authorId: author.id, parentId: null, rootId: post.id });
    return post;
  }

  /** A reply to a post that still takes them; with `input.key`, a repeat of the same form answers the first reply (see PostInput). */
  async reply(author: Actor, parentId: number, input: PostInput): Promise<PostRow> {
    const { body, html } = await this.validate({ body: input.body }, false);
    const key = input.key ?? null;
    const { row: post, fresh } = await once(
      () => this.db.transaction().execute(async (trx) => {
        const prior = await submitted(trx, author.id, key);
        if (prior) return { row: prior, fresh: false };
        const { post: parent } = await this.getOpen(author, parentId, trx);
        const row = await insertPost(trx, { spaceId: parent.space_id, authorId: author.id, parent, title: null, body, html, at: nowIso(), key });
        return { row, fresh: true };
      }),
      () => submitted(this.db, author.id, key),
    );
    if (fresh) this.bus.emit('post.created', { postId: post.id, spaceId: post.space_id, authorId: author.id, parentId, rootId: post.root_id ?? post.id });
    return post;
  }

  async edit(author: Actor, postId: number, input: PostInput): Promise<PostRow> {
    const { post } = await this.getVisible(author, postId);
    if (post.author_id !== author.id) throw forbidden('Only the author can edit a post.');
    assertOpen({ post, thread: await this.threadOf(post) });
    const { title, body, html } = await this.validate(input, post.parent_id === null);
    const now = nowIso();
    const updated = await this.db
      .updateTable('posts')
      .set({ title, body_md: body, body_html: html, updated_at: now, edited_at: now })
      .where('id', '=', postId)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.bus.emit('post.updated', { postId, authorId: author.id });
    return updated;
  }

  /** The author deletes their own post. Its place in the thread stays, so replies keep their context. */
  async delete(author: Actor, postId: number): Promise<void> {
    const { post } = await this.getVisible(author, postId);
    if (post.author_id !== author.id) throw forbidden('Only the author can delete a post.');
    if (!isLive(post)) return;
    await this.db.transaction().execute((trx) => markDeleted(trx, post));
    this.bus.emit('post.deleted', { postId, authorId: post.author_id });
  }

  /**
   * Moderator removal, inside the moderation service's transaction (which also writes the log).
   * The text is kept for the moderation record but never shown again.
   */
  async markRemoved(trx: DbOrTx, post: PostRow, by: number, reason: string): Promise<void> {
    const now = nowIso();
    await trx.updateTable('posts').set({ removed_at: now, removed_by: by, removed_reason: reason, updated_at: now }).where('id', '=', post.id).execute();
    await decrementReplies(trx, post);
  }

  /** The post and its space, if the viewer may see them; 404 otherwise (members-only spaces do not leak). */
  async getVisible(viewer: Viewer, postId: number, db: DbOrTx = this.db): Promise<PostInSpace> {
    if (!Number.isSafeInteger(postId) || postId < 1) throw notFound('That post');
    const post = await db.selectFrom('posts').selectAll().where('id', '=', postId).executeTakeFirst();
    if (!post) throw notFound('That post');
    const space = await db.selectFrom('spaces').selectAll().where('id', '=', post.space_id).executeTakeFirstOrThrow();
    if (!canSeeSpace(viewer, space)) throw notFound('That post');
    return { post, space };
  }

  /**
   * The post and its space, like getVisible, when it still takes interaction (a reply,
   * a reaction, a vote, an accept, a report): throws GoneError (409 `gone`) when it or its
   * thread was removed or deleted (the rule in interaction.ts).
   */
  async getOpen(viewer: Viewer, postId: number, db: DbOrTx = this.db): Promise<PostInSpace> {
    const found = await this.getVisible(viewer, postId, db);
    assertOpen({ post: found.post, thread: await this.threadOf(found.post, db) });
    return found;
  }

  /** Whether a post already in hand (from another server's activity) still takes interaction. */
  async isOpen(post: PostRow, db: DbOrTx = this.db): Promise<boolean> {
    return isOpen({ post, thread: await this.threadOf(post, db) });
  }

  /** The thread's first post when `post` is a reply, else null (the post is its own thread). */
  threadOf(post: Pick<PostRow, 'id' | 'root_id'>, db: DbOrTx = this.db): Promise<PostRow | null> {
    return threadOf(db, post);
  }

  private async validate(input: PostInput, allowTitle: boolean, check?: (errors: FieldErrors) => void): Promise<{ title: string | null; body: string; html: string }> {
    const errors = new FieldErrors();
    check?.(errors);
    const max = this.limits().maxPostChars;
    const body = input.body.replace(/\r\n?/g, '\n').trim();
    const title = allowTitle ? cleanLine(input.title ?? '') : '';
    if (!body) errors.add('body', 'Write something first: the post is empty.');
    else if (body.length > max) errors.add('body', `A post can be at most ${formatNumber(max)} characters; this one has ${formatNumber(body.length)}.`);
    if (title.length > TITLE_MAX) errors.add('title', `A title can be at most ${TITLE_MAX} characters.`);
    errors.throwIfAny();
    const html = await renderWithMentions(this.db, body);
    if (!html) errors.add('body', 'The post has no visible text.');
    errors.throwIfAny();
    return { title: title || null, body, html };
  }
}

/** The post an author's earlier submission with this one-time key made, if any (none without a key). */
async function submitted(db: DbOrTx, authorId: number, key: string | null): Promise<PostRow | undefined> {
  if (!key) return undefined;
  return db.selectFrom('posts').selectAll().where('author_id', '=', authorId).where('submission_key', '=', key).executeTakeFirst();
}

/** The thread's first post when `post` is a reply, else null (a thread is its own first post). */
export async function threadOf(db: DbOrTx, post: Pick<PostRow, 'id' | 'root_id'>): Promise<PostRow | null> {
  if (post.root_id === null || post.root_id === post.id) return null;
  return (await db.selectFrom('posts').selectAll().where('id', '=', post.root_id).executeTakeFirst()) ?? null;
}

/**
 * The author's deletion (here or on their own server), in the caller's transaction: the
 * text goes, the post's place in the thread stays as a placeholder, and the root counts
 * one reply less. The caller emits `post.deleted` once the transaction commits.
 */
export async function markDeleted(trx: DbOrTx, post: PostRow): Promise<void> {
  const now = nowIso();
  await trx.updateTable('posts').set({ deleted_at: now, updated_at: now, body_md: '', body_html: '', title: null }).where('id', '=', post.id).execute();
  await decrementReplies(trx, post);
}

async function decrementReplies(trx: DbOrTx, post: PostRow): Promise<void> {
  if (post.parent_id === null || post.root_id === null) return;
  await trx
    .updateTable('posts')
    .set((eb) => ({ reply_count: eb('reply_count', '-', 1) }))
    .where('id', '=', post.root_id)
    .where('reply_count', '>', 0)
    .execute();
}

export interface NewPost {
  spaceId: number;
  authorId: number;
  parent: PostRow | null;
  title: string | null;
  body: string;
  html: string;
  at: string;
  apId?: string | null;
  apUrl?: string | null;
  /** The one-time key of the local form that sent it (unique per author), else null. */
  key?: string | null;
}

/**
 * Writes a thread or a reply inside the caller's transaction, keeping the thread shape:
 * a thread is its own root, a direct answer to it starts a branch, and the root counts
 * its replies. Local posts and posts from other servers both come through here.
 */
export async function insertPost(trx: DbOrTx, p: NewPost): Promise<PostRow> {
  const parent = p.parent;
  const inserted = await trx
    .insertInto('posts')
    .values({
      space_id: p.spaceId, author_id: p.authorId, parent_id: parent?.id ?? null, root_id: parent ? (parent.root_id ?? parent.id) : null,
      branch_id: parent?.branch_id ?? null, depth: parent ? parent.depth + 1 : 0, title: p.title, body_md: p.body, body_html: p.html,
      created_at: p.at, updated_at: p.at, edited_at: null, deleted_at: null, removed_at: null, removed_by: null, removed_reason: null,
      ap_id: p.apId ?? null, ap_url: p.apUrl ?? null, submission_key: p.key ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (!parent) {
    return trx.updateTable('posts').set({ root_id: inserted.id }).where('id', '=', inserted.id).returningAll().executeTakeFirstOrThrow();
  }
  let row = inserted;
  if (parent.depth === 0) {
    row = await trx.updateTable('posts').set({ branch_id: inserted.id }).where('id', '=', inserted.id).returningAll().executeTakeFirstOrThrow();
  }
  await trx.updateTable('posts').set((eb) => ({ reply_count: eb('reply_count', '+', 1) })).where('id', '=', row.root_id ?? parent.id).execute();
  return row;
}
