import { formatNumber } from '../core/format.js';
import type { MemberRow } from '../community/member.table.js';
import type { PostRow } from '../community/post.table.js';
import { canMove, cleanText } from '../community/member.rules.js';
import type { PostService } from '../community/post.service.js';
import { isLive } from '../community/post.service.js';
import { type Actor, type Role, atLeast, isRole, rank } from '../community/roles.js';
import type { SessionService } from '../community/session.service.js';
import type { EventBus } from '../core/event-bus.js';
import { DomainError, FieldErrors, ValidationError, forbidden, notFound } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { type LogEntry, readLogEntries } from './log.queries.js';

/**
 * What a removal costs its author: takes back, inside the removal's transaction, what the
 * post earned; answers the amount taken (0 when none). Implemented by EarningService.
 */
export interface RemovalCosts {
  takeBackPost(trx: DbOrTx, postId: number, reason: string): Promise<number>;
  /** What `takeBackPost` would take now (whole units of the currency), without writing anything. */
  postEarnings(db: DbOrTx, postId: number): Promise<number>;
}

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
    private readonly costs: RemovalCosts | null = null,
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
    const entryId = await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('members').set({ role, updated_at: nowIso() }).where('id', '=', target.id).execute();
      return this.log(trx, actor.id, 'role.change', { member: target.id, details: `${target.role} → ${role}` });
    });
    this.bus.emit('member.role_changed', { memberId: target.id, from: target.role, to: role as Role, by: actor.id });
    this.bus.emit('moderation.logged', { entryId });
  }

  /** A suspended member cannot log in or post; their sessions end at once. */
  async suspend(actor: Actor, targetId: number, rawReason: string): Promise<void> {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only moderators can suspend members.');
    const reason = this.reason(rawReason);
    const target = await this.getMember(targetId);
    if (rank(target.role) >= rank(actor.role)) throw forbidden('You can only suspend members below your role.');
    // A deleted account stays deleted: suspending (and then lifting it) must not bring it back.
    if (!canMove(target.status, 'suspend')) return;
    const entryId = await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('members').set({ status: 'suspended', status_reason: reason, updated_at: nowIso() }).where('id', '=', target.id).execute();
      await this.sessions.revokeAll(target.id, undefined, trx);
      return this.log(trx, actor.id, 'member.suspend', { member: target.id, reason });
    });
    this.bus.emit('member.suspended', { memberId: target.id, by: actor.id, reason });
    this.bus.emit('moderation.logged', { entryId });
  }

  async unsuspend(actor: Actor, targetId: number): Promise<void> {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only moderators can lift suspensions.');
    const target = await this.getMember(targetId);
    if (rank(target.role) >= rank(actor.role)) throw forbidden('You can only act on members below your role.');
    if (!canMove(target.status, 'unsuspend')) return;
    const entryId = await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('members').set({ status: 'active', status_reason: null, updated_at: nowIso() }).where('id', '=', target.id).execute();
      return this.log(trx, actor.id, 'member.unsuspend', { member: target.id });
    });
    this.bus.emit('member.unsuspended', { memberId: target.id, by: actor.id });
    this.bus.emit('moderation.logged', { entryId });
  }

  /** Approval queue (membership.mode = approval). */
  async decide(actor: Actor, targetId: number, approve: boolean, rawReason = ''): Promise<void> {
    const target = await this.checkDecide(actor, targetId, approve, rawReason);
    const reason = optionalReason(rawReason);
    const entryId = await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('members')
        .set({ status: approve ? 'active' : 'rejected', status_reason: approve ? null : reason || null, updated_at: nowIso() })
        .where('id', '=', target.id)
        .execute();
      return this.log(trx, actor.id, approve ? 'member.approve' : 'member.reject', { member: target.id, reason });
    });
    if (approve) this.bus.emit('member.approved', { memberId: target.id, by: actor.id });
    this.bus.emit('moderation.logged', { entryId });
  }

  /**
   * Checks an approval or a refusal of a sign-up without writing it, for the confirmation
   * step (a refused sign-up is final): admins only, the member must be waiting. Answers them.
   */
  async checkDecide(actor: Actor, targetId: number, approve: boolean, rawReason = ''): Promise<MemberRow> {
    if (!atLeast(actor.role, 'admin')) throw forbidden('Only admins can approve members.');
    const target = await this.getMember(targetId);
    if (!canMove(target.status, approve ? 'approve' : 'reject')) throw new DomainError('not_pending', 409, 'That member is not waiting for approval.');
    optionalReason(rawReason);
    return target;
  }

  /**
   * Moderators remove any post, with a reason that the thread shows in its place. What the
   * post earned is taken back in the same transaction, so the log (details: the amount)
   * and the author's notice say what the removal cost.
   */
  async removePost(actor: Actor, postId: number, rawReason: string): Promise<void> {
    const { post, reason } = await this.checkRemovePost(actor, postId, rawReason);
    if (!isLive(post)) return;
    const entryId = await this.db.transaction().execute(async (trx) => {
      await this.posts.markRemoved(trx, post, actor.id, reason);
      const cost = this.costs ? await this.costs.takeBackPost(trx, post.id, 'The post was removed by a moderator') : 0;
      return this.log(trx, actor.id, 'post.remove', { member: post.author_id, post: post.id, reason, details: cost ? String(cost) : '' });
    });
    this.bus.emit('post.removed', { postId: post.id, authorId: post.author_id, by: actor.id, reason });
    this.bus.emit('moderation.logged', { entryId });
  }

  /**
   * Checks a removal without writing it, for the confirmation step (src/web/confirm.ts):
   * the same refusals as `removePost` (role, reason required and at most REASON_MAX), and
   * what it would cost the author now (`cost`, 0 when the economy is off or it earned nothing;
   * `author`: their handle, with the server for someone from another one). A post already removed or deleted answers with `live: false`.
   */
  async checkRemovePost(actor: Actor, postId: number, rawReason: string): Promise<{ post: PostRow; reason: string; live: boolean; author: string | null; cost: number }> {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only moderators can remove posts.');
    const reason = this.reason(rawReason);
    const { post } = await this.posts.getVisible(actor, postId);
    const live = isLive(post);
    const author = await this.db.selectFrom('members').select(['handle', 'domain']).where('id', '=', post.author_id).executeTakeFirst();
    const cost = live && this.costs ? await this.costs.postEarnings(this.db, post.id) : 0;
    return { post, reason, live, author: author ? (author.domain ? `${author.handle}@${author.domain}` : author.handle) : null, cost };
  }

  /** The log, newest first, with names and titles for `logSentence` (src/moderation/log-text.ts). */
  async readLog(actor: Actor, before?: number, limit = 50): Promise<LogEntry[]> {
    if (!atLeast(actor.role, 'admin')) throw forbidden('Only admins can read the moderation log.');
    return readLogEntries(this.db, { before, limit });
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

  private log(trx: DbOrTx, actorId: number, action: string, t: LogTarget): Promise<number> {
    return writeModerationLog(trx, actorId, action, t);
  }
}

export interface LogTarget {
  member?: number;
  post?: number;
  reason?: string;
  details?: string;
}

/**
 * One moderation log row, inside the caller's transaction (other modules' staff actions log
 * here too); answers its id. Every staff action on a member goes through here: after the
 * commit the caller emits `moderation.logged` with that id, and the member is told
 * (NotificationSubscribers, in the words of src/moderation/log-text.ts).
 */
export async function writeModerationLog(trx: DbOrTx, actorId: number, action: string, t: LogTarget): Promise<number> {
  const row = await trx
    .insertInto('moderation_log')
    .values({
      actor_id: actorId, action, target_member_id: t.member ?? null, target_post_id: t.post ?? null,
      reason: t.reason ?? '', details: t.details ?? '', created_at: nowIso(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A reason staff may leave out (declining a sign-up, removing a review), cleaned: 422 on
 * `reason` past REASON_MAX characters, never cut short without saying so.
 */
export function optionalReason(raw: string): string {
  const reason = cleanText(raw);
  if (reason.length > REASON_MAX) throw new ValidationError({ reason: `A reason can be at most ${formatNumber(REASON_MAX)} characters.` });
  return reason;
}
