import type { InboxHandler } from './context.js';
import { ignored } from './outcome.js';
import { rsvp, rsvpEventId } from './rsvp.js';

/**
 * Accept, TentativeAccept and Reject. Of one of our events they are RSVPs (Friendica,
 * Hubzilla); of anything else they would answer a request of ours, and our actors send
 * none (no outgoing Follow or Join), so there is nothing to apply.
 */
export const acceptOrReject: InboxHandler = async (ctx) => {
  if (rsvpEventId(ctx.fed, ctx.activity) !== null) return rsvp(ctx);
  return ignored(`${ctx.activity.type} of ${ctx.fed.objectId(ctx.activity) ?? 'nothing'} from ${ctx.sender.id}: we asked for nothing`);
};
