import type { MemberRow } from '../community/member.table.js';
import { canMove, cleanText } from '../community/member.rules.js';
import type { PostService } from '../community/post.service.js';
import { isLive } from '../community/post.service.js';
import { type Actor, type Role, atLeast, isRole, rank } from '../community/roles.js';
import type { SessionService } from '../community/session.service.js';
import type { EventBus } from '../core/event-bus.js';
import { DomainError, FieldErrors, forbidden, notFound } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { ModerationLogRow } from './moderation.table.js';

export const REASON_MAX = 500;

/**
 * Roles, approvals, suspensions and post removals. Every action here writes one row to
 * the moderation log in the same transaction as the change it records.
 */
export class ModerationService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly posts: PostService,
    private readonly sessions: SessionService,
  ) {}

  /** Admins promote and demote members below their own rank; only the owner makes admins. */
  async setRole(actor: Actor, targetId: number, role: string): Promise<void> {
    if (!atLeast(actor.role, 'admin')) throw forbidden('Only admins can change roles.');
    if (!isRole(role) || role === 'owner') throw new DomainError('invalid_role', 422, 'Role must be admin, moderator or member.');
    const target = await this.getMember(targetId);
    if (target.id === actor.id) throw forbidden('You cannot change your own role.');
    if (rank(target.role) >= rank(actor.role) || rank(role) >= rank(actor.role)) {
      throw forbidden('You can only change the roles of members below you, to roles below yours.');
    }
    if (target.role === role) return;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('members').set({ role, updated_at: nowIso() }).where('id', '=', target.id).execute();
      await this.log(trx, actor.id, 'role.change', { member: target.id, details: `${target.role} → ${role}` });
    });
    this.bus.emit('member.role_changed', { memberId: target.id, from: target.role, to: role as Role, by: actor.id });
  }

  /** A suspended member cannot log in or post; their sessions end at once. */
  async suspend(actor: Actor, targetId: number, rawReason: string): Promise<void> {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only moderators can suspend members.');
    const reason = this.reason(rawReason);
    const target = await this.getMember(targetId);
    if (rank(target.role) >= rank(actor.role)) throw forbidden('You can only suspend members below your role.');
    // A deleted account stays deleted: suspending (and then lifting it) must not bring it back.
    if (!canMove(target.status, 'suspend')) return;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('members').set({ status: 'suspended', status_reason: reason, updated_at: nowIso() }).where('id', '=', target.id).execute();
      await this.sessions.revokeAll(target.id, undefined, trx);
      await this.log(trx, actor.id, 'member.suspend', { member: target.id, reason });
    });
    this.bus.emit('member.suspended', { memberId: target.id, by: actor.id, reason });
  }

  async unsuspend(actor: Actor, targetId: number): Promise<void> {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only moderators can lift suspensions.');
    const target = await this.getMember(targetId);
    if (rank(target.role) >= rank(actor.role)) throw forbidden('You can only act on members below your role.');
    if (!canMove(target.status, 'unsuspend')) return;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('members').set({ status: 'active', status_reason: null, updated_at: nowIso() }).where('id', '=', target.id).execute();
      await this.log(trx, actor.id, 'member.unsuspend', { member: target.id });
    });
    this.bus.emit('member.unsuspended', { memberId: target.id, by: actor.id });
  }

  /** Approval queue (membership.mode = approval). */
  async decide(actor: Actor, targetId: number, approve: boolean, rawReason = ''): Promise<void> {
    if (!atLeast(actor.role, 'admin')) throw forbidden('Only admins can approve members.');
    const target = await this.getMember(targetId);
    if (!canMove(target.status, approve ? 'approve' : 'reject')) throw new DomainError('not_pending', 409, 'That member is not waiting for approval.');
    const reason = cleanText(rawReason).slice(0, REASON_MAX);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('members')
        .set({ status: approve ? 'active' : 'rejected', status_reason: approve ? null : reason || null, updated_at: nowIso() })
        .where('id', '=', target.id)
        .execute();
      await this.log(trx, actor.id, approve ? 'member.approve' : 'member.reject', { member: target.id, reason });
    });
    if (approve) this.bus.emit('member.approved', { memberId: target.id, by: actor.id });
  }

  /** Moderators remove any post, with a reason that the thread shows in its place. */
  async removePost(actor: Actor, postId: number, rawReason: string): Promise<void> {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only moderators can remove posts.');
    const reason = this.reason(rawReason);
    const { post } = await this.posts.getVisible(actor, postId);
    if (!isLive(post)) return;
    await this.db.transaction().execute(async (trx) => {
      await this.posts.markRemoved(trx, post, actor.id, reason);
      await this.log(trx, actor.id, 'post.remove', { member: post.author_id, post: post.id, reason });
    });
    this.bus.emit('post.removed', { postId: post.id, authorId: post.author_id, by: actor.id, reason });
  }

  async readLog(actor: Actor, before?: number, limit = 50): Promise<(ModerationLogRow & { actor_handle: string | null; actor_domain: string | null; target_handle: string | null; target_domain: string | null })[]> {
    if (!atLeast(actor.role, 'admin')) throw forbidden('Only admins can read the moderation log.');
    let q = this.db
      .selectFrom('moderation_log as l')
      .leftJoin('members as a', 'a.id', 'l.actor_id')
      .leftJoin('members as t', 't.id', 'l.target_member_id')
      .selectAll('l')
      .select(['a.handle as actor_handle', 'a.domain as actor_domain', 't.handle as target_handle', 't.domain as target_domain'])
      .orderBy('l.id', 'desc')
      .limit(limit);
    if (before !== undefined) q = q.where('l.id', '<', before);
    return q.execute();
  }

  private reason(raw: string): string {
    const reason = cleanText(raw);
    const errors = new FieldErrors();
    if (!reason) errors.add('reason', 'Give a reason: it is shown to the member and kept in the log.');
    else if (reason.length > REASON_MAX) errors.add('reason', `A reason can be at most ${REASON_MAX} characters.`);
    errors.throwIfAny();
    return reason;
  }

  private async getMember(id: number): Promise<MemberRow> {
    const member = await this.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
    if (!member) throw notFound('That member');
    return member;
  }

  private log(trx: DbOrTx, actorId: number, action: string, t: LogTarget): Promise<void> {
    return writeModerationLog(trx, actorId, action, t);
  }
}

export interface LogTarget {
  member?: number;
  post?: number;
  reason?: string;
  details?: string;
}

/** One moderation log row, inside the caller's transaction (other modules' staff actions log here too). */
export async function writeModerationLog(trx: DbOrTx, actorId: number, action: string, t: LogTarget): Promise<void> {
  await trx
    .insertInto('moderation_log')
    .values({
      actor_id: actorId, action, target_member_id: t.member ?? null, target_post_id: t.post ?? null,
      reason: t.reason ?? '', details: t.details ?? '', created_at: nowIso(),
    })
    .execute();
}
