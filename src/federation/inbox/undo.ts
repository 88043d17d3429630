import type { ApDoc } from 'activitypub-express';
import { logger } from '../../core/logger.js';
import type { InboxContext, InboxHandler } from './context.js';
import { reactionKindOf } from './like.js';

/** Undo of a Follow, Like, Dislike, EmojiReact or Announce the sender made earlier. */
export const undo: InboxHandler = async (ctx) => {
  const { activity, sender, fed } = ctx;
  const innerId = fed.objectId(activity);
  if (!innerId) return;
  // Our stored copy is the one we trust; an embedded copy is used only if we never saw the original.
  const inner: ApDoc | null = (await fed.apex.store.getActivity(innerId, true)) ?? (await embedded(ctx));
  if (!inner) return logger.debug(`undo of an unknown activity ${innerId}`);
  if (inner.actor?.[0] !== sender.id) return logger.debug('undo of someone else’s activity ignored');
  switch (inner.type) {
    case 'Follow':
      return fed.follows.removed(inner.id, sender.id);
    case 'Like':
    case 'Dislike':
    case 'EmojiReact':
    case 'Announce': {
      const post = await fed.postByIri(fed.objectId(inner));
      if (post) {
        const author = await fed.author(sender);
        if (inner.type === 'Announce') await fed.services.remote.setShare(author.id, post.id, false);
        else if (inner.type !== 'EmojiReact' && (await fed.isIdea(post.id))) await fed.services.ideas.unvoteRemote(author.id, post.id, inner.type === 'Dislike' ? -1 : 1);
        else if (inner.type !== 'Dislike') await fed.services.remote.setReaction(author.id, post.id, reactionKindOf(inner), false);
      }
      await fed.apex.store.removeActivity(inner, sender.id);
      return;
    }
    case 'Block':
      await fed.db.deleteFrom('remote_blocks').where('activity_id', '=', inner.id).execute();
      return;
    default:
      logger.debug(`undo of ${inner.type} ignored`);
  }
};

async function embedded({ activity }: InboxContext): Promise<ApDoc | null> {
  const o = activity.object?.[0];
  return o && typeof o === 'object' && o.type && Array.isArray(o.actor) ? (o as ApDoc) : null;
}
