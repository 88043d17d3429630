import { logger } from '../../core/logger.js';
import type { InboxHandler } from './context.js';

/** Follow of one of our actors: accepted, or held for approval. */
export const follow: InboxHandler = async ({ activity, fed }) => {
  const local = await fed.actors.findByIri(fed.objectId(activity) ?? '');
  if (!local) return logger.debug(`follow of an unknown actor ${fed.objectId(activity)}`);
  await fed.follows.received(local, activity);
};
