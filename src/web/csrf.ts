import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../core/errors.js';
import { readCookie } from './cookies.js';

const ANON_COOKIE = 'hearth_anon';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF tokens are an HMAC of the session id (or, before log-in, of a random visitor
 * cookie), so they need no storage and die with the session. Every state-changing request
 * must carry one, in the `_csrf` field or the X-CSRF-Token header.
 */
export class Csrf {
  constructor(
    private readonly key: Uint8Array,
    private readonly secure: boolean,
  ) {}

  private sign(subject: string): string {
    return createHmac('sha256', this.key).update(`csrf:${subject}`).digest('base64url');
  }

  private subject(req: Request, res: Response | null): string | undefined {
    if (req.sessionId) return `s:${req.sessionId}`;
    let anon = req.anonId ?? readCookie(req.headers.cookie, ANON_COOKIE);
    if (!anon && res) {
      anon = randomBytes(18).toString('base64url');
      res.cookie(ANON_COOKIE, anon, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/', maxAge: 7 * 86400_000 });
    }
    if (anon) req.anonId = anon;
    return anon ? `a:${anon}` : undefined;
  }

  /** The token for forms on this page; sets the visitor cookie only when a form needs it. */
  token(req: Request, res: Response): string {
    return this.sign(this.subject(req, res)!);
  }

  readonly verify = (req: Request, _res: Response, next: NextFunction): void => {
    if (SAFE.has(req.method)) return next();
    const sent = (typeof req.body?._csrf === 'string' ? req.body._csrf : undefined) ?? req.get('x-csrf-token');
    const subject = this.subject(req, null);
    if (sent && subject) {
      const expected = Buffer.from(this.sign(subject));
      const given = Buffer.from(sent);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    }
    next(new DomainError('csrf', 403, 'This form has expired or was sent from another site. Go back, reload the page and try again.'));
  };
}
