import { Router } from 'express';
import type { WebContext } from './context.js';
import { cursor, requireMember, wrap } from './handler.js';

/** The member's notifications, unread ones marked, and a button to mark them all read. */
export function notificationRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services } = ctx;

  router.get(
    '/notifications',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      const page = await services.notifications.list(member.id, cursor(req.query.before));
      render(req, res, 'notifications.njk', { page });
    }),
  );

  router.post(
    '/notifications/read',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      await services.notifications.markAllRead(member.id);
      res.redirect(303, '/notifications');
    }),
  );
  return router;
}
