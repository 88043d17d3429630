import { Router } from 'express';
import { ValidationError, notFound } from '../core/errors.js';
import { countsAsEarned } from '../rewards/standing-totals.js';
import { PERIODS, type Period } from '../rewards/standing.service.js';
import type { WebContext } from './context.js';
import { amount as currency, confirmFirst, say } from './confirm.js';
import { cursor, field, renderFormError, requireMember, requireRole, submissionKey, wrap } from './handler.js';

/** The wallet (balance, history, gifts, level, badges), leaderboards, and the admins' economy page (totals, grants, experts, CSV). */
export function economyRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services, config } = ctx;
  if (!config.economy.enabled) return router;
  const { ledger, standing } = services;

  const walletPage = async (memberId: number, before?: number) => ({
    balance: await ledger.balance(`member:${memberId}`),
    // Rows that came in without being earned (grants, gifts, refunds) are marked apart.
    history: await ledger.history(memberId, before).then((h) => ({ ...h, items: h.items.map((e) => ({ ...e, apart: e.signed > 0 && !countsAsEarned(e.kind) })) })),
    giftsAndGrants: await standing.giftsAndGrants(memberId),
    standing: await standing.of(memberId),
    badges: await services.achievements.held(memberId),
    allBadges: config.economy.badges,
  });

  router.get(
    '/wallet',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      render(req, res, 'wallet.njk', { ...(await walletPage(member.id, cursor(req.query.before))), values: {}, errors: {}, sent: req.query.sent === '1' });
    }),
  );

  router.post(
    '/wallet/gift',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      try {
        if (!config.economy.gifts) throw notFound('Gifts');
        const to = await services.members.findByHandle(field(req.body, 'to'));
        const toId = to && to.domain === null ? to.id : null;
        const amount = wholeNumber(field(req.body, 'amount'));
        // Every field's problem at once (checkGift), before the confirmation step is shown.
        const { balanceAfter } = await ledger.checkGift(member, toId, amount, field(req.body, 'note'), undefined, submissionKey(req.body));
        const said = confirmFirst(render, req, res, {
          question: say`Give ${currency(amount)} to ${to!.display_name} (@${to!.handle})?`,
          consequence: say`You will have ${currency(balanceAfter)} left. A gift cannot be taken back.`,
          confirmLabel: 'Give', cancelHref: '/wallet',
        });
        if (said) return;
        // A repeat of the same form (same one-time key) finds the first gift and gives nothing more.
        await ledger.gift(member, toId!, amount, field(req.body, 'note'), submissionKey(req.body));
        res.redirect(303, '/wallet?sent=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'wallet.njk', err, await walletPage(member.id))) throw err;
      }
    }),
  );

  router.get(
    '/leaderboard',
    wrap(async (req, res) => {
      const period: Period = PERIODS.includes(req.query.period as Period) ? (req.query.period as Period) : 'week';
      render(req, res, 'leaderboard.njk', { period, rows: await standing.leaderboard(period), mine: req.member ? await standing.of(req.member.id) : null });
    }),
  );

  const adminPage = async () => ({
    totals: await ledger.totals(), topEarners: await standing.leaderboard('all', 10), experts: await standing.appointed(), spaces: await services.spaces.listAll(), expertThreshold: config.economy.expert_threshold,
  });

  router.get(
    '/admin/economy',
    wrap(async (req, res) => {
      requireRole(req, 'admin');
      render(req, res, 'admin/economy.njk', { ...(await adminPage()), values: {}, errors: {}, saved: req.query.saved === '1' });
    }),
  );

  router.post(
    '/admin/economy/adjust',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      try {
        const member = await services.members.findByHandle(field(req.body, 'handle'));
        if (!member || member.domain !== null) throw new ValidationError({ handle: 'There is no member with that handle.' });
        const amount = wholeNumber(field(req.body, 'amount'));
        const { balanceAfter } = await ledger.checkAdjust(admin, member.id, amount, field(req.body, 'reason'), undefined, submissionKey(req.body));
        const said = confirmFirst(render, req, res, {
          question: amount > 0 ? say`Grant ${currency(amount)} to ${member.display_name} (@${member.handle})?` : say`Deduct ${currency(-amount)} from ${member.display_name} (@${member.handle})?`,
          consequence: say`They will have ${currency(balanceAfter)}. The ledger keeps every entry: a mistake is corrected by a new one, and the moderation log records it.`,
          confirmLabel: amount > 0 ? 'Grant' : 'Deduct', cancelHref: '/admin/economy',
        });
        if (said) return;
        await ledger.adjust(admin, member.id, amount, field(req.body, 'reason'), submissionKey(req.body));
        res.redirect(303, '/admin/economy?saved=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'admin/economy.njk', err, await adminPage())) throw err;
      }
    }),
  );

  router.post(
    '/admin/economy/experts',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      try {
        const member = await services.members.findByHandle(field(req.body, 'expert'));
        if (!member || member.domain !== null) throw new ValidationError({ expert: 'There is no member with that handle.' });
        const space = (await services.spaces.listAll()).find((s) => s.slug === field(req.body, 'space'));
        if (!space) throw new ValidationError({ space: 'Choose a space.' });
        await standing.appoint(admin, space.id, member.id, field(req.body, 'remove') !== '1');
        res.redirect(303, '/admin/economy?saved=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'admin/economy.njk', err, await adminPage())) throw err;
      }
    }),
  );

  // The whole ledger as CSV, streamed in pages so a large ledger never sits in memory.
  router.get(
    '/admin/economy/ledger.csv',
    wrap(async (req, res) => {
      requireRole(req, 'admin');
      res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="ledger.csv"' });
      res.write('id,created_at,kind,rule,debit,credit,amount,member_id,actor_id,reverses,source,reason\n');
      for (let after = 0; ; ) {
        const rows = await ledger.entries(after);
        if (!rows.length) break;
        for (const r of rows) {
          res.write([r.id, r.created_at, r.kind, r.rule, r.debit, r.credit, r.amount, r.member_id, r.actor_id, r.reverses, r.source, r.reason].map(csvCell).join(',') + '\n');
        }
        after = rows[rows.length - 1]!.id;
      }
      res.end();
    }),
  );
  return router;
}

/** A whole number from a form field, or NaN: for services that check it with the other fields. */
const wholeNumber = (raw: string): number => (/^-?\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : NaN);

/** Quotes a CSV cell, and defuses formulas (=, +, -, @) that spreadsheets would run. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) || s !== String(value) ? `"${s.replace(/"/g, '""')}"` : s;
}
