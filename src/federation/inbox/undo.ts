import type { ApDoc } from 'activitypub-express';
import type { InboxContext, InboxHandler } from './context.js';
import { reactionKindOf } from './like.js';
import { APPLIED, type Handled, ignored } from './outcome.js';
import { UNDOABLE_RSVPS, withdrawRsvp } from './rsvp.js';

/** Undo of a Follow, Like, Dislike, EmojiReact, Announce, Block or RSVP the sender made earlier. */
export const undo: InboxHandler = async (ctx) => {
  const { activity, sender, fed } = ctx;
  const innerId = fed.objectId(activity);
  if (!innerId) return ignored('undo of nothing');
  // Our stored copy is the one we trust; an embedded copy is used only if we never saw the original.
  const inner: ApDoc | null = (await fed.apex.store.getActivity(innerId, true)) ?? (await embedded(ctx));
  if (!inner) return ignored(`undo of an unknown activity ${innerId}`);
  if (inner.actor?.[0] !== sender.id) return ignored('undo of someone else’s activity');
  if (UNDOABLE_RSVPS.has(inner.type)) return withdrawRsvp(ctx, inner);
  switch (inner.type) {
    case 'Follow':
      await fed.follows.removed(inner.id, sender.id);
      return APPLIED;
    case 'Like':
    case 'Dislike':
    case 'EmojiReact':
    case 'Announce':
      return undoReaction(ctx, inner);
    case 'Block':
      await fed.db.deleteFrom('remote_blocks').where('activity_id', '=', inner.id).execute();
      return APPLIED;
    default:
      return ignored(`undo of ${inner.type}`);
  }
};

/** A boost, reaction or idea vote taken back; the stored activity goes with it. */
async function undoReaction({ sender, fed, author: known }: InboxContext, inner: ApDoc): Promise<Handled> {
  const post = await fed.postByIri(fed.objectId(inner));
  if (!post) return ignored(`undo of a ${inner.type} of something that is not our post`);
  const author = await fed.author(sender, known);
  if (inner.type === 'Announce') await fed.services.remote.setShare(author.id, post.id, false);
  else if (inner.type !== 'EmojiReact' && (await fed.isIdea(post.id))) await fed.services.ideas.unvoteRemote(author.id, post.id, inner.type === 'Dislike' ? -1 : 1);
  else if (inner.type !== 'Dislike') await fed.services.remote.setReaction(author.id, post.id, reactionKindOf(inner), false);
  await fed.apex.store.removeActivity(inner, sender.id);
  return APPLIED;
}

async function embedded({ activity }: InboxContext): Promise<ApDoc | null> {
  const o = activity.object?.[0];
  return o && typeof o === 'object' && o.type && Array.isArray(o.actor) ? (o as ApDoc) : null;
}
