import { logger } from '../../core/logger.js';
import { eventIdFromIri } from '../event-convert.js';
import type { InboxHandler } from './context.js';

/**
 * RSVPs from other servers, as Mobilizon sends them: `Join` of one of our events is
 * answered by the event's Group with `Accept` when a seat is free and `Reject` when the
 * event is full, cancelled or over (no waiting list across servers); `Leave` gives the
 * seat back, and the first local member in line moves up.
 */
export const join: InboxHandler = async ({ activity, sender, fed }) => {
  const eventId = eventIdFromIri(fed.actors.baseUrl, fed.objectId(activity));
  if (eventId === null || !fed.modules.events) return logger.debug('join of something other than an event ignored');
  const event = await fed.services.events.getVisible(null, eventId).catch(() => null);
  if (!event) return logger.debug(`join of unknown or members-only event ${eventId} ignored`);
  const author = await fed.author(sender);
  let status: string;
  try {
    status = await fed.services.events.rsvp(author, eventId, 'going', { remote: true, joinApId: activity.id, noWaitingList: true });
  } catch (err) {
    logger.debug(`join of event ${eventId} refused: ${String(err)}`);
    status = 'refused';
  }
  await fed.answerJoin(event, activity, sender.id, status === 'going');
};

export const leave: InboxHandler = async ({ activity, sender, fed }) => {
  const eventId = eventIdFromIri(fed.actors.baseUrl, fed.objectId(activity));
  if (eventId === null || !fed.modules.events) return logger.debug('leave of something other than an event ignored');
  const author = await fed.author(sender);
  await fed.services.events.rsvp(author, eventId, 'not_going', { remote: true }).catch((err) => logger.debug(`leave of event ${eventId}: ${String(err)}`));
};
