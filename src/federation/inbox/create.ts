import type { PostRow } from '../../community/post.table.js';
import { DomainError } from '../../core/errors.js';
import { POST_TYPES, firstText, noteToRemotePost } from '../convert.js';
import type { InboxHandler } from './context.js';
import { APPLIED, ignored } from './outcome.js';

/**
 * A remote post. It joins a thread when it answers one of our posts; it starts a thread
 * in a space when it is addressed to the space's Group by one of its followers and the
 * space takes remote posts. Anything else is not for us and is dropped.
 */
export const create: InboxHandler = async ({ activity, sender, fed, author: known }) => {
  const object = await fed.object(activity);
  if (!object || !POST_TYPES.has(object.type)) return ignored(`create of ${object?.type ?? 'nothing'}`);
  const note = noteToRemotePost(object);
  // An author creates their own posts: the object must be theirs and on their server.
  if (note.attributedTo !== sender.id || new URL(note.id).host !== new URL(sender.id).host) {
    throw new DomainError('not_owner', 403, 'The post is not attributed to the sender.');
  }
  const parent = await fed.postByIri(note.inReplyTo);
  // A removed or deleted post (or one in a removed thread) takes no reply and no poll vote.
  if (parent && !(await fed.services.posts.isOpen(parent))) return ignored(`reply to ${note.inReplyTo}, which takes no more interaction`);
  // A poll vote, as Mastodon sends it: a Note with no content, named after the option, answering the Question.
  const choice = object.type === 'Note' ? firstText(object.name) : null;
  if (parent && choice && !note.html.trim() && (await fed.services.polls.get(parent.id))) {
    if (!fed.modules.polls) return ignored('poll vote: polls are off');
    const counted = await fed.services.polls.voteRemote((await fed.author(sender, known)).id, parent.id, choice);
    return counted ? APPLIED : ignored(`poll vote for "${choice}" not counted (closed, no such option, or voted already)`);
  }
  let target: { parentId: number; parent?: PostRow } | { spaceId: number } | null = parent ? { parentId: parent.id, parent } : null;
  if (!target) {
    for (const iri of note.audience) {
      const local = await fed.actors.findByIri(iri);
      if (local?.kind !== 'space') continue;
      if (!(await fed.follows.isFollower(local, sender.id))) {
        throw new DomainError('not_follower', 403, 'Only followers of a space can post to it.');
      }
      target = { spaceId: local.space.id };
      break;
    }
  }
  if (!target) return ignored(`post ${note.id} is neither a reply nor addressed to a space`);
  const author = await fed.author(sender, known);
  await fed.services.remote.addPost({
    apId: note.id, apUrl: note.url, authorId: author.id, title: note.title, html: note.html, publishedAt: note.published, target,
  });
  return APPLIED;
};
