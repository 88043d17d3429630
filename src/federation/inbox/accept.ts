import { logger } from '../../core/logger.js';
import type { InboxHandler } from './context.js';

/** Our actors do not follow anyone yet, so an Accept or Reject only needs noting. */
export const acceptOrReject: InboxHandler = async ({ activity }) => {
  logger.debug(`${activity.type} from ${activity.actor?.[0]} noted`);
};
