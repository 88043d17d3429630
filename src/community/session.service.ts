import { randomBytes } from 'node:crypto';
import { isoIn, nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { MemberRow } from './member.table.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Server-side session rows. The browser holds a signed token naming a row; a row that is
 * gone (log out, log out everywhere, suspension, password change) ends the session at once.
 */
export class SessionService {
  constructor(private readonly db: Db) {}

  async create(memberId: number, userAgent: string | undefined): Promise<{ id: string; expiresAt: string }> {
    const id = randomBytes(24).toString('base64url');
    const expiresAt = isoIn(SESSION_TTL_MS);
    await this.db
      .insertInto('sessions')
      .values({ id, member_id: memberId, created_at: nowIso(), expires_at: expiresAt, user_agent: userAgent?.slice(0, 200) ?? null })
      .execute();
    return { id, expiresAt };
  }

  /** The session's member, only while the session is live and the member active. */
  async findMember(sessionId: string): Promise<MemberRow | undefined> {
    const member = await this.db
      .selectFrom('sessions')
      .innerJoin('members', 'members.id', 'sessions.member_id')
      .selectAll('members')
      .where('sessions.id', '=', sessionId)
      .where('sessions.expires_at', '>', nowIso())
      .executeTakeFirst();
    return member?.status === 'active' ? member : undefined;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  }

  /** Ends every session of a member, except optionally the one making the request. */
  async revokeAll(memberId: number, exceptSessionId?: string, db: DbOrTx = this.db): Promise<void> {
    let q = db.deleteFrom('sessions').where('member_id', '=', memberId);
    if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
    await q.execute();
  }

  async purgeExpired(): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', nowIso()).execute();
  }
}
