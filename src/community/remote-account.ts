import type { PendingEvent } from '../core/event-bus.js';
import type { DbOrTx } from '../db/schema.js';
import { markDeleted } from './post.service.js';

/**
 * One module's part in forgetting a remote account its server deleted (events, ideas,
 * polls each have one). It runs inside the deletion's single transaction, so a failure
 * anywhere leaves everything as it was.
 */
export interface AccountTraces {
  /** Withdraws what the member still has in effect here; answers the events to emit after the commit. */
  withdrawAll(trx: DbOrTx, memberId: number): Promise<PendingEvent[]>;
}

/**
 * The community's own part: every live post of the account becomes a placeholder the way
 * its author's own deletion does, and its reactions and boosts stop counting. The same
 * events a one-by-one removal emits follow, so awards on those posts are taken back.
 */
export const communityTraces: AccountTraces = {
  async withdrawAll(trx, memberId) {
    const out: PendingEvent[] = [];
    const posts = await trx.selectFrom('posts').selectAll().where('author_id', '=', memberId).where('deleted_at', 'is', null).where('removed_at', 'is', null).execute();
    for (const post of posts) {
      await markDeleted(trx, post);
      out.push({ name: 'post.deleted', payload: { postId: post.id, authorId: memberId, remote: true } });
    }
    const reactions = await trx
      .selectFrom('reactions as r')
      .innerJoin('posts as p', 'p.id', 'r.post_id')
      .select(['r.post_id', 'r.kind', 'p.author_id'])
      .where('r.member_id', '=', memberId)
      .execute();
    await trx.deleteFrom('reactions').where('member_id', '=', memberId).execute();
    for (const r of reactions) out.push({ name: 'reaction.removed', payload: { postId: r.post_id, memberId, authorId: r.author_id, kind: r.kind, remote: true } });
    const shares = await trx.deleteFrom('post_shares').where('member_id', '=', memberId).returning('post_id').execute();
    for (const s of shares) {
      await trx.updateTable('posts').set((eb) => ({ share_count: eb('share_count', '-', 1) })).where('id', '=', s.post_id).where('share_count', '>', 0).execute();
    }
    return out;
  },
};
