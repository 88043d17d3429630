import type { ApDoc } from 'activitypub-express';
import { DomainError } from '../../core/errors.js';
import type { RsvpStatus } from '../../events/event.table.js';
import { firstText } from '../convert.js';
import { eventIdFromIri } from '../event-convert.js';
import type { FederationCore, InboxContext } from './context.js';
import { APPLIED, type Handled, ignored } from './outcome.js';

/**
 * Every RSVP vocabulary other servers use for one of our events, and the one answer it
 * stands for. Mobilizon joins and leaves (`Join`, `Leave`); Friendica and Hubzilla answer
 * the event itself with `Accept` (attending), `TentativeAccept` (maybe) or `Reject` (not
 * attending), by IRI (Friendica) or with the Event embedded (Hubzilla). The Undo of any
 * of them withdraws the answer (see `withdrawRsvp`).
 */
const ANSWERS: Readonly<Record<string, Exclude<RsvpStatus, 'waiting'>>> = {
  Join: 'going',
  Accept: 'going',
  TentativeAccept: 'maybe',
  Leave: 'not_going',
  Reject: 'not_going',
};

/** Activity types whose Undo takes an RSVP back (a Leave is not undone; it is answered by a new Join). */
export const UNDOABLE_RSVPS: ReadonlySet<string> = new Set(['Join', 'Accept', 'TentativeAccept', 'Reject']);

/** The id of our event the activity answers (its object, an IRI or an embedded Event), or null. */
export const rsvpEventId = (fed: FederationCore, activity: ApDoc): number | null => eventIdFromIri(fed.actors.baseUrl, fed.objectId(activity));

/**
 * An RSVP in any vocabulary becomes one `EventService.rsvp` call, with the capacity rules
 * of every answer: a "going" past the capacity is refused, since other servers have no
 * waiting list to show, and so is any answer to a cancelled or past event; a refused
 * answer changes nothing (an earlier answer stands). Mobilizon expects the Group to
 * answer its Join with `Accept` or `Reject`, and gets it; Friendica's and Hubzilla's
 * answers are RSVPs themselves and expect nothing back, so their refusal is silent
 * (outcome "ignored", and the activity is not kept: a redelivery is tried again).
 * Mobilizon's `participationMessage` is kept with the answer.
 */
export async function rsvp({ activity, sender, fed, author: known }: InboxContext): Promise<Handled> {
  const answer = ANSWERS[activity.type];
  const eventId = rsvpEventId(fed, activity);
  if (!answer || eventId === null) return ignored(`${activity.type} of something that is not one of our events`);
  if (!fed.modules.events) return ignored('events are off');
  const event = await fed.services.events.getVisible(null, eventId).catch(() => null);
  if (!event) return ignored(`${activity.type} of unknown or members-only event ${eventId}`);
  const author = await fed.author(sender, known);
  const message = activity.type === 'Join' ? participationMessage(activity) : undefined;
  let refused: string | null = null;
  let status: RsvpStatus | null = null;
  try {
    status = await fed.services.events.rsvp(author, eventId, answer, { remote: true, apId: activity.id, noWaitingList: true, message });
  } catch (err) {
    if (!(err instanceof DomainError) || err.status >= 500) throw err;
    refused = err.code;
  }
  if (activity.type === 'Join') {
    await fed.answerJoin(event, activity, sender.id, status === 'going');
    return APPLIED;
  }
  return refused ? ignored(`${activity.type} of event ${eventId} refused: ${refused}`) : APPLIED;
}

/** An Undo of an RSVP (`inner`, the sender's own): withdrawn while it is still the answer that stands. */
export async function withdrawRsvp({ sender, fed }: InboxContext, inner: ApDoc): Promise<Handled> {
  const eventId = rsvpEventId(fed, inner);
  if (eventId === null) return ignored(`undo of a ${inner.type} of something that is not one of our events`);
  if (!fed.modules.events) return ignored('events are off');
  const author = await fed.services.remote.findAuthor(sender.id);
  if (!author) return ignored('undo of an RSVP from someone we never heard of');
  const withdrawn = await fed.services.events.withdrawRemote(author, eventId, inner.id).catch((err) => {
    if (err instanceof DomainError && err.status < 500) return false;
    throw err;
  });
  return withdrawn ? APPLIED : ignored(`undo of ${inner.id}: not the answer that stands, or the event is over`);
}

/** Mobilizon's note to the organiser (mz:participationMessage), whichever way the context named it. */
function participationMessage(activity: ApDoc): string | null {
  const raw = activity['mz:participationMessage'] ?? activity['https://joinmobilizon.org/ns#participationMessage'] ?? activity.participationMessage;
  return firstText(raw);
}
