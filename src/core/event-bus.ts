import type { Role } from '../community/roles.js';
import type { RsvpStatus } from '../events/event.table.js';
import { afterCommit } from './after-commit.js';
import { logger } from './logger.js';

/**
 * Domain events, emitted by services after their write has committed. Adapters
 * (federation, rewards, notifications) subscribe here instead of being called by the
 * services, so a failing subscriber never fails or rolls back a member's action.
 */
export interface DomainEvents {
  'member.joined': { memberId: number; status: 'active' | 'pending'; invitedBy?: number };
  'member.approved': { memberId: number; by: number };
  'member.updated': { memberId: number };
  'member.role_changed': { memberId: number; from: Role; to: Role; by: number };
  'member.suspended': { memberId: number; by: number; reason: string };
  'member.unsuspended': { memberId: number; by: number };
  // A remote account deleted on its own server; its posts, reactions and votes went with it (their own events came first).
  'member.deleted': { memberId: number; remote: true };
  'space.created': { spaceId: number; by: number };
  // `remote` marks what came from another fediverse server (the author is a remote member).
  'post.created': { postId: number; spaceId: number; authorId: number; parentId: number | null; rootId: number; remote?: true };
  'post.updated': { postId: number; authorId: number; remote?: true };
  'post.deleted': { postId: number; authorId: number; remote?: true };
  'post.removed': { postId: number; authorId: number; by: number; reason: string };
  'reaction.added': { postId: number; memberId: number; authorId: number; kind: string; spaceId: number; remote?: true };
  'reaction.removed': { postId: number; memberId: number; authorId: number; kind: string; remote?: true };
  'report.filed': { reportId: number };
  // A staff action was written to the moderation log (after its commit); the member it was done to is told.
  'moderation.logged': { entryId: number };
  // The economy pays for these (Q&A, events, ideas, stories).
  'answer.accepted': { postId: number; authorId: number; spaceId: number; by: number };
  'event.attended': { eventId: number; memberId: number; spaceId: number | null };
  // A check-in taken back: what it paid goes back.
  'event.unattended': { eventId: number; memberId: number; spaceId: number | null; by: number };
  'idea.shipped': { postId: number; authorId: number; spaceId: number };
  'story.published': { storyId: number; authorId: number };
  'answer.unaccepted': { postId: number; authorId: number; spaceId: number; by: number };
  // value and previous: 1 up, -1 down, 0 none.
  'idea.voted': { postId: number; memberId: number; value: -1 | 0 | 1; previous: -1 | 0 | 1; remote?: true };
  'idea.status_changed': { postId: number; authorId: number; status: string; previous: string; note: string; by: number };
  'review.saved': { reviewId: number; productId: number; memberId: number; created: boolean };
  'review.deleted': { reviewId: number; productId: number; memberId: number };
  'story.submitted': { storyId: number };
  'story.decided': { storyId: number; status: 'approved' | 'rejected' | 'published'; by: number };
  'badge.awarded': { memberId: number; badge: string; name: string };
  'poll.voted': { postId: number; memberId: number; remote?: true };
  'event.created': { eventId: number; spaceId: number; by: number };
  'event.updated': { eventId: number };
  'event.cancelled': { eventId: number; by: number; reason: string; attendeeIds: number[] };
  // `promoted`: moved from the waiting list to a seat.
  'rsvp.changed': { eventId: number; memberId: number; status: RsvpStatus; previous: RsvpStatus | null; promoted?: true; remote?: true };
}

export type DomainEventName = keyof DomainEvents;
/** An event written down inside a transaction, to be emitted once it commits. */
export type PendingEvent = { [K in DomainEventName]: { name: K; payload: DomainEvents[K] } }[DomainEventName];
type Listener<K extends DomainEventName> = (payload: DomainEvents[K]) => void | Promise<void>;

export class EventBus {
  private readonly listeners = new Map<DomainEventName, Listener<any>[]>();

  on<K extends DomainEventName>(name: K, listener: Listener<K>): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener);
    this.listeners.set(name, list);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Emits events held back until their transaction committed, in order. */
  emitAll(events: readonly PendingEvent[]): void {
    for (const e of events) this.emit(e.name, e.payload as never);
  }

  /**
   * Tells the listeners; inside a unit of work (src/db/unit-of-work.ts) only once the unit
   * has committed, and never if it rolls back: a service's own commit there is a savepoint.
   */
  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void {
    afterCommit(() => this.dispatch(name, payload));
  }

  private dispatch<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        const result = listener(payload);
        if (result instanceof Promise) {
          result.catch((err) => logger.error(`listener for ${name} failed`, err));
        }
      } catch (err) {
        logger.error(`listener for ${name} failed`, err);
      }
    }
  }
}
