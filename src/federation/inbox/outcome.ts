import { logger } from '../../core/logger.js';

/**
 * What an inbox handler did with an activity. "applied": it is in effect here (recorded,
 * answered, or already so: a second Like of the same post is applied). "ignored": nothing
 * changed because it is not for us or not the sender's to do (someone else's post, an
 * unknown object, a switched-off module); `reason` goes to the debug log, never to the sender.
 */
export type Handled = { outcome: 'applied' } | { outcome: 'ignored'; reason: string };

/** The activity took effect. */
export const APPLIED: Handled = { outcome: 'applied' };

/** Nothing changed, and why (logged at debug level). */
export const ignored = (reason: string): Handled => {
  logger.debug(`inbox: ignored, ${reason}`);
  return { outcome: 'ignored', reason };
};
