import type { HandleOwner } from '../community/handle.js';
import type { PostInput, PostService } from '../community/post.service.js';
import type { PostRow } from '../community/post.table.js';
import { type Actor, type Viewer, atLeast } from '../community/roles.js';
import type { SpaceRow } from '../community/space.table.js';
import { DomainError, ValidationError, forbidden, notFound } from '../core/errors.js';
import type { EventBus, PendingEvent } from '../core/event-bus.js';
import { nowIso } from '../core/time.js';
import { cleanText } from '../community/member.rules.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { IDEA_STATUSES, type IdeaRow, type IdeaStatus } from './idea.table.js';

export type Vote = -1 | 0 | 1;
export const IDEA_SORTS = ['top', 'trending', 'new'] as const;
export type IdeaSort = (typeof IDEA_SORTS)[number];
export const IDEAS_PER_PAGE = 20;
/** "Trending" counts the votes of this many past days. */
export const TRENDING_DAYS = 7;
export const NOTE_MAX = 1000;

/**
 * Where staff may move an idea from each status. Shipped and declined are not dead ends:
 * a mistaken "shipped" goes back to planned, a declined idea can be reconsidered.
 */
export const TRANSITIONS: Record<IdeaStatus, readonly IdeaStatus[]> = {
  open: ['under_review', 'planned', 'declined'],
  under_review: ['open', 'planned', 'declined'],
  planned: ['under_review', 'shipped', 'declined'],
  shipped: ['planned'],
  declined: ['open', 'under_review'],
};

export interface IdeaView {
  postId: number;
  status: IdeaStatus;
  statusNote: string;
  statusAt: string | null;
  up: number;
  down: number;
  score: number;
  /** The viewer's vote: 1, -1 or 0. */
  mine: Vote;
  /** Statuses staff may move it to next. */
  next: readonly IdeaStatus[];
}

export interface IdeaListItem extends IdeaView {
  title: string;
  /** Shown with the `handle` filter (formatHandle). */
  author: HandleOwner;
  authorName: string;
  createdAt: string;
  replyCount: number;
}

/**
 * Idea boards: every thread in a space of kind "ideas" is an idea with a status and one
 * vote per person (up or down, changeable, withdrawable). Counts live on the idea row and
 * change in the vote's own transaction, so they never drift from the votes.
 */
export class IdeaService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly posts: PostService,
  ) {}

  /** A new idea: a thread with a title in an idea board, and its idea row, in one transaction. */
  async propose(author: Actor, space: SpaceRow, input: PostInput): Promise<PostRow> {
    if (space.kind !== 'ideas') throw new DomainError('not_ideas', 409, 'Ideas go on an idea board.');
    return this.posts.createThread(author, space, input, async (trx, post) => {
      await trx.insertInto('ideas').values({ post_id: post.id, status_by: null, status_at: null }).execute();
    }, (errors) => {
      // An idea needs a title; said together with the body's problems.
      if (!(input.title ?? '').trim()) errors.add('title', 'Give your idea a title.');
    });
  }

  async get(postId: number, db: DbOrTx = this.db): Promise<IdeaRow | undefined> {
    return db.selectFrom('ideas').selectAll().where('post_id', '=', postId).executeTakeFirst();
  }

  /** A member's vote on an idea they can see: 1 up, -1 down, 0 takes the vote back. */
  async vote(member: Actor, postId: number, value: Vote): Promise<Vote> {
    if (value !== 1 && value !== -1 && value !== 0) throw new ValidationError({ vote: 'Vote up or down.' });
    await this.posts.getOpen(member, postId);
    const previous = await this.record(member.id, postId, value);
    if (previous === null) throw notFound('That idea');
    if (previous !== value) this.bus.emit('idea.voted', { postId, memberId: member.id, value, previous });
    return previous;
  }

  /**
   * A vote from another server (Lemmy's Like and Dislike, Mastodon's favourite). The
   * inbox has checked the idea is public. Answers whether anything changed.
   */
  async voteRemote(memberId: number, postId: number, value: Vote): Promise<boolean> {
    const post = await this.db.selectFrom('posts').selectAll().where('id', '=', postId).executeTakeFirst();
    if (!post || !(await this.posts.isOpen(post))) return false;
    const previous = await this.record(memberId, postId, value);
    if (previous === null || previous === value) return false;
    this.bus.emit('idea.voted', { postId, memberId, value, previous, remote: true });
    return true;
  }

  /** A remote Undo of a vote: takes it back only if it is still the vote that stands. */
  async unvoteRemote(memberId: number, postId: number, value: -1 | 1): Promise<boolean> {
    const row = await this.db.selectFrom('idea_votes').select('value').where('post_id', '=', postId).where('member_id', '=', memberId).executeTakeFirst();
    return row?.value === value ? this.voteRemote(memberId, postId, 0) : false;
  }

  /** A deleted account's votes, inside the deletion's transaction: withdrawn, and the counts with them. */
  async withdrawAll(trx: DbOrTx, memberId: number): Promise<PendingEvent[]> {
    const votes = await trx.deleteFrom('idea_votes').where('member_id', '=', memberId).returning(['post_id', 'value']).execute();
    for (const v of votes) {
      await trx
        .updateTable('ideas')
        .set((eb) => (v.value === 1 ? { up: eb('up', '-', 1) } : { down: eb('down', '-', 1) }))
        .where('post_id', '=', v.post_id)
        .execute();
    }
    return votes.map((v) => ({ name: 'idea.voted', payload: { postId: v.post_id, memberId, value: 0, previous: v.value, remote: true } }));
  }

  /** Writes the vote and moves the counts; the previous vote, or null when there is no such idea. */
  private async record(memberId: number, postId: number, value: Vote): Promise<Vote | null> {
    return this.db.transaction().execute(async (trx) => {
      const idea = await this.get(postId, trx);
      if (!idea) return null;
      const row = await trx.selectFrom('idea_votes').select('value').where('post_id', '=', postId).where('member_id', '=', memberId).executeTakeFirst();
      const previous: Vote = row?.value ?? 0;
      if (previous === value) return previous;
      if (value === 0) await trx.deleteFrom('idea_votes').where('post_id', '=', postId).where('member_id', '=', memberId).execute();
      else {
        await trx
          .insertInto('idea_votes')
          .values({ post_id: postId, member_id: memberId, value, voted_at: nowIso() })
          .onConflict((oc) => oc.columns(['post_id', 'member_id']).doUpdateSet({ value, voted_at: nowIso() }))
          .execute();
      }
      const up = (value === 1 ? 1 : 0) - (previous === 1 ? 1 : 0);
      const down = (value === -1 ? 1 : 0) - (previous === -1 ? 1 : 0);
      await trx
        .updateTable('ideas')
        .set((eb) => ({ up: eb('up', '+', up), down: eb('down', '+', down) }))
        .where('post_id', '=', postId)
        .execute();
      return previous;
    });
  }

  /** Staff (moderators and up) move an idea along, with a note everyone sees; voters are told. */
  async setStatus(actor: Actor, postId: number, status: string, rawNote: string): Promise<IdeaRow> {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only staff can change the status of an idea.');
    const { post } = await this.posts.getOpen(actor, postId);
    const note = cleanText(rawNote);
    if (!(IDEA_STATUSES as readonly string[]).includes(status)) throw new ValidationError({ status: 'Choose a status.' });
    if (note.length > NOTE_MAX) throw new ValidationError({ note: `Keep the note under ${NOTE_MAX} characters.` });
    const next = status as IdeaStatus;
    const { idea, previous } = await this.db.transaction().execute(async (trx) => {
      const current = await this.get(postId, trx);
      if (!current) throw notFound('That idea');
      if (!TRANSITIONS[current.status].includes(next)) {
        throw new DomainError('bad_transition', 409, `An idea that is ${current.status.replace('_', ' ')} cannot become ${next.replace('_', ' ')}.`);
      }
      const idea = await trx
        .updateTable('ideas')
        .set({ status: next, status_note: note, status_by: actor.id, status_at: nowIso() })
        .where('post_id', '=', postId)
        .where('status', '=', current.status)
        .returningAll()
        .executeTakeFirst();
      // Two staff changing it at once: the second saw a status that is gone.
      if (!idea) throw new DomainError('conflict', 409, 'Someone changed this idea’s status just now; look again.');
      return { idea, previous: current.status };
    });
    this.bus.emit('idea.status_changed', { postId, authorId: post.author_id, status: next, previous, note, by: actor.id });
    if (next === 'shipped') this.bus.emit('idea.shipped', { postId, authorId: post.author_id, spaceId: post.space_id });
    return idea;
  }

  /** The idea on a thread as the viewer sees it, or null when the thread is not an idea. */
  async view(postId: number, viewer: Viewer): Promise<IdeaView | null> {
    const idea = await this.get(postId);
    if (!idea) return null;
    const mine = viewer ? await this.db.selectFrom('idea_votes').select('value').where('post_id', '=', postId).where('member_id', '=', viewer.id).executeTakeFirst() : undefined;
    return toView(idea, mine?.value ?? 0);
  }

  /** Members whose vote stands on the idea (told when its status changes). */
  async voters(postId: number, db: DbOrTx = this.db): Promise<number[]> {
    return (await db.selectFrom('idea_votes').select('member_id').where('post_id', '=', postId).execute()).map((r) => r.member_id);
  }

  /** One page of a board's live ideas, by net votes, by votes of the past week, or newest first. */
  async list(spaceId: number, viewer: Viewer, opts: { sort: IdeaSort; status?: IdeaStatus; page: number }): Promise<{ items: IdeaListItem[]; more: boolean }> {
    const since = new Date(Date.now() - TRENDING_DAYS * 86_400_000).toISOString();
    let q = this.db
      .selectFrom('ideas as i')
      .innerJoin('posts as p', 'p.id', 'i.post_id')
      .innerJoin('members as m', 'm.id', 'p.author_id')
      .selectAll('i')
      .select(['p.title', 'p.created_at', 'p.reply_count', 'm.handle', 'm.domain', 'm.display_name'])
      .where('p.space_id', '=', spaceId)
      .where('p.deleted_at', 'is', null)
      .where('p.removed_at', 'is', null);
    if (opts.status) q = q.where('i.status', '=', opts.status);
    if (opts.sort === 'trending') {
      q = q.orderBy((eb) => eb.selectFrom('idea_votes as v').select((e) => e.fn.coalesce(e.fn.sum<number>('v.value'), e.lit(0)).as('s')).whereRef('v.post_id', '=', 'i.post_id').where('v.voted_at', '>', since), 'desc');
    }
    if (opts.sort !== 'new') q = q.orderBy((eb) => eb('i.up', '-', eb.ref('i.down')), 'desc');
    const page = Math.max(1, Math.min(opts.page, 10_000));
    const rows = await q.orderBy('p.id', 'desc').limit(IDEAS_PER_PAGE + 1).offset((page - 1) * IDEAS_PER_PAGE).execute();
    const shown = rows.slice(0, IDEAS_PER_PAGE);
    const ids = shown.map((r) => r.post_id);
    const mine = viewer && ids.length ? await this.db.selectFrom('idea_votes').select(['post_id', 'value']).where('member_id', '=', viewer.id).where('post_id', 'in', ids).execute() : [];
    const votes = new Map(mine.map((v) => [v.post_id, v.value]));
    return {
      more: rows.length > IDEAS_PER_PAGE,
      items: shown.map((r) => ({
        ...toView(r, votes.get(r.post_id) ?? 0),
        title: r.title ?? '',
        author: { handle: r.handle, domain: r.domain },
        authorName: r.display_name,
        createdAt: r.created_at,
        replyCount: r.reply_count,
      })),
    };
  }
}

function toView(idea: IdeaRow, mine: Vote): IdeaView {
  return {
    postId: idea.post_id, status: idea.status, statusNote: idea.status_note, statusAt: idea.status_at,
    up: idea.up, down: idea.down, score: idea.up - idea.down, mine, next: TRANSITIONS[idea.status],
  };
}
