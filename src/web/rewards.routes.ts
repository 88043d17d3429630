import { type Request, Router } from 'express';
import { DomainError, ValidationError } from '../core/errors.js';
import { utcToZoned } from '../core/timezone.js';
import type { RewardDraft } from '../rewards/reward.service.js';
import type { RewardRow } from '../rewards/reward.table.js';
import { wallet } from '../rewards/ledger.service.js';
import { checkImage, deleteImage, storeImage } from './avatar.js';
import type { WebContext } from './context.js';
import { field, idParam, renderFormError, requireMember, requireRole, wrap } from './handler.js';
import { qrSvg } from './qr.js';

/** The rewards catalog, redemption, members' vouchers, the staff's voucher check, and the admins' catalog pages. */
export function rewardRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services, config } = ctx;
  if (!config.economy.enabled) return router;
  const { rewards, ledger } = services;

  const catalogPage = async (memberId: number | null) => ({
    rewards: await rewards.catalog(memberId),
    balance: memberId === null ? null : await ledger.balance(wallet(memberId)),
  });

  router.get(
    '/rewards',
    wrap(async (req, res) => {
      render(req, res, 'rewards.njk', { ...(await catalogPage(req.member?.id ?? null)), errors: {} });
    }),
  );

  router.post(
    '/rewards/:id/redeem',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      try {
        const voucher = await rewards.redeem(member, idParam(req));
        res.redirect(303, `/vouchers/${voucher.id}?new=1`);
      } catch (err) {
        // Out of stock, over the limit, not enough in the wallet: 409 with the reason above the catalog.
        if (!renderFormError(render, req, res, 'rewards.njk', err, await catalogPage(member.id))) throw err;
      }
    }),
  );

  router.get(
    '/vouchers',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      render(req, res, 'vouchers.njk', { vouchers: await rewards.vouchers(member.id), now: new Date().toISOString() });
    }),
  );

  router.get(
    '/vouchers/check',
    wrap(async (req, res) => {
      if (!req.member) return void res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      requireRole(req, 'moderator');
      // Opening a scanned QR code (or typing a code) shows the voucher; using it is a separate POST.
      const input = typeof req.query.t === 'string' ? req.query.t : typeof req.query.code === 'string' ? req.query.code : '';
      const voucher = input ? await rewards.find(input) : undefined;
      render(
        req, res, 'voucher-check.njk',
        { input, voucher, looked: Boolean(input), now: new Date().toISOString(), values: { code: voucher?.code ?? '' }, errors: {} },
        input && !voucher ? 404 : 200,
      );
    }),
  );

  router.post(
    '/vouchers/check',
    wrap(async (req, res) => {
      const staff = requireRole(req, 'moderator');
      const input = field(req.body, 'code');
      const voucher = input ? await rewards.find(input) : undefined;
      const now = new Date().toISOString();
      try {
        if (!voucher) throw new DomainError('unknown_voucher', 404, 'No voucher has that code. Check it and try again.');
        const used = await rewards.use(staff, voucher.id);
        render(req, res, 'voucher-check.njk', { voucher: used, justUsed: true, looked: true, now, values: {}, errors: {} });
      } catch (err) {
        // Already used, expired, unknown: said plainly, with the voucher as it stands now.
        const latest = voucher ? await rewards.find(voucher.code) : undefined;
        if (!renderFormError(render, req, res, 'voucher-check.njk', err, { voucher: latest, looked: true, now })) throw err;
      }
    }),
  );

  router.get(
    '/vouchers/:id',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      const voucher = await rewards.voucher(member, idParam(req));
      const checkUrl = `${config.server.url}/vouchers/check?t=${await rewards.token(voucher)}`;
      render(req, res, 'voucher.njk', {
        voucher, qr: qrSvg(checkUrl, `QR code for voucher ${voucher.code}`), isNew: req.query.new === '1', now: new Date().toISOString(),
      });
    }),
  );

  // Admin: the catalog.
  const adminPage = async () => ({ rewards: await rewards.all() });
  const draftFrom = (body: unknown): RewardDraft => ({
    title: field(body, 'title'), description: field(body, 'description'), price: field(body, 'price'),
    stock: field(body, 'stock'), perMemberLimit: field(body, 'perMemberLimit'), startsOn: field(body, 'startsOn'), endsOn: field(body, 'endsOn'),
  });
  /** The uploaded image, checked by its bytes before anything is written. */
  const imageOf = (req: Request) => {
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    if (files.some((f) => f.fieldname !== 'image')) throw new ValidationError({ image: 'Send the picture in the image field.' });
    const file = files.find((f) => f.size > 0);
    if (file) checkImage(file.buffer, 'image', ctx.config.limits.avatar_max_kb);
    return file;
  };
  const valuesOf = (r: RewardRow) => ({
    title: r.title, description: r.description, price: String(r.price), stock: r.stock === null ? '' : String(r.stock),
    perMemberLimit: r.per_member_limit === null ? '' : String(r.per_member_limit), startsOn: r.starts_at ? utcToZoned(r.starts_at, config.community.timezone).slice(0, 10) : '', endsOn: r.ends_at ? utcToZoned(r.ends_at, config.community.timezone).slice(0, 10) : '',
  });

  router.get(
    '/admin/rewards',
    wrap(async (req, res) => {
      requireRole(req, 'admin');
      render(req, res, 'admin/rewards.njk', { ...(await adminPage()), values: {}, errors: {}, saved: req.query.saved === '1' });
    }),
  );

  router.post(
    '/admin/rewards',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      try {
        const file = imageOf(req);
        const draft = draftFrom(req.body);
        const image = file ? await storeImage(ctx.uploadsDir, 'rewards', file.buffer, 'image') : null;
        try {
          await rewards.create(admin, draft, image);
        } catch (err) {
          await deleteImage(ctx.uploadsDir, 'rewards', image);
          throw err;
        }
        res.redirect(303, '/admin/rewards?saved=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'admin/rewards.njk', err, await adminPage())) throw err;
      }
    }),
  );

  router.get(
    '/admin/rewards/:id',
    wrap(async (req, res) => {
      requireRole(req, 'admin');
      const reward = await rewards.get(idParam(req));
      render(req, res, 'admin/reward-edit.njk', { reward, values: valuesOf(reward), errors: {} });
    }),
  );

  router.post(
    '/admin/rewards/:id',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      const reward = await rewards.get(idParam(req));
      try {
        const file = imageOf(req);
        const draft = draftFrom(req.body);
        const remove = field(req.body, 'removeImage') === '1';
        const image = file ? await storeImage(ctx.uploadsDir, 'rewards', file.buffer, 'image') : remove ? null : undefined;
        const { replacedImage } = await rewards.update(admin, reward.id, draft, image).catch(async (err) => {
          if (image) await deleteImage(ctx.uploadsDir, 'rewards', image);
          throw err;
        });
        await deleteImage(ctx.uploadsDir, 'rewards', replacedImage);
        res.redirect(303, '/admin/rewards?saved=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'admin/reward-edit.njk', err, { reward })) throw err;
      }
    }),
  );

  router.post(
    '/admin/rewards/:id/archive',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      await rewards.archive(admin, idParam(req), field(req.body, 'archived') !== '0');
      res.redirect(303, '/admin/rewards?saved=1');
    }),
  );
  return router;
}
