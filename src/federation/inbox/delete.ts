import type { InboxHandler } from './context.js';
import { APPLIED, ignored } from './outcome.js';

/**
 * A Delete from its author. Of a post: it goes the way a local deletion does. Of the
 * sender itself (the account was deleted on its server, whose actor now answers 410):
 * everything the account still has in effect here is withdrawn in one transaction
 * (`RemoteService.deleteAccount`), then its follows of our actors end and our copy of its
 * actor becomes a Tombstone. Anything else, or anyone else's post, changes nothing.
 */
export const del: InboxHandler = async ({ activity, sender, fed }) => {
  const id = fed.objectId(activity);
  if (!id) return ignored('delete of nothing');
  if (id === sender.id) {
    const deleted = await fed.services.remote.deleteAccount(sender.id);
    const follows = await fed.follows.forget(sender.id);
    await fed.db.deleteFrom('remote_blocks').where('actor_iri', '=', sender.id).execute();
    await fed.apex.store.updateObject({ id, type: 'Tombstone' }, sender.id, true).catch(() => undefined);
    return deleted || follows > 0 ? APPLIED : ignored(`account ${id} is unknown here or already deleted`);
  }
  const author = await fed.services.remote.findAuthor(sender.id);
  if (!author) return ignored(`delete of ${id} from someone we never heard of`);
  const change = await fed.services.remote.deletePost(id, author.id);
  return change === 'done' ? APPLIED : ignored(`delete of ${id}: ${change === 'not_author' ? 'not the sender’s post' : 'no such live post'}`);
};
