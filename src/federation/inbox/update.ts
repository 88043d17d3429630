import { logger } from '../../core/logger.js';
import { POST_TYPES, noteToRemotePost } from '../convert.js';
import type { InboxHandler } from './context.js';

const ACTOR_TYPES = new Set(['Person', 'Group', 'Service', 'Application', 'Organization']);

/** An edit of a remote post, or a changed profile; only the author's own count. */
export const update: InboxHandler = async ({ activity, sender, fed }) => {
  const object = activity.object?.[0];
  if (!object || typeof object !== 'object') return;
  if (ACTOR_TYPES.has(object.type)) {
    if (object.id !== sender.id) return logger.debug('profile update for someone else ignored');
    await fed.apex.store.updateObject(object, sender.id, true);
    if (await fed.services.remote.findAuthor(sender.id)) await fed.author(object);
    return;
  }
  if (!POST_TYPES.has(object.type)) return;
  const note = noteToRemotePost(object);
  if (note.attributedTo !== sender.id) return logger.debug('update of a post by someone else ignored');
  const author = await fed.services.remote.findAuthor(sender.id);
  if (!author) return;
  await fed.services.remote.editPost(note.id, author.id, { title: note.title, html: note.html });
};
