import { Router } from 'express';
import { DomainError, ValidationError } from '../core/errors.js';
import { normalizeHandle } from '../community/member.rules.js';
import type { WebContext } from './context.js';
import { INVITE_PROBLEMS } from '../community/invite.service.js';
import { field, renderFormError, renderLinkGone, requireMember, safeNext, wrap } from './handler.js';
import { RateLimiter, countCreations, countFailures, limited } from './rate-limit.js';

const FIFTEEN_MINUTES = 15 * 60_000;

/** A guessed password: the only log-in outcome the limits count. */
const wrongPassword = (err: unknown): boolean => err instanceof DomainError && err.code === 'wrong_credentials';

/** Sign-up (under membership.mode), log in, log out, log out everywhere. */
export function authRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services, cookies, config } = ctx;
  // Log-in counts wrong passwords only, per address and per account: many members log in
  // from one office or café address, and guessing is what the limits are for. See CountPolicy.
  const loginPerIp = new RateLimiter(config.limits.login_attempts_per_ip, FIFTEEN_MINUTES);
  const loginPerAccount = new RateLimiter(config.limits.login_attempts_per_account, FIFTEEN_MINUTES);
  const signupPerIp = new RateLimiter(config.limits.signups_per_ip, 60 * 60_000);

  router.get('/login', (req, res) => {
    if (req.member) return res.redirect(safeNext(req.query.next));
    render(req, res, 'auth/login.njk', { values: { next: safeNext(req.query.next) }, errors: {} });
  });

  router.post(
    '/login',
    wrap(async (req, res) => {
      const handle = normalizeHandle(field(req.body, 'handle'));
      try {
        const member = await limited([[loginPerIp, `ip:${req.ip}`], [loginPerAccount, `acct:${handle}`]], countFailures(wrongPassword), () =>
          services.members.authenticate(handle, field(req.body, 'password')),
        );
        // The account's own count starts again (its member typed right); the address's does
        // not, or one valid account would clear the way for guesses at every other.
        loginPerAccount.reset(`acct:${handle}`);
        await cookies.issue(res, member.id, req.get('user-agent'));
        res.redirect(303, safeNext(field(req.body, 'next')));
      } catch (err) {
        if (!renderFormError(render, req, res, 'auth/login.njk', err)) throw err;
      }
    }),
  );

  router.get(
    '/signup',
    wrap(async (req, res) => {
      if (req.member) return res.redirect('/');
      const inviteCode = typeof req.query.invite === 'string' ? req.query.invite.trim() : '';
      // An invite link that no longer works says so when opened, not after the form is filled in.
      const state = inviteCode ? await services.invites.state(inviteCode) : 'valid';
      if (state !== 'valid') {
        return renderLinkGone(render, req, res, {
          title: 'This invite no longer works',
          reason: INVITE_PROBLEMS[state],
          steps: [
            { text: `Ask the person who invited you, or an admin of ${config.community.name}, for a new invite.` },
            ...(config.membership.mode === 'invite'
              ? []
              : [{ text: config.membership.mode === 'approval' ? 'Ask to join without an invite (an admin approves it)' : 'Join without an invite', href: '/signup' }]),
            { text: 'Already a member? Log in', href: '/login' },
          ],
        });
      }
      render(req, res, 'auth/signup.njk', { values: { inviteCode }, errors: {} });
    }),
  );

  router.post(
    '/signup',
    wrap(async (req, res) => {
      try {
        // Accounts made count, and so do tries that cost a password hash or guess an invite
        // code; a form mistake fixed on the next try does not.
        const inviteGiven = field(req.body, 'inviteCode').trim() !== '';
        const costly = (err: unknown) =>
          (err instanceof DomainError && err.code === 'handle_taken') || (inviteGiven && err instanceof ValidationError && 'inviteCode' in err.fields);
        const member = await limited([[signupPerIp, `ip:${req.ip}`]], countCreations(costly), () =>
          services.members.signUp({
            handle: field(req.body, 'handle'),
            displayName: field(req.body, 'displayName'),
            password: field(req.body, 'password'),
            confirm: field(req.body, 'confirm'),
            inviteCode: field(req.body, 'inviteCode'),
          }),
        );
        if (member.status === 'pending') {
          return render(req, res, 'auth/pending.njk', { handle: member.handle }, 202);
        }
        await cookies.issue(res, member.id, req.get('user-agent'));
        res.redirect(303, `/@${member.handle}?welcome=1`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'auth/signup.njk', err)) throw err;
      }
    }),
  );

  router.post(
    '/logout',
    wrap(async (req, res) => {
      if (req.sessionId) await services.sessions.revoke(req.sessionId);
      cookies.clear(res);
      res.redirect(303, '/');
    }),
  );

  router.post(
    '/logout/everywhere',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      await services.sessions.revokeAll(member.id);
      cookies.clear(res);
      res.redirect(303, '/login');
    }),
  );
  return router;
}
