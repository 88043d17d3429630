import { accountAddress } from '../community/handle.js';
import type { MemberRow } from '../community/member.table.js';
import { Router } from 'express';
import { ValidationError, notFound } from '../core/errors.js';
import { TIME_ZONES } from '../core/timezone.js';
import { atLeast } from '../community/roles.js';
import { type ImageKind, checkImage, deleteImage, storeImage } from './avatar.js';
import type { WebContext } from './context.js';
import { cursor, field, renderFormError, requireMember, wrap } from './handler.js';

/** Level, rank, expert marks and badges for a local member's page; members-only spaces only to members. */
async function standingOf(ctx: WebContext, profile: MemberRow, viewerIsMember: boolean) {
  if (!ctx.config.economy.enabled || profile.domain !== null) return { standing: null, badges: [] };
  const standing = await ctx.services.standing.of(profile.id);
  if (!viewerIsMember) standing.expertIn = standing.expertIn.filter((x) => x.visibility === 'public');
  return { standing, badges: await ctx.services.achievements.held(profile.id) };
}

/** Member pages at /@handle, and the signed-in member's own settings. */
export function memberRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services } = ctx;

  router.get(
    '/@:handle',
    wrap(async (req, res) => {
      const profile = await services.members.getByHandle(req.params.handle ?? '');
      // Only active members have a public page; pending and rejected sign-ups do not exist to others.
      const viewerIsStaff = req.member !== null && atLeast(req.member.role, 'moderator');
      if ((profile.status === 'pending' || profile.status === 'rejected') && !viewerIsStaff) throw notFound('That member');
      const viewer = req.member ? { id: req.member.id, role: req.member.role } : null;
      const page = await services.postViews.byMember(profile.id, viewer, cursor(req.query.before));
      render(req, res, 'member.njk', {
        profile, page, isSelf: req.member?.id === profile.id, welcome: req.query.welcome === '1', fediverse: await fediverseOf(ctx, profile),
        ...(await standingOf(ctx, profile, req.member !== null)),
      });
    }),
  );

  router.get('/settings', (_req, res) => res.redirect('/settings/profile'));

  router.get('/settings/profile', (req, res) => {
    const member = requireMember(req, res);
    if (!member) return;
    render(req, res, 'settings/profile.njk', {
      member, zones: TIME_ZONES, values: { displayName: member.display_name, bio: member.bio, timeZone: member.timezone ?? '' }, errors: {}, saved: req.query.saved === '1',
    });
  });

  router.post(
    '/settings/profile',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      try {
        const files = (req.files as Express.Multer.File[] | undefined) ?? [];
        if (files.some((f) => f.fieldname !== 'avatar' && f.fieldname !== 'header')) throw new ValidationError({ avatar: 'Send images in the avatar and header fields.' });
        const images = {
          avatar: files.find((f) => f.fieldname === 'avatar' && f.size > 0),
          header: files.find((f) => f.fieldname === 'header' && f.size > 0),
        };
        // Everything is checked before anything is written: a refused form changes nothing.
        for (const [name, file] of Object.entries(images)) if (file) checkImage(file.buffer, name, ctx.config.limits.avatar_max_kb);
        await services.members.updateProfile(member.id, { displayName: field(req.body, 'displayName'), bio: field(req.body, 'bio'), timeZone: field(req.body, 'timeZone') });
        const slots: [keyof typeof images, ImageKind, (id: number, f: string | null) => Promise<string | null>][] = [
          ['avatar', 'avatars', (id, f) => services.members.setAvatar(id, f)],
          ['header', 'headers', (id, f) => services.members.setHeader(id, f)],
        ];
        for (const [name, kind, set] of slots) {
          const file = images[name];
          const remove = field(req.body, name === 'avatar' ? 'removeAvatar' : 'removeHeader') === '1';
          if (file) await deleteImage(ctx.uploadsDir, kind, await set(member.id, await storeImage(ctx.uploadsDir, kind, file.buffer, name)));
          else if (remove) await deleteImage(ctx.uploadsDir, kind, await set(member.id, null));
        }
        res.redirect(303, '/settings/profile?saved=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'settings/profile.njk', err, { member, zones: TIME_ZONES })) throw err;
      }
    }),
  );

  router.get('/settings/password', (req, res) => {
    const member = requireMember(req, res);
    if (!member) return;
    render(req, res, 'settings/password.njk', { values: {}, errors: {}, saved: req.query.saved === '1' });
  });

  router.post(
    '/settings/password',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      try {
        const input = { current: field(req.body, 'current'), password: field(req.body, 'password'), confirm: field(req.body, 'confirm') };
        await services.members.changePassword(member.id, input, req.sessionId ?? undefined);
        res.redirect(303, '/settings/password?saved=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'settings/password.njk', err)) throw err;
      }
    }),
  );
  return router;
}

/** How people elsewhere follow a local member: their address and follower count (none when federation is off). */
async function fediverseOf(ctx: WebContext, profile: MemberRow): Promise<{ address: string; followers: number } | null> {
  if (!ctx.federation || profile.domain !== null || profile.status !== 'active') return null;
  const followers = await ctx.federation.follows.followerCount({ kind: 'member', name: profile.handle, member: profile });
  return { address: accountAddress(profile.handle, new URL(ctx.config.server.url).host), followers };
}
