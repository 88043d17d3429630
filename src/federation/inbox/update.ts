import { POST_TYPES, noteToRemotePost } from '../convert.js';
import type { InboxHandler } from './context.js';
import { APPLIED, ignored } from './outcome.js';

const ACTOR_TYPES = new Set(['Person', 'Group', 'Service', 'Application', 'Organization']);

/** An edit of a remote post, or a changed profile; only the author's own count. */
export const update: InboxHandler = async ({ activity, sender, fed }) => {
  const object = activity.object?.[0];
  if (!object || typeof object !== 'object') return ignored('update without an embedded object');
  if (ACTOR_TYPES.has(object.type)) {
    if (object.id !== sender.id) return ignored('profile update for someone else');
    await fed.apex.store.updateObject(object, sender.id, true);
    if (await fed.services.remote.findAuthor(sender.id)) await fed.author(object);
    return APPLIED;
  }
  if (!POST_TYPES.has(object.type)) return ignored(`update of a ${object.type}`);
  const note = noteToRemotePost(object);
  if (note.attributedTo !== sender.id) return ignored('update of a post by someone else');
  const author = await fed.services.remote.findAuthor(sender.id);
  if (!author) return ignored('update from someone we never heard of');
  const change = await fed.services.remote.editPost(note.id, author.id, { title: note.title, html: note.html });
  return change === 'done' ? APPLIED : ignored(`update of ${note.id}: ${change === 'not_author' ? 'not the sender’s post' : 'no such live post'}`);
};
