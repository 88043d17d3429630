import { type Request, Router } from 'express';
import { DomainError, ValidationError } from '../core/errors.js';
import type { RewardDraft } from '../rewards/reward.service.js';
import type { RewardRow } from '../rewards/reward.table.js';
import { wallet } from '../rewards/ledger.service.js';
import { checkImage, deleteImage, storeImage } from './avatar.js';
import type { WebContext } from './context.js';
import { CONFIRM_FIELD, amount, confirmFirst, say } from './confirm.js';
import { utcToZoned, zonedToUtc } from '../core/timezone.js';
import { field, idParam, renderFormError, requireMember, requireRole, submissionKey, wrap } from './handler.js';
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
        const { reward, balanceAfter } = await rewards.checkRedeem(member, idParam(req), undefined, submissionKey(req.body));
        const said = confirmFirst(render, req, res, {
          question: say`Redeem “${reward.title}” for ${amount(reward.price)}?`,
          consequence: say`You will have ${amount(balanceAfter)} left, and a voucher to show at the counter.`,
          confirmLabel: 'Redeem', cancelHref: `/rewards#reward-${reward.id}`,
        });
        if (said) return;
        // A repeat of the same form (same one-time key) answers the voucher it already bought.
        const voucher = await rewards.redeem(member, reward.id, submissionKey(req.body));
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

  /** The start of today at the counter (the community's zone), as a UTC instant. */
  const counterDayStart = (): string => {
    const tz = config.community.timezone;
    return zonedToUtc(`${utcToZoned(new Date().toISOString(), tz).slice(0, 10)}T00:00`, tz) ?? new Date().toISOString().slice(0, 10);
  };
  /** The counter page: a voucher looked up (or not), and the vouchers used there today. */
  const counterPage = async (data: Record<string, unknown>) => ({
    now: new Date().toISOString(), usedToday: await rewards.usedSince(counterDayStart()), values: {}, errors: {}, ...data,
  });

  // The counter, step one: opening a scanned QR code or typing a code (a GET form) only
  // looks the voucher up and shows what it is; using it is the separate "Use it" POST.
  router.get(
    '/vouchers/check',
    wrap(async (req, res) => {
      if (!req.member) return void res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      requireRole(req, 'moderator');
      const input = typeof req.query.t === 'string' ? req.query.t : typeof req.query.code === 'string' ? req.query.code : '';
      const voucher = input ? await rewards.find(input) : undefined;
      render(req, res, 'voucher-check.njk', await counterPage({ input, voucher, looked: Boolean(input), values: { code: voucher?.code ?? input.slice(0, 40) } }), input && !voucher ? 404 : 200);
    }),
  );

  // Step two: "Use it" (confirm=1) marks it used. A POST without the confirmation only
  // looks it up, like the GET: nothing is used that staff have not seen first.
  router.post(
    '/vouchers/check',
    wrap(async (req, res) => {
      const staff = requireRole(req, 'moderator');
      const input = field(req.body, 'code');
      const voucher = input ? await rewards.find(input) : undefined;
      try {
        if (!voucher) throw new DomainError('unknown_voucher', 404, 'No voucher has that code. Check it and try again.');
        if (field(req.body, CONFIRM_FIELD) !== '1') return render(req, res, 'voucher-check.njk', await counterPage({ voucher, looked: true, values: { code: voucher.code } }));
        const used = await rewards.use(staff, voucher.id, submissionKey(req.body));
        render(req, res, 'voucher-check.njk', await counterPage({ voucher: used, justUsed: true, looked: true }));
      } catch (err) {
        // Already used, expired, unknown: said plainly, with the voucher as it stands now.
        const latest = voucher ? await rewards.find(voucher.code) : undefined;
        if (!renderFormError(render, req, res, 'voucher-check.njk', err, await counterPage({ voucher: latest, looked: true }))) throw err;
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
