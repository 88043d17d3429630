import { randomInt } from 'node:crypto';
import { assertOpen } from '../community/interaction.js';
import { cleanLine, cleanText } from '../community/member.rules.js';
import { type Actor, atLeast } from '../community/roles.js';
import { DomainError, FieldErrors, forbidden, notFound } from '../core/errors.js';
import { isoIn, nowIso } from '../core/time.js';
import { zonedToUtc } from '../core/timezone.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { REDEMPTIONS, type LedgerService, submissionSource, wallet } from './ledger.service.js';
import type { RedemptionRow, RewardRow } from './reward.table.js';
import { type VoucherTokens, looksLikeToken } from './voucher-token.js';

/** What an admin fills in; numbers may come as form text ("" for none). */
export interface RewardDraft {
  title: string;
  description: string;
  price: string | number;
  /** Blank or null: unlimited. */
  stock: string | number | null;
  /** Blank or null: no limit. */
  perMemberLimit: string | number | null;
  /** YYYY-MM-DD in the community's zone, blank for no bound; the end day is included. */
  startsOn: string | null;
  endsOn: string | null;
}

export interface CatalogItem extends RewardRow {
  /** How many the viewer has redeemed. */
  mine: number;
  available: boolean;
}

export interface Voucher extends RedemptionRow {
  title: string;
  handle: string;
  displayName: string;
}

export const TITLE_MAX = 100;
export const DESCRIPTION_MAX = 2000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Crockford's base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The rewards catalog and redemption. A redemption is one transaction: the reward is
 * available, the member is under their limit, the stock goes down by one, the price moves
 * from the wallet to the redemption sink (the ledger refuses to overdraw), and a voucher
 * is written. Any refusal rolls all of it back; SQLite runs one write transaction at a
 * time, so the last item in stock goes to exactly one member.
 */
export class RewardService {
  constructor(
    private readonly db: Db,
    private readonly ledger: LedgerService,
    private readonly tokens: VoucherTokens,
    private readonly voucherDays: () => number,
    /** The community's IANA zone: the offer's first and last days are days on its clock. */
    private readonly zone: () => string = () => 'UTC',
  ) {}

  async create(admin: Actor, draft: RewardDraft, imageFile: string | null = null): Promise<RewardRow> {
    requireAdmin(admin);
    const values = parseDraft(draft, this.zone());
    const now = nowIso();
    return this.db
      .insertInto('rewards')
      .values({ ...values, image_file: imageFile, created_by: admin.id, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Saves an edit; `imageFile` undefined keeps the image. Answers the image file it replaced. */
  async update(admin: Actor, id: number, draft: RewardDraft, imageFile?: string | null): Promise<{ reward: RewardRow; replacedImage: string | null }> {
    requireAdmin(admin);
    const values = parseDraft(draft, this.zone());
    const before = await this.get(id);
    const reward = await this.db
      .updateTable('rewards')
      .set({ ...values, ...(imageFile !== undefined ? { image_file: imageFile } : {}), updated_at: nowIso() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { reward, replacedImage: imageFile !== undefined && before.image_file !== imageFile ? before.image_file : null };
  }

  /** Takes a reward off the catalog (vouchers already issued stay valid). */
  async archive(admin: Actor, id: number, archived = true): Promise<void> {
    requireAdmin(admin);
    await this.get(id);
    await this.db.updateTable('rewards').set({ archived: archived ? 1 : 0, updated_at: nowIso() }).where('id', '=', id).execute();
  }

  async get(id: number): Promise<RewardRow> {
    const reward = await this.db.selectFrom('rewards').selectAll().where('id', '=', id).executeTakeFirst();
    if (!reward) throw notFound('That reward');
    return reward;
  }

  /** Every reward, for the admin page, with how many were redeemed. */
  async all(): Promise<(RewardRow & { redeemed: number })[]> {
    return this.db
      .selectFrom('rewards as r')
      .selectAll('r')
      .select((eb) => eb.selectFrom('redemptions').select((e) => e.fn.countAll<number>().as('n')).whereRef('reward_id', '=', 'r.id').as('redeemed'))
      .orderBy('r.archived')
      .orderBy('r.id', 'desc')
      .execute()
      .then((rows) => rows.map((r) => ({ ...r, redeemed: Number(r.redeemed ?? 0) })));
  }

  /** What members see: rewards on offer now or soon, with how many the viewer has taken. */
  async catalog(memberId: number | null): Promise<CatalogItem[]> {
    const now = nowIso();
    const rows = await this.db
      .selectFrom('rewards as r')
      .selectAll('r')
      .select((eb) =>
        eb.selectFrom('redemptions').select((e) => e.fn.countAll<number>().as('n')).whereRef('reward_id', '=', 'r.id').where('member_id', '=', memberId ?? 0).as('mine'),
      )
      .where('r.archived', '=', 0)
      .where((eb) => eb.or([eb('r.ends_at', 'is', null), eb('r.ends_at', '>=', now)]))
      .orderBy('r.price')
      .orderBy('r.id')
      .execute();
    return rows.map((r) => {
      const mine = Number(r.mine ?? 0);
      return { ...r, mine, available: isOpen(r, now) && r.stock !== 0 && (r.per_member_limit === null || mine < r.per_member_limit) };
    });
  }

  /**
   * Checks a redemption without making it, for the confirmation step: answers the reward
   * and the wallet's balance after it. Throws what `redeem` throws (404, 409 with a reason),
   * except for a `key` that already redeemed (the same form again).
   */
  async checkRedeem(member: Actor, rewardId: number, db: DbOrTx = this.db, key: string | null = null): Promise<{ reward: RewardRow; balanceAfter: number }> {
    const reward = await db.selectFrom('rewards').selectAll().where('id', '=', rewardId).executeTakeFirst();
    if (!reward) throw notFound('That reward');
    // The same form sent again (a double click on Confirm): its voucher is the answer, even when
    // the stock or the member's limit is now used up by that very voucher.
    if (await this.ledger.prior(db, submissionSource('redeem', member.id, key))) return { reward, balanceAfter: await this.ledger.balance(wallet(member.id), db) };
    // An archived reward is gone (community/interaction.ts): 409 with the reason, not a 404.
    assertOpen({ listing: reward });
    if (!isOpen(reward, nowIso())) throw new DomainError('not_available', 409, 'This reward is not on offer right now.');
    if (reward.per_member_limit !== null) {
      const { n } = await db
        .selectFrom('redemptions')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('reward_id', '=', rewardId)
        .where('member_id', '=', member.id)
        .executeTakeFirstOrThrow();
      if (Number(n) >= reward.per_member_limit) {
        throw new DomainError('limit_reached', 409, `You have already redeemed this reward ${reward.per_member_limit === 1 ? 'once, the most allowed' : `${reward.per_member_limit} times, the most allowed`}.`);
      }
    }
    if (reward.stock === 0) throw new DomainError('out_of_stock', 409, 'Sorry, this reward has run out.');
    const balanceAfter = (await this.ledger.balance(wallet(member.id), db)) - reward.price;
    if (balanceAfter < 0) throw new DomainError('insufficient', 409, 'There is not enough in the wallet for that.');
    return { reward, balanceAfter };
  }

  /**
   * Spends from the member's wallet on a reward; answers the voucher. 409 with a reason
   * when it cannot. With a submission `key` (the form's one-time field), a repeat of the
   * same form answers the voucher the first one bought and spends nothing.
   */
  async redeem(member: Actor, rewardId: number, key: string | null = null): Promise<RedemptionRow> {
    return this.db.transaction().execute(async (trx) => {
      const submission = submissionSource('redeem', member.id, key);
      const done = await this.ledger.prior(trx, submission);
      if (done) return trx.selectFrom('redemptions').selectAll().where('ledger_entry_id', '=', done.id).executeTakeFirstOrThrow();
      const { reward } = await this.checkRedeem(member, rewardId, trx);
      if (reward.stock !== null) {
        const taken = await trx.updateTable('rewards').set((eb) => ({ stock: eb('stock', '-', 1) })).where('id', '=', rewardId).where('stock', '>', 0).executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 0) throw new DomainError('out_of_stock', 409, 'Sorry, this reward has run out.');
      }
      const code = newCode();
      const entry = await this.ledger.record(trx, {
        debit: wallet(member.id), credit: REDEMPTIONS, amount: reward.price, kind: 'redemption', reason: `Redeemed: ${reward.title}`,
        source: submission ?? `redemption:${code}`, memberId: member.id, actorId: member.id,
      });
      return trx
        .insertInto('redemptions')
        .values({ reward_id: rewardId, member_id: member.id, price: reward.price, ledger_entry_id: entry!.id, code, expires_at: isoIn(this.voucherDays() * 86_400_000), created_at: nowIso() })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  /** A member's vouchers, newest first. */
  vouchers(memberId: number): Promise<Voucher[]> {
    return this.voucherQuery().where('v.member_id', '=', memberId).orderBy('v.id', 'desc').limit(200).execute();
  }

  /** One voucher, to its owner (or staff). */
  async voucher(viewer: Actor, id: number): Promise<Voucher> {
    const v = await this.voucherQuery().where('v.id', '=', id).executeTakeFirst();
    if (!v || (v.member_id !== viewer.id && !atLeast(viewer.role, 'moderator'))) throw notFound('That voucher');
    return v;
  }

  /** The signed token a voucher's QR code carries. */
  token(v: RedemptionRow): Promise<string> {
    return this.tokens.sign(v);
  }

  /**
   * A voucher from what staff typed or scanned: its short code (forgiving case, spaces
   * and look-alike letters) or its signed token (which must carry this server's signature).
   */
  async find(input: string): Promise<Voucher | undefined> {
    const raw = input.trim();
    const code = looksLikeToken(raw) ? await this.tokens.codeOf(raw) : normalizeCode(raw);
    if (!code) return undefined;
    return this.voucherQuery().where('v.code', '=', code).executeTakeFirst();
  }

  /**
   * Marks a voucher used, once: the update only matches an unused row, so two staff
   * checking the same voucher at once see one success and one "already used".
   * `staff` is null when the server's operator checks it from the command line. With the
   * counter form's one-time `key`, a repeat of the same form answers the voucher as its
   * first submission used it, instead of "already used".
   */
  async use(staff: Actor | null, voucherId: number, key: string | null = null): Promise<Voucher> {
    if (staff && !atLeast(staff.role, 'moderator')) throw forbidden('Only staff can check vouchers.');
    const v = await this.voucherQuery().where('v.id', '=', voucherId).executeTakeFirst();
    if (!v) throw notFound('That voucher');
    if (v.used_at && key !== null && v.use_key === key) return v;
    if (v.used_at) throw new DomainError('already_used', 409, 'This voucher was already used.');
    const now = nowIso();
    if (v.expires_at < now) throw new DomainError('expired', 409, 'This voucher has expired.');
    const r = await this.db.updateTable('redemptions').set({ used_at: now, used_by: staff?.id ?? null, use_key: key }).where('id', '=', voucherId).where('used_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return this.use(staff, voucherId, key);
    return { ...v, used_at: now, used_by: staff?.id ?? null, use_key: key };
  }

  /** Vouchers used at or after `since` (ISO, UTC: the start of the counter's day), newest first. */
  usedSince(since: string, limit = 200): Promise<Voucher[]> {
    return this.voucherQuery().where('v.used_at', '>=', since).orderBy('v.used_at', 'desc').orderBy('v.id', 'desc').limit(limit).execute();
  }

  private voucherQuery() {
    return this.db
      .selectFrom('redemptions as v')
      .innerJoin('rewards as r', 'r.id', 'v.reward_id')
      .innerJoin('members as m', 'm.id', 'v.member_id')
      .selectAll('v')
      .select(['r.title', 'm.handle', 'm.display_name as displayName']);
  }
}

const requireAdmin = (actor: Actor) => {
  if (!atLeast(actor.role, 'admin')) throw forbidden('Only admins can change the rewards catalog.');
};

const isOpen = (r: Pick<RewardRow, 'starts_at' | 'ends_at'>, now: string) => (r.starts_at === null || r.starts_at <= now) && (r.ends_at === null || r.ends_at >= now);

/** XXXXX-XXXXX: 50 random bits, enough that guessing one is hopeless and typing one is easy. */
function newCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += CODE_ALPHABET[randomInt(32)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

export function normalizeCode(raw: string): string {
  const s = raw.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return s.length === 10 ? `${s.slice(0, 5)}-${s.slice(5)}` : s;
}

function parseDraft(d: RewardDraft, tz: string) {
  const errors = new FieldErrors();
  const title = cleanLine(d.title);
  const description = cleanText(d.description);
  if (!title) errors.add('title', 'Give the reward a title.');
  else if (title.length > TITLE_MAX) errors.add('title', `Keep the title under ${TITLE_MAX} characters.`);
  if (description.length > DESCRIPTION_MAX) errors.add('description', `Keep the description under ${DESCRIPTION_MAX} characters.`);
  const int = (v: string | number | null, field: string, min: number, message: string): number | null => {
    const s = typeof v === 'number' ? String(v) : (v ?? '').trim();
    if (s === '') return null;
    const n = /^\d{1,9}$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      errors.add(field, message);
      return null;
    }
    return n;
  };
  const price = int(d.price, 'price', 1, 'The price must be a whole number above zero.');
  if (price === null) errors.add('price', 'The price must be a whole number above zero.');
  const stock = int(d.stock, 'stock', 0, 'Stock must be a whole number, or blank for unlimited.');
  const perMemberLimit = int(d.perMemberLimit, 'perMemberLimit', 1, 'The limit must be a whole number above zero, or blank for none.');
  // A day's first instant on the community's clock; the last day runs to the next one's start.
  const day = (v: string | null, field: string, end: boolean): string | null => {
    const s = (v ?? '').trim();
    if (!s) return null;
    if (!DAY.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`))) {
      errors.add(field, 'Give a date as YYYY-MM-DD, or leave it blank.');
      return null;
    }
    if (!end) return zonedToUtc(`${s}T00:00`, tz);
    const next = new Date(Date.parse(`${s}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    return new Date(Date.parse(zonedToUtc(`${next}T00:00`, tz)!) - 1).toISOString();
  };
  const starts_at = day(d.startsOn, 'startsOn', false);
  const ends_at = day(d.endsOn, 'endsOn', true);
  if (starts_at && ends_at && ends_at < starts_at) errors.add('endsOn', 'The last day cannot be before the first.');
  errors.throwIfAny();
  return { title, description, price: price!, stock, per_member_limit: perMemberLimit, starts_at, ends_at };
}
