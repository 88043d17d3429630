import type { ApDoc } from 'activitypub-express';
import { REACTIONS, type ReactionKind } from '../../community/reaction.service.js';
import { logger } from '../../core/logger.js';
import { firstText } from '../convert.js';
import type { InboxHandler } from './context.js';

/**
 * The reaction a remote Like or EmojiReact stands for. Mastodon's favourite is a plain
 * Like; Misskey and Pleroma put an emoji in `content` (FEP-c0e0) or `_misskey_reaction`.
 * An emoji we do not offer still counts, as a like.
 */
export function reactionKindOf(activity: ApDoc): ReactionKind {
  const emoji = firstText(activity.content) ?? firstText(activity._misskey_reaction) ?? firstText(activity['misskey:_misskey_reaction']);
  if (!emoji) return 'like';
  const bare = emoji.replace(/\uFE0F/g, '');
  return REACTIONS.find((r) => r.emoji.replace(/\uFE0F/g, '') === bare)?.kind ?? 'like';
}

/**
 * Like, Dislike and EmojiReact of one of our posts, by its Note IRI, as Mastodon, Misskey
 * and Lemmy send them. (apex answers these with 400 because it expects an activity as the
 * object: DESIGN.md defect 3, fixed by taking them here.)
 */
export const like: InboxHandler = async ({ activity, sender, fed }) => {
  const post = await fed.postByIri(fed.objectId(activity));
  if (!post) return logger.debug(`${activity.type} of something that is not our post: ${fed.objectId(activity)}`);
  const author = await fed.author(sender);
  // On an idea, a Like is an up vote (Lemmy's and Mastodon's alike); a Dislike a down vote.
  if (await fed.isIdea(post.id)) {
    await fed.services.ideas.voteRemote(author.id, post.id, activity.type === 'Dislike' ? -1 : 1);
    return;
  }
  if (activity.type === 'Dislike') return logger.debug('dislike of something other than an idea ignored');
  await fed.services.remote.setReaction(author.id, post.id, reactionKindOf(activity), true);
};
