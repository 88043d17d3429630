import { logger } from '../../core/logger.js';
import type { InboxHandler } from './context.js';

/** A boost of one of our posts (Announce of its Note IRI, as Mastodon sends it) counts on the post. */
export const announce: InboxHandler = async ({ activity, sender, fed }) => {
  const post = await fed.postByIri(fed.objectId(activity));
  if (!post) return logger.debug(`announce of something that is not our post: ${fed.objectId(activity)}`);
  const author = await fed.author(sender);
  await fed.services.remote.setShare(author.id, post.id, true);
};
