import type { InboxHandler } from './context.js';
import { APPLIED, ignored } from './outcome.js';

/** Follow of one of our actors: accepted, or held for approval. */
export const follow: InboxHandler = async ({ activity, sender, fed, author: known }) => {
  const local = await fed.actors.findByIri(fed.objectId(activity) ?? '');
  if (!local) return ignored(`follow of an unknown actor ${fed.objectId(activity)}`);
  // Known by name and avatar, so a request waiting for approval shows who is asking.
  await fed.author(sender, known);
  await fed.follows.received(local, activity);
  return APPLIED;
};
