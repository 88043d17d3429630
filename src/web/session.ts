import type { NextFunction, Request, Response } from 'express';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { MemberRow } from '../community/member.table.js';
import { SESSION_TTL_MS, type SessionService } from '../community/session.service.js';
import { readCookie } from './cookies.js';

export const SESSION_COOKIE = 'hearth_session';

/**
 * The session cookie is a jose-signed (HS256) token naming a server-side session row.
 * The signature lets us drop forged or stale cookies without touching the database;
 * the row lets us revoke a session at once.
 */
export class SessionCookies {
  constructor(
    private readonly key: Uint8Array,
    private readonly sessions: SessionService,
    private readonly secure: boolean,
  ) {}

  async issue(res: Response, memberId: number, userAgent: string | undefined): Promise<string> {
    const session = await this.sessions.create(memberId, userAgent);
    const token = await new SignJWT({ sid: session.id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(memberId))
      .setIssuedAt()
      .setExpirationTime(new Date(session.expiresAt))
      .sign(this.key);
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: this.secure, maxAge: SESSION_TTL_MS, path: '/' });
    return session.id;
  }

  clear(res: Response): void {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' });
  }

  /** Middleware: sets req.member and req.sessionId when the cookie names a live session. */
  readonly middleware = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    req.member = null;
    req.sessionId = null;
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!token) return next();
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
      const member: MemberRow | undefined = sid ? await this.sessions.findMember(sid) : undefined;
      if (member && String(member.id) === payload.sub) {
        req.member = member;
        req.sessionId = sid!;
      } else {
        this.clear(res);
      }
      next();
    } catch (err) {
      // A forged, expired or malformed cookie just means "not logged in".
      if (err instanceof joseErrors.JOSEError) {
        this.clear(res);
        return next();
      }
      next(err);
    }
  };
}
