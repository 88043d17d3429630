import { Router } from 'express';
import type { WebContext } from './context.js';
import { KINDS, KIND_LABELS } from '../notifications/notification.service.js';
import { cursor, field, renderFormError, requireMember, wrap } from './handler.js';

/** The member's notifications (opening the list reads what it shows; new ones are marked once), and a button to mark them all read. */
export function notificationRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services } = ctx;

  router.get(
    '/notifications',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      const page = await services.notifications.list(member.id, cursor(req.query.before));
      // Opening the list is reading it: what it shows is marked read (still drawn as new
      // this once), and the bell on this very page counts only what is left.
      await services.notifications.markRead(member.id, page.items.filter((n) => !n.read_at).map((n) => n.id));
      res.locals.unread = await services.notifications.unread(member.id);
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
  const settingsPage = async (memberId: number) => {
    const settings = await services.notifications.settings(memberId);
    return {
      kinds: KINDS.map((k) => ({ kind: k, label: KIND_LABELS[k], on: !settings.muted.includes(k) })),
      emailAvailable: services.digest.available,
      values: { email: settings.email ?? '', digest: settings.digest },
      errors: {},
    };
  };

  router.get(
    '/settings/notifications',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      render(req, res, 'settings/notifications.njk', { ...(await settingsPage(member.id)), saved: req.query.saved === '1' });
    }),
  );

  router.post(
    '/settings/notifications',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const body = req.body as Record<string, unknown>;
      const on = (Array.isArray(body.on) ? body.on : [body.on]).filter((v): v is string => typeof v === 'string');
      try {
        await services.notifications.saveSettings(
          member.id,
          { muted: KINDS.filter((k) => !on.includes(k)), email: field(body, 'email'), digest: field(body, 'digest') === '1' },
          services.digest.available,
        );
        res.redirect(303, '/settings/notifications?saved=1');
      } catch (err) {
        const page = await settingsPage(member.id);
        page.kinds = page.kinds.map((k) => ({ ...k, on: on.includes(k.kind) }));
        if (!renderFormError(render, req, res, 'settings/notifications.njk', err, page)) throw err;
      }
    }),
  );
  return router;
}
