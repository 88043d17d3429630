import { DomainError } from '../core/errors.js';
import type { DbOrTx } from '../db/schema.js';

/** What a post is, as far as how people show support for it goes. */
export type PostKind = 'idea' | 'post';

/** How people say "yes to this": ▲/▼ votes (ideas) or emoji reactions (everything else). */
export type Support = 'votes' | 'reactions';

/**
 * One way to express support per kind of post: an idea is weighed by its votes, so emoji
 * reactions on it would be a second, competing tally; every other post takes reactions.
 * (Questions are answered and accepted, polls voted in, reviews starred; none of these is
 * support for the post itself, so they keep reactions.) Pages, the reaction service and
 * the federation inbox all ask this.
 */
export const supportFor = (kind: PostKind): Support => (kind === 'idea' ? 'votes' : 'reactions');

/** The kind of each post: an idea while idea boards are on (`ideasOn`), else a plain post. */
export async function postKinds(db: DbOrTx, postIds: number[], ideasOn: boolean): Promise<Map<number, PostKind>> {
  const out = new Map<number, PostKind>(postIds.map((id) => [id, 'post']));
  if (!ideasOn || postIds.length === 0) return out;
  const ideas = await db.selectFrom('ideas').select('post_id').where('post_id', 'in', postIds).execute();
  for (const i of ideas) out.set(i.post_id, 'idea');
  return out;
}

/** How the one post takes support. */
export async function supportOf(db: DbOrTx, postId: number, ideasOn: boolean): Promise<Support> {
  return supportFor((await postKinds(db, [postId], ideasOn)).get(postId) ?? 'post');
}

/** Throws 409 `votes_only` when the post takes votes, not reactions. */
export async function assertTakesReactions(db: DbOrTx, postId: number, ideasOn: boolean): Promise<void> {
  if ((await supportOf(db, postId, ideasOn)) !== 'reactions') {
    throw new DomainError('votes_only', 409, 'Ideas take ▲/▼ votes, not reactions: vote on it instead.');
  }
}
