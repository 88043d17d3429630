import { assertOpen } from '../community/interaction.js';
import { DomainError } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { EventRow, EventRsvpRow, RsvpStatus } from './event.table.js';

/**
 * Check-in opens this long before the start: people arrive early and the door opens
 * before the programme does, but a check-in days ahead would pay for an event nobody
 * attended yet. It closes at the end (then the event is over, see interaction.ts).
 */
export const CHECK_IN_OPENS_BEFORE_MS = 60 * 60_000;
/** Answers that may be checked in: "going", and the waiting list (who came anyway and got a seat at the door). */
const CHECKABLE: readonly RsvpStatus[] = ['going', 'waiting'];

/**
 * Whether staff may check someone in now (ISO UTC): the event is scheduled, it is between
 * CHECK_IN_OPENS_BEFORE_MS before the start and the end, the person said "going" or waits
 * in line, and is not checked in yet. Pages offer the button from the same rule.
 */
export function canCheckIn(event: Pick<EventRow, 'status' | 'starts_at' | 'ends_at'>, rsvp: Pick<EventRsvpRow, 'status' | 'checked_in_at'> | undefined, now = nowIso()): boolean {
  return checkInRefusal(event, rsvp, now) === null;
}

/** Why a check-in is refused now (ISO UTC), or null when it is allowed. */
export function checkInRefusal(event: Pick<EventRow, 'status' | 'starts_at' | 'ends_at'>, rsvp: Pick<EventRsvpRow, 'status' | 'checked_in_at'> | undefined, now: string): DomainError | null {
  try {
    assertOpen({ event }, now);
  } catch (err) {
    return err as DomainError;
  }
  if (Date.parse(now) < Date.parse(event.starts_at) - CHECK_IN_OPENS_BEFORE_MS) {
    return new DomainError('too_early', 409, `Check-in opens ${CHECK_IN_OPENS_BEFORE_MS / 60_000} minutes before the event starts.`);
  }
  if (!rsvp || !CHECKABLE.includes(rsvp.status) || rsvp.checked_in_at !== null) {
    return new DomainError('not_attending', 409, 'Only people who said they are going (or wait in line), and are not checked in yet, can be checked in.');
  }
  return null;
}
