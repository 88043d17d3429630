import type { ApDoc } from 'activitypub-express';
import { REACTIONS, type ReactionKind } from '../../community/reaction.service.js';
import { firstText } from '../convert.js';
import type { InboxHandler } from './context.js';
import { APPLIED, ignored } from './outcome.js';

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
 * object: one of the apex defects in ADR 0003, fixed by taking them here.)
 */
export const like: InboxHandler = async ({ activity, sender, fed, author: known }) => {
  const post = await fed.postByIri(fed.objectId(activity));
  if (!post || !(await fed.services.posts.isOpen(post))) return ignored(`${activity.type} of something that is not a live post here: ${fed.objectId(activity)}`);
  // On an idea, a Like is an up vote (Lemmy's and Mastodon's alike); a Dislike a down vote.
  const idea = await fed.isIdea(post.id);
  if (!idea && activity.type === 'Dislike') return ignored('dislike of something other than an idea');
  // An idea takes votes, not emoji reactions (support.ts): an EmojiReact is no vote.
  if (idea && activity.type === 'EmojiReact') return ignored('emoji reaction to an idea, which takes votes only');
  const author = await fed.author(sender, known);
  if (idea) await fed.services.ideas.voteRemote(author.id, post.id, activity.type === 'Dislike' ? -1 : 1);
  // Read a moment ago in this activity's transaction (postByIri keeps public posts only): not read again.
  else await fed.services.remote.setReaction(author.id, post.id, reactionKindOf(activity), true, { row: post, visibility: 'public', support: 'reactions' });
  return APPLIED;
};
