import { randomBytes } from 'node:crypto';
import { DomainError, FieldErrors, notFound } from '../core/errors.js';
import { isoIn, nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { InviteRow } from './member.table.js';
import { type Actor, atLeast } from './roles.js';

/** Whether an invite code can still let someone in, and if not, why. */
export type InviteState = 'valid' | 'unknown' | 'revoked' | 'expired' | 'used_up';

/** What a person holding an invite that no longer works is told (the next step is the web page's). */
export const INVITE_PROBLEMS: Record<Exclude<InviteState, 'valid'>, string> = {
  unknown: 'That invite code is not one this community made: check that you copied all of it.',
  revoked: 'That invite has been withdrawn by an admin.',
  expired: 'That invite has expired.',
  used_up: 'That invite has already been used as many times as it allows.',
};

/** The state of an invite row at `now` (ISO 8601 UTC); `undefined` is an unknown code. */
export function inviteState(invite: Pick<InviteRow, 'revoked_at' | 'expires_at' | 'uses' | 'max_uses'> | undefined, now = nowIso()): InviteState {
  if (!invite) return 'unknown';
  if (invite.revoked_at !== null) return 'revoked';
  if (invite.expires_at !== null && invite.expires_at <= now) return 'expired';
  if (invite.uses >= invite.max_uses) return 'used_up';
  return 'valid';
}

/** Invite codes that admins hand out; in invite mode they are the only way in. */
export class InviteService {
  constructor(private readonly db: Db) {}

  async create(actor: Actor, input: { maxUses: number; expiresInDays: number }): Promise<InviteRow> {
    if (!atLeast(actor.role, 'admin')) throw new DomainError('forbidden', 403, 'Only admins can create invites.');
    const errors = new FieldErrors();
    if (!Number.isInteger(input.maxUses) || input.maxUses < 1 || input.maxUses > 1000) errors.add('maxUses', 'Uses must be a whole number from 1 to 1000.');
    if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 0 || input.expiresInDays > 365)
      errors.add('expiresInDays', 'Expiry must be 0 (never) to 365 days.');
    errors.throwIfAny();
    return this.db
      .insertInto('invites')
      .values({
        code: randomBytes(9).toString('base64url'),
        created_by: actor.id,
        created_at: nowIso(),
        expires_at: input.expiresInDays > 0 ? isoIn(input.expiresInDays * 86400_000) : null,
        max_uses: input.maxUses,
        uses: 0,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Whether `code` would let someone in now, and if not why: sign-up checks it with the other fields, and opening an invite link says it at once. */
  async state(code: string, trx: DbOrTx = this.db): Promise<InviteState> {
    if (!code) return 'unknown';
    return inviteState(await trx.selectFrom('invites').selectAll().where('code', '=', code).executeTakeFirst());
  }

  /** Uses up one use of a code inside the caller's transaction and says who made it, or throws a field error saying why it cannot. */
  async consume(trx: DbOrTx, code: string): Promise<number> {
    const result = await trx
      .updateTable('invites')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('code', '=', code)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso())]))
      .whereRef('uses', '<', 'max_uses')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      const state = await this.state(code, trx);
      const errors = new FieldErrors();
      errors.add('inviteCode', state === 'valid' ? INVITE_PROBLEMS.used_up : INVITE_PROBLEMS[state]);
      errors.throwIfAny();
    }
    const invite = await trx.selectFrom('invites').select('created_by').where('code', '=', code).executeTakeFirstOrThrow();
    return invite.created_by;
  }

  list(): Promise<InviteRow[]> {
    return this.db.selectFrom('invites').selectAll().orderBy('created_at', 'desc').limit(200).execute();
  }

  /**
   * Checks that an invite can be revoked, for the confirmation step: 403 for anyone but an
   * admin, 404 for an unknown code, 409 `already_revoked`. `revoke` runs the same check.
   */
  async checkRevoke(actor: Actor, code: string): Promise<void> {
    if (!atLeast(actor.role, 'admin')) throw new DomainError('forbidden', 403, 'Only admins can revoke invites.');
    const invite = await this.db.selectFrom('invites').select('revoked_at').where('code', '=', code).executeTakeFirst();
    if (!invite) throw notFound('That invite');
    if (invite.revoked_at) throw new DomainError('already_revoked', 409, 'That invite is already revoked.');
  }

  /** Revokes an invite: its link stops working. A repeat of the same revoke changes nothing. */
  async revoke(actor: Actor, code: string): Promise<void> {
    if (!atLeast(actor.role, 'admin')) throw new DomainError('forbidden', 403, 'Only admins can revoke invites.');
    const invite = await this.db.selectFrom('invites').select('revoked_at').where('code', '=', code).executeTakeFirst();
    if (!invite) throw notFound('That invite');
    await this.db.updateTable('invites').set({ revoked_at: nowIso() }).where('code', '=', code).where('revoked_at', 'is', null).execute();
  }
}
