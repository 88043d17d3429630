import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { notFound } from '../core/errors.js';
import type { WebContext } from './context.js';
import { field, renderFormError, wrap } from './handler.js';

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

  router.get('/setup', (req, res) => {
    if (!tokenMatches(req.query.token)) throw notFound();
    render(req, res, 'setup.njk', { token: req.query.token, values: {}, errors: {} });
  });

  router.post(
    '/setup',
    wrap(async (req, res) => {
      const token = field(req.body, 'token');
      if (!tokenMatches(token)) throw notFound();
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
