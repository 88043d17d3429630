import type { EventBus } from '../core/event-bus.js';
import { sql } from 'kysely';
import { cleanText } from '../community/member.rules.js';
import { type Actor, atLeast } from '../community/roles.js';
import { DomainError, FieldErrors, forbidden, notFound } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { writeModerationLog } from '../moderation/moderation.service.js';
import type { EntryKind, LedgerEntryRow } from './ledger.table.js';
import type { StandingMismatch, StandingTotals } from './standing-totals.js';

/** The community's side of every movement: currency is issued from here and comes back here. */
export const ISSUING = 'community:issuing';
/** Where redeemed currency goes: spent on rewards, out of circulation. */
export const REDEMPTIONS = 'community:redemptions';
export const wallet = (memberId: number): string => `member:${memberId}`;
/** Whether an account is a member's wallet (which may never go below zero). */
const isWallet = (account: string): boolean => account.startsWith('member:');

export interface Movement {
  debit: string;
  credit: string;
  amount: number;
  kind: EntryKind;
  reason: string;
  rule?: string | null;
  source?: string | null;
  memberId: number | null;
  actorId?: number | null;
  reverses?: number | null;
}

export interface LedgerTotals {
  issued: number;
  redeemed: number;
  outstanding: number;
  topEarners: { memberId: number; handle: string; displayName: string; balance: number }[];
}

export const REASON_MAX = 300;

/** What a form submission that moves currency is: the key names it within its kind and actor. */
export type SubmissionKind = 'redeem' | 'gift' | 'adjust';

/**
 * The ledger `source` of a form submission that carries a one-time key (the form's hidden
 * `_once` field): `gift:<actor id>:<key>`. `source` is unique, so a second submission of the
 * same form (a double click, a resend after a lost answer) finds the first one's entry
 * instead of moving currency again; null when the submission has no key.
 */
export const submissionSource = (kind: SubmissionKind, actorId: number, key: string | null | undefined): string | null =>
  key ? `${kind}:${actorId}:${key}` : null;
const PAGE = 50;

/**
 * The currency ledger, kept like a small bank's: append-only double entry. Every
 * movement is one entry debiting one account and crediting another, written with the
 * two balances it changes in one transaction; wallets can never go below zero (the
 * database refuses it). Balances are a cache that `audit()` proves equal to the entries;
 * standing (StandingTotals) is kept in the same transaction and audited the same way.
 */
export class LedgerService {
  constructor(
    private readonly db: Db,
    /** Standing kept beside the balances: told of every entry in its transaction. */
    private readonly standingTotals: StandingTotals,
    /** Told of grants and deductions (`moderation.logged`) so the member hears of them. */
    private readonly bus: EventBus | null = null,
  ) {}

  /**
   * Writes one movement inside the caller's transaction, with the two balances and the
   * kept standing it changes. A duplicate `source` answers null. Throws 422
   * `invalid_amount`, 409 `insufficient` (a wallet would go below zero).
   */
  async record(trx: DbOrTx, m: Movement): Promise<LedgerEntryRow | null> {
    if (!Number.isSafeInteger(m.amount) || m.amount <= 0) throw new DomainError('invalid_amount', 422, 'The amount must be a whole number above zero.');
    const now = nowIso();
    const entry = await trx
      .insertInto('ledger_entries')
      .values({
        debit: m.debit, credit: m.credit, amount: m.amount, kind: m.kind, rule: m.rule ?? null, reason: m.reason.slice(0, REASON_MAX),
        source: m.source ?? null, member_id: m.memberId, actor_id: m.actorId ?? null, reverses: m.reverses ?? null, day: now.slice(0, 10), created_at: now,
      })
      .onConflict((oc) => oc.column('source').where('source', 'is not', null).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!entry) return null;
    if (isWallet(m.debit)) {
      await this.move(trx, m.debit, -m.amount);
      await this.move(trx, m.credit, m.amount);
    } else {
      // Issuing (awards, grants) or a refund: no wallet goes down, so both balances change in one upsert.
      await trx
        .insertInto('ledger_balances')
        .values([{ account: m.debit, balance: -m.amount }, { account: m.credit, balance: m.amount }])
        .onConflict((oc) => oc.column('account').doUpdateSet((eb) => ({ balance: eb('ledger_balances.balance', '+', eb.ref('excluded.balance')) })))
        .execute();
    }
    await this.standingTotals.entryWritten(trx, entry);
    return entry;
  }

  /** The entry an earlier submission with this source wrote, if any (see `submissionSource`). */
  async prior(trx: DbOrTx, source: string | null): Promise<LedgerEntryRow | undefined> {
    if (!source) return undefined;
    return trx.selectFrom('ledger_entries').selectAll().where('source', '=', source).executeTakeFirst();
  }

  private async move(trx: DbOrTx, account: string, delta: number): Promise<void> {
    try {
      // SQLite checks a row's CHECK constraints before an upsert's conflict clause, so a
      // withdrawal is an UPDATE (the wallet must exist and stay at or above zero).
      if (delta < 0) {
        const r = await trx.updateTable('ledger_balances').set((eb) => ({ balance: eb('balance', '+', delta) })).where('account', '=', account).executeTakeFirst();
        if (Number(r.numUpdatedRows) > 0) return;
      }
      await trx
        .insertInto('ledger_balances')
        .values({ account, balance: delta })
        .onConflict((oc) => oc.column('account').doUpdateSet((eb) => ({ balance: eb('ledger_balances.balance', '+', delta) })))
        .execute();
    } catch (err) {
      if (String(err).includes('ledger_wallet_not_negative')) throw new DomainError('insufficient', 409, 'There is not enough in the wallet for that.');
      throw err;
    }
  }

  async balance(account: string, db: DbOrTx = this.db): Promise<number> {
    const row = await db.selectFrom('ledger_balances').select('balance').where('account', '=', account).executeTakeFirst();
    return row?.balance ?? 0;
  }

  /** A member's history, newest first, a page at a time (`before` is an entry id). */
  async history(memberId: number, before?: number): Promise<{ items: (LedgerEntryRow & { signed: number })[]; next: number | null }> {
    let q = this.db.selectFrom('ledger_entries').selectAll().where('member_id', '=', memberId).orderBy('id', 'desc').limit(PAGE + 1);
    if (before) q = q.where('id', '<', before);
    const rows = await q.execute();
    const items = rows.slice(0, PAGE).map((r) => ({ ...r, signed: r.credit === wallet(memberId) ? r.amount : -r.amount }));
    return { items, next: rows.length > PAGE ? items[items.length - 1]!.id : null };
  }

  /**
   * Takes an award back (content removed, deleted): a new entry in the other direction,
   * at most what the wallet still holds, since a wallet never goes below zero.
   */
  async reverse(trx: DbOrTx, source: string, reason: string): Promise<LedgerEntryRow | null> {
    const original = await trx.selectFrom('ledger_entries').selectAll().where('source', '=', source).executeTakeFirst();
    if (!original || original.kind !== 'award' || original.member_id === null) return null;
    const already = await trx.selectFrom('ledger_entries').select('id').where('reverses', '=', original.id).executeTakeFirst();
    if (already) return null;
    const amount = Math.min(original.amount, await this.balance(original.credit, trx));
    if (amount <= 0) return null;
    return this.record(trx, {
      debit: original.credit, credit: original.debit, amount, kind: 'reversal', rule: original.rule, reason,
      source: `reversal:${source}`, memberId: original.member_id, reverses: original.id,
    });
  }

  /**
   * Checks an admin's grant (positive) or deduction (negative) without writing it, for the
   * confirmation step: answers the member's balance after it. Throws what `adjust` throws,
   * except for a `key` that already made an entry (the same form again): then nothing is refused.
   */
  async checkAdjust(admin: Actor, memberId: number, amount: number, rawReason: string, db: DbOrTx = this.db, key: string | null = null): Promise<{ reason: string; balanceAfter: number }> {
    if (!atLeast(admin.role, 'admin')) throw forbidden('Only admins can grant or deduct currency.');
    const reason = cleanText(rawReason);
    // The same form sent again (a double click on Confirm): its first entry is the answer, not a new refusal.
    if (await this.prior(db, submissionSource('adjust', admin.id, key))) return { reason, balanceAfter: await this.balance(wallet(memberId), db) };
    const errors = new FieldErrors();
    if (!Number.isSafeInteger(amount) || amount === 0) errors.add('amount', 'Give a whole number, positive to grant or negative to deduct.');
    if (!reason) errors.add('reason', 'Say why: the reason is kept in the moderation log.');
    errors.throwIfAny();
    const member = await db.selectFrom('members').select(['id', 'domain']).where('id', '=', memberId).executeTakeFirst();
    if (!member || member.domain !== null) throw notFound('That member');
    const balanceAfter = (await this.balance(wallet(memberId), db)) + amount;
    if (balanceAfter < 0) throw new DomainError('insufficient', 409, 'There is not enough in the wallet for that.');
    return { reason, balanceAfter };
  }

  /**
   * An admin adds (positive) or takes (negative) currency, with a reason in the moderation
   * log (the member is told through `moderation.logged`). With a submission `key`, a repeat
   * of the same form answers the first entry and writes nothing.
   */
  async adjust(admin: Actor, memberId: number, amount: number, rawReason: string, key: string | null = null): Promise<LedgerEntryRow> {
    const { entry, entryId } = await this.db.transaction().execute(async (trx) => {
      const source = submissionSource('adjust', admin.id, key);
      const done = await this.prior(trx, source);
      if (done) return { entry: done, entryId: null };
      const { reason } = await this.checkAdjust(admin, memberId, amount, rawReason, trx);
      const grant = amount > 0;
      const entry = await this.record(trx, {
        debit: grant ? ISSUING : wallet(memberId), credit: grant ? wallet(memberId) : ISSUING, amount: Math.abs(amount),
        kind: grant ? 'grant' : 'deduction', reason, source, memberId, actorId: admin.id,
      });
      const entryId = await writeModerationLog(trx, admin.id, grant ? 'economy.grant' : 'economy.deduct', { member: memberId, reason, details: String(Math.abs(amount)) });
      return { entry: entry!, entryId };
    });
    if (entryId !== null) this.bus?.emit('moderation.logged', { entryId });
    return entry;
  }

  /**
   * Checks a gift without giving it, for the confirmation step: answers the giver's balance
   * after it. Every field's problem comes at once (422): `toMemberId` null is a handle that
   * names no local member. Then 404 (member gone), 409 `insufficient`.
   */
  async checkGift(from: Actor, toMemberId: number | null, amount: number, rawNote: string, db: DbOrTx = this.db, key: string | null = null): Promise<{ balanceAfter: number }> {
    // The same form sent again: the first gift is the answer (the wallet may no longer cover a second).
    if (await this.prior(db, submissionSource('gift', from.id, key))) return { balanceAfter: await this.balance(wallet(from.id), db) };
    const errors = new FieldErrors();
    if (toMemberId === null) errors.add('to', 'There is no member with that handle.');
    if (!Number.isSafeInteger(amount) || amount <= 0) errors.add('amount', 'Give a whole number above zero.');
    if (toMemberId === from.id) errors.add('to', 'You cannot give to yourself.');
    if (rawNote.length > REASON_MAX) errors.add('note', `Keep the note under ${REASON_MAX} characters.`);
    errors.throwIfAny();
    if (toMemberId === null) throw new Error('unreachable: a missing recipient is a field error above');
    const to = await db.selectFrom('members').select(['id', 'domain', 'status']).where('id', '=', toMemberId).executeTakeFirst();
    if (!to || to.domain !== null || to.status !== 'active') throw notFound('That member');
    const balanceAfter = (await this.balance(wallet(from.id), db)) - amount;
    if (balanceAfter < 0) throw new DomainError('insufficient', 409, 'There is not enough in the wallet for that.');
    return { balanceAfter };
  }

  /**
   * One member gives another some of theirs (when the owner allows gifts). With a
   * submission `key`, a repeat of the same form answers the first gift and gives nothing.
   */
  async gift(from: Actor, toMemberId: number, amount: number, rawNote: string, key: string | null = null): Promise<LedgerEntryRow> {
    return this.db.transaction().execute(async (trx) => {
      const source = submissionSource('gift', from.id, key);
      const done = await this.prior(trx, source);
      if (done) return done;
      await this.checkGift(from, toMemberId, amount, rawNote, trx);
      const entry = await this.record(trx, {
        debit: wallet(from.id), credit: wallet(toMemberId), amount, kind: 'gift', reason: cleanText(rawNote) || 'A gift', source, memberId: toMemberId, actorId: from.id,
      });
      return entry!;
    });
  }

  /**
   * Issued, redeemed and outstanding, and the members holding the most. Outstanding is
   * what neither community account holds: in double entry all accounts sum to zero, so the
   * wallets together hold -(issuing + redemptions) without reading every wallet (the audit
   * proves the sum). The top holders are read from the `ledger_balances_top` index.
   */
  async totals(): Promise<LedgerTotals> {
    const issuedRow = await this.balance(ISSUING);
    const redeemed = await this.balance(REDEMPTIONS);
    const top = await this.db
      .selectFrom('ledger_balances as b')
      .innerJoin('members as m', (j) => j.on(sql<boolean>`m.id = cast(substr(b.account, 8) as integer)`))
      .select(['m.id as memberId', 'm.handle', 'm.display_name as displayName', 'b.balance'])
      .where('b.account', 'like', 'member:%')
      .where('b.balance', '>', 0)
      .orderBy('b.balance', 'desc')
      .limit(10)
      .execute();
    return { issued: -issuedRow, redeemed, outstanding: -issuedRow - redeemed, topEarners: top };
  }

  /**
   * The economy audit (`hearth economy audit`, the tests, the bench): the proof that
   * balances and standing are only caches. Every account's cached balance against the sum
   * of its entries (`mismatches`), the sum over all accounts (`total`, zero in double
   * entry), and every kept standing total against the ledger and achievements (`standing`).
   */
  async audit(): Promise<{ mismatches: { account: string; cached: number; computed: number }[]; standing: StandingMismatch[]; total: number }> {
    // One read transaction: a snapshot, so writes made meanwhile (a live server) are not differences.
    return this.db.transaction().execute(async (db) => {
      const computed = await db
        .selectFrom((eb) =>
          eb
            .selectFrom('ledger_entries')
            .select(['credit as account', 'amount as delta'])
            .unionAll(eb.selectFrom('ledger_entries').select(['debit as account', (e) => e.neg(e.ref('amount')).as('delta')]))
            .as('moves'),
        )
        .select(['account', (eb) => eb.fn.sum<number>('delta').as('balance')])
        .groupBy('account')
        .execute();
      const cached = new Map((await db.selectFrom('ledger_balances').selectAll().execute()).map((b) => [b.account, b.balance]));
      const mismatches: { account: string; cached: number; computed: number }[] = [];
      let total = 0;
      for (const row of computed) {
        const sum = Number(row.balance);
        total += sum;
        if ((cached.get(row.account) ?? 0) !== sum) mismatches.push({ account: row.account, cached: cached.get(row.account) ?? 0, computed: sum });
        cached.delete(row.account);
      }
      for (const [account, balance] of cached) if (balance !== 0) mismatches.push({ account, cached: balance, computed: 0 });
      return { mismatches, standing: await this.standingTotals.audit(db), total };
    });
  }

  /** Every entry, oldest first, for the CSV export. */
  entries(afterId = 0, limit = 5000): Promise<LedgerEntryRow[]> {
    return this.db.selectFrom('ledger_entries').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  }
}
