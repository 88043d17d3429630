import { DomainError } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { PostRow } from './post.table.js';

/**
 * Why something takes no more interaction. Removed or deleted posts, posts in a removed or
 * deleted thread, closed polls, cancelled or finished events and archived rewards or
 * products are "gone": nobody replies to, reacts to, votes on, answers, accepts, redeems,
 * reports or edits them, from this server's pages or from another server.
 */
export type GoneReason = 'deleted' | 'removed' | 'thread_deleted' | 'thread_removed' | 'poll_closed' | 'event_cancelled' | 'event_over' | 'archived';

type Liveness = Pick<PostRow, 'deleted_at' | 'removed_at'>;

/**
 * The state of what someone acts on; give what applies. `thread` is the thread's first
 * post when `post` is a reply (a moderator removing a thread removes only its first post,
 * and its replies must go quiet with it). Times are ISO 8601 UTC strings.
 */
export interface InteractionTarget {
  post?: Liveness | null;
  thread?: Liveness | null;
  poll?: { closes_at: string } | null;
  event?: { status: string; ends_at: string } | null;
  /** A reward (`archived` 0/1) or a product (`archived_at`) taken off the catalog. */
  listing?: { archived?: number | boolean; archived_at?: string | null } | null;
}

const MESSAGES: Record<GoneReason, string> = {
  deleted: 'That post was deleted, so it takes no replies, reactions, votes or reports.',
  removed: 'That post was removed by a moderator, so it takes no replies, reactions, votes or reports.',
  thread_deleted: 'This thread was deleted, so it takes no replies, reactions, votes or reports.',
  thread_removed: 'This thread was removed by a moderator, so it takes no replies, reactions, votes or reports.',
  poll_closed: 'This poll has closed.',
  event_cancelled: 'This event was cancelled.',
  event_over: 'This event is over.',
  archived: 'This is no longer offered.',
};

/**
 * Thrown when someone acts on something gone: code `gone`, HTTP 409 (the request conflicts
 * with the target's state, as the other state refusals here answer), `reason` says which.
 */
export class GoneError extends DomainError {
  constructor(readonly reason: GoneReason) {
    super('gone', 409, MESSAGES[reason]);
    this.name = 'GoneError';
  }
}

/** The rule: why the target takes no interaction, or null when it is open. `now` is ISO UTC. */
export function goneReason(t: InteractionTarget, now?: string): GoneReason | null {
  if (t.post?.removed_at) return 'removed';
  if (t.post?.deleted_at) return 'deleted';
  if (t.thread?.removed_at) return 'thread_removed';
  if (t.thread?.deleted_at) return 'thread_deleted';
  // The clock is read only for what closes in time: a page asks this of every post it lists.
  if (t.poll && t.poll.closes_at <= (now ??= nowIso())) return 'poll_closed';
  if (t.event?.status === 'cancelled') return 'event_cancelled';
  if (t.event && t.event.ends_at < (now ??= nowIso())) return 'event_over';
  if (t.listing && (t.listing.archived === true || t.listing.archived === 1 || Boolean(t.listing.archived_at))) return 'archived';
  return null;
}

/** Whether the target takes interaction (pages use it to offer buttons, inboxes to ignore). */
export const isOpen = (t: InteractionTarget, now?: string): boolean => goneReason(t, now) === null;

/** Throws GoneError when the target takes no interaction (every service entry point calls it). */
export function assertOpen(t: InteractionTarget, now?: string): void {
  const reason = goneReason(t, now);
  if (reason) throw new GoneError(reason);
}
