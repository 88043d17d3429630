import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { WebContext } from './context.js';
import { field, renderFormError, renderLinkGone, wrap } from './handler.js';

/**
 * First run: while no owner exists, the server prints a one-time link; whoever opens it
 * creates the owner account. The link dies as soon as an owner exists.
 */
export function setupRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services, cookies } = ctx;

  const tokenMatches = (given: unknown): boolean => {
    const token = ctx.setup.token();
    if (!token || typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  // An old link (the owner exists, or the server has since made a new one) says so and what to do.
  const linkGone = (req: Request, res: Response): void => {
    if (ctx.setup.token() === null) {
      return renderLinkGone(render, req, res, {
        title: 'This setup link has been used',
        reason: `The owner account of ${ctx.config.community.name} exists, so the one-time setup link no longer works.`,
        steps: [
          { text: 'Log in with the owner account', href: '/login' },
          { text: 'Lost the owner’s password? On the server, run', command: 'npx hearth member reset-password HANDLE' },
          { text: 'Need another owner or admin? On the server, run', command: 'npx hearth member create HANDLE --role owner' },
        ],
      });
    }
    renderLinkGone(render, req, res, {
      title: 'This setup link has expired',
      reason: 'The server makes a new setup link each time it starts, and this is not the current one.',
      steps: [
        { text: 'Open the setup link in the server’s latest log (it contains /setup?token=).' },
        { text: 'Or create the owner on the server:', command: 'npx hearth member create HANDLE --role owner' },
      ],
    });
  };

  router.get('/setup', (req, res) => {
    if (!tokenMatches(req.query.token)) return linkGone(req, res);
    render(req, res, 'setup.njk', { token: req.query.token, values: {}, errors: {} });
  });

  router.post(
    '/setup',
    wrap(async (req, res) => {
      const token = field(req.body, 'token');
      if (!tokenMatches(token)) return linkGone(req, res);
      try {
        const owner = await services.members.create({
          handle: field(req.body, 'handle'),
          displayName: field(req.body, 'displayName'),
          password: field(req.body, 'password'),
          role: 'owner',
        });
        ctx.setup.done();
        await cookies.issue(res, owner.id, req.get('user-agent'));
        res.redirect(303, '/admin/members?welcome=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'setup.njk', err, { token })) throw err;
      }
    }),
  );
  return router;
}
