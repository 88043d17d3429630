import type { InboxHandler } from './context.js';
import { firstId, firstText } from '../convert.js';
import { APPLIED, ignored } from './outcome.js';

/**
 * A report from another server (Mastodon sends it from its instance actor, naming the
 * account and the posts). It lands in the moderators' queue; a second delivery files nothing.
 */
export const flag: InboxHandler = async ({ activity, sender, fed, author: known }) => {
  const objects: unknown[] = Array.isArray(activity.object) ? activity.object : [activity.object];
  let targetMemberId: number | null = null;
  let postId: number | null = null;
  for (const o of objects) {
    const iri = firstId(o);
    if (!iri) continue;
    const post = await fed.postByIri(iri);
    // A removed or deleted post is already out of sight: reporting it again is pointless.
    if (post && !(await fed.services.posts.isOpen(post))) continue;
    if (post) {
      postId ??= post.id;
      targetMemberId ??= post.author_id;
      continue;
    }
    const local = await fed.actors.findByIri(iri);
    if (local?.kind === 'member') targetMemberId ??= local.member.id;
  }
  if (targetMemberId === null && postId === null) return ignored('report of nobody and nothing here');
  const reporter = await fed.author(sender, known);
  await fed.services.reports.file({
    reporterId: reporter.id, targetMemberId, postId, comment: firstText(activity.content) ?? '', source: 'remote', activityId: activity.id,
  });
  return APPLIED;
};
