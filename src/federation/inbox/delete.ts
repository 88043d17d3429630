import { logger } from '../../core/logger.js';
import type { InboxHandler } from './context.js';

/** The author deletes a post they sent us; an account deletion ends its follows. */
export const del: InboxHandler = async ({ activity, sender, fed }) => {
  const id = fed.objectId(activity);
  if (!id) return;
  const author = await fed.services.remote.findAuthor(sender.id);
  if (id === sender.id) {
    // The account is gone: it follows nobody here any more.
    await fed.apex.store.updateObject({ id, type: 'Tombstone' }, sender.id, true).catch(() => undefined);
    return logger.debug(`remote account ${id} deleted`);
  }
  if (!author) return;
  await fed.services.remote.deletePost(id, author.id);
};
