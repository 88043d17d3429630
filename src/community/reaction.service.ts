import type { EventBus } from '../core/event-bus.js';
import { DomainError } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Db } from '../db/schema.js';
import type { PostService } from './post.service.js';
import { assertTakesReactions } from './support.js';
import type { Actor } from './roles.js';

/** The reactions a member can give: a like and a small set of emoji, one of each per post. */
export const REACTIONS = [
  { kind: 'like', emoji: '👍', label: 'Like' },
  { kind: 'love', emoji: '❤️', label: 'Love' },
  { kind: 'laugh', emoji: '😂', label: 'Laugh' },
  { kind: 'wow', emoji: '😮', label: 'Wow' },
  { kind: 'sad', emoji: '😢', label: 'Sad' },
  { kind: 'celebrate', emoji: '🎉', label: 'Celebrate' },
] as const;
export type ReactionKind = (typeof REACTIONS)[number]['kind'];
export const isReactionKind = (v: unknown): v is ReactionKind => REACTIONS.some((r) => r.kind === v);

export class ReactionService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly posts: PostService,
    /** Whether idea boards are on (then ideas take votes, not reactions). */
    private readonly ideasOn: () => boolean = () => false,
  ) {}

  /** Adds the reaction, or takes it back if the member already gave it. Returns whether it is now on. */
  async toggle(member: Actor, postId: number, kind: string): Promise<boolean> {
    if (!isReactionKind(kind)) throw new DomainError('invalid_reaction', 422, 'That is not a reaction this community offers.');
    const { post } = await this.posts.getOpen(member, postId);
    await assertTakesReactions(this.db, postId, this.ideasOn());
    const added = await this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('reactions')
        .where('post_id', '=', postId)
        .where('member_id', '=', member.id)
        .where('kind', '=', kind)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) > 0) return false;
      await trx.insertInto('reactions').values({ post_id: postId, member_id: member.id, kind, created_at: nowIso() }).execute();
      return true;
    });
    this.bus.emit(added ? 'reaction.added' : 'reaction.removed', { postId, memberId: member.id, authorId: post.author_id, kind });
    return added;
  }
}
