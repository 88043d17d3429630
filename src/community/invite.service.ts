import { randomBytes } from 'node:crypto';
import { DomainError, FieldErrors } from '../core/errors.js';
import { isoIn, nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { InviteRow } from './member.table.js';
import { type Actor, atLeast } from './roles.js';

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

  /** Uses up one use of a code inside the caller's transaction and says who made it, or throws a field error. */
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
      const errors = new FieldErrors();
      errors.add('inviteCode', 'That invite code is not valid, used up or expired.');
      errors.throwIfAny();
    }
    const invite = await trx.selectFrom('invites').select('created_by').where('code', '=', code).executeTakeFirstOrThrow();
    return invite.created_by;
  }

  list(): Promise<InviteRow[]> {
    return this.db.selectFrom('invites').selectAll().orderBy('created_at', 'desc').limit(200).execute();
  }

  async revoke(actor: Actor, code: string): Promise<void> {
    if (!atLeast(actor.role, 'admin')) throw new DomainError('forbidden', 403, 'Only admins can revoke invites.');
    await this.db.updateTable('invites').set({ revoked_at: nowIso() }).where('code', '=', code).execute();
  }
}
