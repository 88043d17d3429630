import type { InboxHandler } from './context.js';
import { APPLIED, ignored } from './outcome.js';

/** A boost of one of our posts (Announce of its Note IRI, as Mastodon sends it) counts on the post. */
export const announce: InboxHandler = async ({ activity, sender, fed, author: known }) => {
  const post = await fed.postByIri(fed.objectId(activity));
  if (!post || !(await fed.services.posts.isOpen(post))) return ignored(`announce of something that is not a live post here: ${fed.objectId(activity)}`);
  const author = await fed.author(sender, known);
  await fed.services.remote.setShare(author.id, post.id, true);
  return APPLIED;
};
