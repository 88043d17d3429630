import { Router, type Request } from 'express';
import { MEMBER_MOVES } from '../community/member.rules.js';
import { notFound } from '../core/errors.js';
import { logSentence } from '../moderation/log-text.js';
import type { WebContext } from './context.js';
import { type Confirmation, confirmFirst, say } from './confirm.js';
import { cursor, field, renderFormError, requireMember, requireRole, submissionKey, wrap } from './handler.js';

const memberId = (req: Request): number => {
  const raw = req.params.id ?? '';
  if (!/^\d{1,15}$/.test(raw)) throw notFound('That member');
  return Number(raw);
};

/** Admin and moderator pages: members, approvals, roles, suspensions, spaces, invites, log. */
export function adminRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services, config } = ctx;

  // Visitors are sent to log in; signed-in members without the role get 403.
  router.use('/admin', (req, res, next) => {
    if (!requireMember(req, res)) return;
    requireRole(req, 'moderator');
    next();
  });

  router.get(
    '/admin',
    (_req, res) => res.redirect('/admin/members'),
  );

  router.get(
    '/admin/members',
    wrap(async (req, res) => {
      render(req, res, 'admin/members.njk', { ...(await membersPage()), welcome: req.query.welcome === '1', values: {}, errors: {} });
    }),
  );

  async function membersPage() {
    const members = await services.members.list();
    return { pending: members.filter((m) => m.status === 'pending'), members: members.filter((m) => m.status !== 'pending'), moves: MEMBER_MOVES, baseUrl: config.server.url };
  }

  // A refused action (a suspension without a reason) draws the list again, the reason kept beside its member.
  // `ask`, for what cannot be undone, checks the action and says what will happen; it runs once confirmed.
  const memberAction = (path: string, act: (req: Request) => Promise<void>, ask?: (req: Request) => Promise<Confirmation>) =>
    router.post(
      path,
      wrap(async (req, res) => {
        try {
          if (ask && confirmFirst(render, req, res, await ask(req))) return;
          await act(req);
          res.redirect(303, '/admin/members');
        } catch (err) {
          if (!renderFormError(render, req, res, 'admin/members.njk', err, { ...(await membersPage()), actionFor: Number(req.params.id) })) throw err;
        }
      }),
    );
  memberAction('/admin/members/:id/role', (req) => services.moderation.setRole(req.member!, memberId(req), field(req.body, 'role')));
  memberAction('/admin/members/:id/suspend', (req) => services.moderation.suspend(req.member!, memberId(req), field(req.body, 'reason')));
  memberAction('/admin/members/:id/unsuspend', (req) => services.moderation.unsuspend(req.member!, memberId(req)));
  memberAction('/admin/members/:id/approve', (req) => services.moderation.decide(req.member!, memberId(req), true));
  // Suspensions are lifted and roles changed back, so they act at once; a refused sign-up is final.
  memberAction('/admin/members/:id/reject', (req) => services.moderation.decide(req.member!, memberId(req), false, field(req.body, 'reason')), async (req) => {
    const target = await services.moderation.checkDecide(req.member!, memberId(req), false, field(req.body, 'reason'));
    return {
      question: say`Decline the sign-up of ${target.display_name || target.handle} (@${target.handle})?`,
      consequence: say`They cannot log in, and this sign-up cannot be approved later. This cannot be undone.`,
      confirmLabel: 'Decline', cancelHref: '/admin/members',
    };
  });

  router.get(
    '/admin/spaces',
    wrap(async (req, res) => {
      requireRole(req, 'admin');
      render(req, res, 'admin/spaces.njk', { spaces: await services.spaces.listVisible(req.member), values: { visibility: 'public' }, errors: {} });
    }),
  );

  router.post(
    '/admin/spaces',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      try {
        const space = await services.spaces.create(admin, {
          slug: field(req.body, 'slug'),
          name: field(req.body, 'name'),
          description: field(req.body, 'description'),
          visibility: field(req.body, 'visibility'),
          // Idea boards exist only while the module is on.
          kind: ctx.config.modules.ideas && field(req.body, 'kind') === 'ideas' ? 'ideas' : 'discussion',
        }, submissionKey(req.body));
        res.redirect(303, `/s/${space.slug}`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'admin/spaces.njk', err, { spaces: await services.spaces.listVisible(admin) })) throw err;
      }
    }),
  );

  router.get(
    '/admin/invites',
    wrap(async (req, res) => {
      requireRole(req, 'admin');
      render(req, res, 'admin/invites.njk', { invites: await services.invites.list(), values: { maxUses: '1', expiresInDays: '7' }, errors: {}, baseUrl: config.server.url });
    }),
  );

  router.post(
    '/admin/invites',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      try {
        await services.invites.create(admin, { maxUses: Number(field(req.body, 'maxUses')), expiresInDays: Number(field(req.body, 'expiresInDays')) });
        res.redirect(303, '/admin/invites');
      } catch (err) {
        if (!renderFormError(render, req, res, 'admin/invites.njk', err, { invites: await services.invites.list(), baseUrl: config.server.url })) throw err;
      }
    }),
  );

  router.post(
    '/admin/invites/:code/revoke',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      const code = req.params.code ?? '';
      // Refusals (unknown or already revoked) come before the question; a confirmed repeat is a no-op.
      if (field(req.body, 'confirm') !== '1') await services.invites.checkRevoke(admin, code);
      const said = confirmFirst(render, req, res, {
        question: say`Revoke the invite ${code}?`,
        consequence: say`Its link stops working and nobody can join with it any more. This cannot be undone; you can make a new invite.`,
        confirmLabel: 'Revoke', cancelHref: '/admin/invites',
      });
      if (said) return;
      await services.invites.revoke(admin, code);
      res.redirect(303, '/admin/invites');
    }),
  );

  router.get(
    '/admin/log',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      const rows = await services.moderation.readLog(admin, cursor(req.query.before));
      const currency = { name: ctx.config.economy.currency_name, plural: ctx.config.economy.currency_plural };
      // The code stays in the data (and in the row's data-action); people read the sentence.
      const entries = rows.map((e) => ({ ...e, sentence: logSentence(e, currency) }));
      render(req, res, 'admin/log.njk', { entries, next: entries.length === 50 ? entries[entries.length - 1]!.id : null });
    }),
  );
  return router;
}
