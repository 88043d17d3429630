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
    return this.set(member, postId, kind, null);
  }

  /**
   * Puts the member's reaction of this kind on (`on` true) or off (false), as the button
   * they pressed showed it; null toggles. Setting a state it already has changes nothing,
   * so the same form sent twice (a double click) leaves it as the first one did. Returns
   * whether it is now on.
   */
  async set(member: Actor, postId: number, kind: string, on: boolean | null): Promise<boolean> {
    if (!isReactionKind(kind)) throw new DomainError('invalid_reaction', 422, 'That is not a reaction this community offers.');
    const { post } = await this.posts.getOpen(member, postId);
    await assertTakesReactions(this.db, postId, this.ideasOn());
    const change = await this.db.transaction().execute(async (trx) => {
      const mine = trx.selectFrom('reactions').select('kind').where('post_id', '=', postId).where('member_id', '=', member.id).where('kind', '=', kind);
      const isOn = (await mine.executeTakeFirst()) !== undefined;
      const wanted = on ?? !isOn;
      if (wanted === isOn) return { now: isOn, changed: false };
      if (wanted) await trx.insertInto('reactions').values({ post_id: postId, member_id: member.id, kind, created_at: nowIso() }).execute();
      else await trx.deleteFrom('reactions').where('post_id', '=', postId).where('member_id', '=', member.id).where('kind', '=', kind).execute();
      return { now: wanted, changed: true };
    });
    if (change.changed) this.bus.emit(change.now ? 'reaction.added' : 'reaction.removed', { postId, memberId: member.id, authorId: post.author_id, kind, spaceId: post.space_id });
    return change.now;
  }
}
