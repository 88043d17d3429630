import { assertOpen, isOpen } from '../community/interaction.js';
import { cleanLine } from '../community/member.rules.js';
import type { PostInput, PostService } from '../community/post.service.js';
import type { PostRow } from '../community/post.table.js';
import type { Actor } from '../community/roles.js';
import type { SpaceRow } from '../community/space.table.js';
import { DomainError, FieldErrors, ValidationError, notFound } from '../core/errors.js';
import type { EventBus, PendingEvent } from '../core/event-bus.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { PollResults, PollRow } from './poll.table.js';

export interface PollInput {
  /** One option per entry (a form's textarea, split by line). */
  options: string[];
  multiple: boolean;
  /** How long it stays open. */
  closesInHours: number;
  results: PollResults;
}

export interface PollView {
  postId: number;
  multiple: boolean;
  results: PollResults;
  closesAt: string;
  closed: boolean;
  votersCount: number;
  options: { id: number; name: string; votes: number; percent: number; mine: boolean }[];
  /** The viewer has voted. */
  voted: boolean;
  /** Counts are shown: after voting (if the poll says so) or once it closed. */
  showResults: boolean;
}

export const OPTIONS_MIN = 2;
export const OPTIONS_MAX = 10;
export const OPTION_MAX = 100;
export const CLOSES_IN_HOURS = [1, 24, 72, 168, 720] as const;

/**
 * Polls on threads, one vote per person: the voters table has one row per person and
 * poll, so a second vote changes nothing whatever the options. People on other servers vote
 * as Mastodon sends it (one Note per chosen option, named after it).
 */
export class PollService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly posts: PostService,
  ) {}

  /** Starts a thread with a poll, both in one transaction. */
  async createThread(author: Actor, space: SpaceRow, post: PostInput, poll: PollInput): Promise<PostRow> {
    let options: string[] = [];
    return this.posts.createThread(author, space, post, async (trx, row) => {
      const now = nowIso();
      await trx
        .insertInto('polls')
        .values({ post_id: row.id, multiple: poll.multiple ? 1 : 0, closes_at: new Date(Date.now() + poll.closesInHours * 3_600_000).toISOString(), results: poll.results, created_at: now })
        .execute();
      await trx.insertInto('poll_options').values(options.map((name, position) => ({ post_id: row.id, position, name }))).execute();
    }, (errors) => {
      options = checkPoll(poll, errors);
    });
  }

  /**
   * A member's vote, once per poll. Sending it again (a double click, a resend) is not an
   * error: the vote that stands is kept and the answer is false, so the page shows the
   * poll as voted. Answers whether this call counted the vote.
   */
  async vote(member: Actor, postId: number, optionIds: number[]): Promise<boolean> {
    const counted = await this.db.transaction().execute(async (trx) => {
      // A removed or deleted thread's poll takes no votes, like the thread takes no replies.
      await this.posts.getOpen(member, postId, trx);
      const poll = await this.open(trx, postId);
      const ids = [...new Set(optionIds)];
      const valid = await trx.selectFrom('poll_options').select('id').where('post_id', '=', postId).execute();
      if (!ids.length || ids.some((id) => !valid.some((v) => v.id === id))) throw new ValidationError({ option: 'Choose one of the options.' });
      if (!poll.multiple && ids.length > 1) throw new ValidationError({ option: 'Choose only one option.' });
      const voter = await trx.insertInto('poll_voters').values({ post_id: postId, member_id: member.id, created_at: nowIso() }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (Number(voter.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx.insertInto('poll_votes').values(ids.map((option_id) => ({ option_id, member_id: member.id, created_at: nowIso() }))).execute();
      return true;
    });
    if (counted) this.bus.emit('poll.voted', { postId, memberId: member.id });
    return counted;
  }

  /**
   * A vote from another server, by option name. One per person for single choice; for
   * multiple choice each option once. Answers whether it counted.
   */
  async voteRemote(memberId: number, postId: number, optionName: string): Promise<boolean> {
    const counted = await this.db.transaction().execute(async (trx) => {
      const poll = await trx.selectFrom('polls').selectAll().where('post_id', '=', postId).executeTakeFirst();
      const post = await trx.selectFrom('posts').select(['deleted_at', 'removed_at']).where('id', '=', postId).executeTakeFirst();
      if (!poll || !post || !isOpen({ post, poll })) return false;
      const option = await trx.selectFrom('poll_options').select('id').where('post_id', '=', postId).where('name', '=', optionName.trim()).executeTakeFirst();
      if (!option) return false;
      const voter = await trx.insertInto('poll_voters').values({ post_id: postId, member_id: memberId, created_at: nowIso() }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (Number(voter.numInsertedOrUpdatedRows ?? 0) === 0 && !poll.multiple) return false;
      const vote = await trx.insertInto('poll_votes').values({ option_id: option.id, member_id: memberId, created_at: nowIso() }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      return Number(vote.numInsertedOrUpdatedRows ?? 0) > 0;
    });
    if (counted) this.bus.emit('poll.voted', { postId, memberId, remote: true });
    return counted;
  }

  /**
   * A deleted account's votes in polls still open, inside the deletion's transaction (the
   * counts are read from the votes, so they follow). A closed poll's result stays as it closed.
   */
  async withdrawAll(trx: DbOrTx, memberId: number): Promise<PendingEvent[]> {
    const open = trx.selectFrom('polls').select('post_id').where('closes_at', '>', nowIso());
    await trx.deleteFrom('poll_votes').where('member_id', '=', memberId).where('option_id', 'in', trx.selectFrom('poll_options').select('id').where('post_id', 'in', open)).execute();
    await trx.deleteFrom('poll_voters').where('member_id', '=', memberId).where('post_id', 'in', open).execute();
    return [];
  }

  async get(postId: number): Promise<PollRow | undefined> {
    return this.db.selectFrom('polls').selectAll().where('post_id', '=', postId).executeTakeFirst();
  }

  /** The poll on a thread as a viewer sees it, or null when the thread has none. */
  async view(postId: number, viewerId: number | null): Promise<PollView | null> {
    const poll = await this.get(postId);
    if (!poll) return null;
    const options = await this.db
      .selectFrom('poll_options as o')
      .leftJoin('poll_votes as v', 'v.option_id', 'o.id')
      .select(['o.id', 'o.name', (eb) => eb.fn.count<number>('v.member_id').as('votes')])
      .where('o.post_id', '=', postId)
      .groupBy('o.id')
      .orderBy('o.position')
      .execute();
    const { n } = await this.db.selectFrom('poll_voters').select((eb) => eb.fn.countAll<number>().as('n')).where('post_id', '=', postId).executeTakeFirstOrThrow();
    const mine = viewerId === null ? [] : await this.db.selectFrom('poll_votes as v').innerJoin('poll_options as o', 'o.id', 'v.option_id').select('o.id').where('o.post_id', '=', postId).where('v.member_id', '=', viewerId).execute();
    const voted = viewerId !== null && (await this.db.selectFrom('poll_voters').select('member_id').where('post_id', '=', postId).where('member_id', '=', viewerId).executeTakeFirst()) !== undefined;
    const closed = !isOpen({ poll });
    const voters = Number(n);
    return {
      postId, multiple: poll.multiple === 1, results: poll.results, closesAt: poll.closes_at, closed, votersCount: voters, voted,
      showResults: closed || (voted && poll.results === 'after_vote'),
      options: options.map((o) => ({ id: o.id, name: o.name, votes: Number(o.votes), percent: voters ? Math.round((Number(o.votes) / voters) * 100) : 0, mine: mine.some((m) => m.id === o.id) })),
    };
  }

  private async open(trx: DbOrTx, postId: number): Promise<PollRow> {
    const poll = await trx.selectFrom('polls').selectAll().where('post_id', '=', postId).executeTakeFirst();
    if (!poll) throw notFound('That poll');
    assertOpen({ poll });
    return poll;
  }
}

/**
 * The options, trimmed and checked: 2 to 10, distinct, each short. Problems are added to
 * `errors` when given (the caller throws them with its own), else thrown as a ValidationError.
 */
export function checkPoll(poll: PollInput, into?: FieldErrors): string[] {
  const errors = into ?? new FieldErrors();
  const options = poll.options.map(cleanLine).filter(Boolean);
  if (options.length < OPTIONS_MIN) errors.add('options', `A poll needs at least ${OPTIONS_MIN} options, one per line.`);
  if (options.length > OPTIONS_MAX) errors.add('options', `A poll can have at most ${OPTIONS_MAX} options.`);
  if (options.some((o) => o.length > OPTION_MAX)) errors.add('options', `Keep each option under ${OPTION_MAX} characters.`);
  if (new Set(options.map((o) => o.toLowerCase())).size !== options.length) errors.add('options', 'Each option must be different.');
  if (!(CLOSES_IN_HOURS as readonly number[]).includes(poll.closesInHours)) errors.add('closesIn', 'Choose when the poll closes.');
  if (poll.results !== 'after_vote' && poll.results !== 'after_close') errors.add('results', 'Choose when results are shown.');
  if (!into) errors.throwIfAny();
  return options;
}
