import { accountAddress } from '../community/handle.js';
import { Router } from 'express';
import { notFound } from '../core/errors.js';
import type { WebContext } from './context.js';
import { confirmFirst, say } from './confirm.js';
import { field, requireMember, requireRole, wrap } from './handler.js';

/**
 * The fediverse side of the admin pages and settings: the delivery queue by server,
 * domain and account blocks, reports from other servers, space federation settings,
 * and follow requests waiting for approval (a member's own, and spaces' for moderators).
 */
export function federationWebRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services, federation } = ctx;

  router.get(
    '/admin/reports',
    wrap(async (req, res) => {
      const moderator = requireRole(req, 'moderator');
      render(req, res, 'admin/reports.njk', { reports: await services.reports.listOpen(moderator) });
    }),
  );
  router.post(
    '/admin/reports/:id/resolve',
    wrap(async (req, res) => {
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id)) throw notFound('That report');
      await services.reports.resolve(requireRole(req, 'moderator'), id);
      res.redirect(303, '/admin/reports');
    }),
  );

  if (!federation) return router;

  router.get(
    '/admin/federation',
    wrap(async (req, res) => {
      const viewer = requireRole(req, 'moderator');
      const spaces = (await services.spaces.listAll()).filter((s) => s.visibility === 'public');
      const host = new URL(ctx.config.server.url).host;
      render(req, res, 'admin/federation.njk', {
        queue: viewer.role === 'owner' || viewer.role === 'admin' ? await federation.queue.summary() : null,
        blocks: federation.policy.list(),
        mode: ctx.config.federation.mode,
        configBlocked: ctx.config.federation.blocked_domains,
        configAllowed: ctx.config.federation.allowed_domains,
        spaces: await Promise.all(spaces.map(async (s) => ({ ...s, address: accountAddress(federation.actors.spaceName(s), host), followers: await federation.follows.followerCount({ kind: 'space', name: federation.actors.spaceName(s), space: s, community: s.slug === 'general' }) }))),
        requests: (await federation.follows.pendingFor(viewer)).filter((r) => r.localActor !== viewer.handle),
        values: { kind: 'domain' },
        errors: {},
      });
    }),
  );
  router.post(
    '/admin/federation/blocks',
    wrap(async (req, res) => {
      await federation.policy.block(requireRole(req, 'admin'), { kind: field(req.body, 'kind'), value: field(req.body, 'value'), reason: field(req.body, 'reason') });
      res.redirect(303, '/admin/federation');
    }),
  );
  router.post(
    '/admin/federation/blocks/remove',
    wrap(async (req, res) => {
      await federation.policy.unblock(requireRole(req, 'admin'), field(req.body, 'kind'), field(req.body, 'value'));
      res.redirect(303, '/admin/federation');
    }),
  );
  router.post(
    '/admin/federation/queue/clear',
    wrap(async (req, res) => {
      requireRole(req, 'admin');
      const host = field(req.body, 'host');
      const said = confirmFirst(render, req, res, {
        question: host ? say`Drop the failed deliveries to ${host}?` : say`Drop all failed deliveries?`,
        consequence: say`They are not sent again. This cannot be undone.`,
        confirmLabel: 'Drop them', cancelHref: '/admin/federation',
      });
      if (said) return;
      await federation.queue.clearFailed(host || undefined);
      res.redirect(303, '/admin/federation');
    }),
  );
  router.post(
    '/admin/federation/spaces/:id',
    wrap(async (req, res) => {
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id)) throw notFound('That space');
      await services.spaces.setFederation(requireRole(req, 'admin'), id, {
        remotePosts: field(req.body, 'remotePosts') === '1',
        approveFollowers: field(req.body, 'approveFollowers') === '1',
      });
      res.redirect(303, '/admin/federation');
    }),
  );

  router.get(
    '/settings/followers',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      const local = { kind: 'member' as const, name: member.handle, member };
      render(req, res, 'settings/followers.njk', {
        member,
        followers: await federation.follows.followerCount(local),
        requests: (await federation.follows.pendingFor(member)).filter((r) => r.localActor === member.handle),
        address: accountAddress(member.handle, new URL(ctx.config.server.url).host),
      });
    }),
  );
  router.post(
    '/settings/followers',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      await services.members.setApproveFollowers(member.id, field(req.body, 'approveFollowers') === '1');
      res.redirect(303, '/settings/followers');
    }),
  );
  // One form for members (their own requests) and moderators (spaces'); the service checks who may decide.
  router.post(
    '/follow-requests/decide',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      await federation.follows.decide(member, field(req.body, 'followId'), field(req.body, 'decision') === 'accept');
      res.redirect(303, field(req.body, 'back') === 'admin' ? '/admin/federation' : '/settings/followers');
    }),
  );
  return router;
}
