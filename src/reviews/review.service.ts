import { renderWithMentions } from '../community/markdown.js';
import { assertOpen } from '../community/interaction.js';
import { cleanLine, cleanText } from '../community/member.rules.js';
import { type Actor, atLeast } from '../community/roles.js';
import { formatNumber } from '../core/format.js';
import { FieldErrors, forbidden, notFound } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import { once } from '../core/once.js';
import { nowIso } from '../core/time.js';
import type { Db } from '../db/schema.js';
import { optionalReason, writeModerationLog } from '../moderation/moderation.service.js';
import type { ProductRow, ReviewRow } from './review.table.js';

export const NAME_MAX = 120;
export const DESCRIPTION_MAX = 2000;
export const REVIEW_MAX = 5000;
const PAGE = 30;

export interface ProductSummary extends ProductRow {
  /** Mean rating to one decimal, null without reviews. */
  average: number | null;
  count: number;
}

export interface ReviewView extends ReviewRow {
  handle: string;
  domain: string | null;
  displayName: string;
}

/** "★★★★☆": the rating as stars, for pages and for the text other servers show. */
export const stars = (rating: number): string => '★'.repeat(rating) + '☆'.repeat(5 - rating);

/**
 * Reviews: the owner (admins) lists products and services; each member leaves at most one
 * review per product (a unique index, so two tabs cannot make two), which they can edit or
 * delete; moderators can delete any.
 */
export class ReviewService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {}

  /** Lists a product; with the form's one-time `key`, the same form sent again answers the first product. */
  async createProduct(actor: Actor, input: { name: string; description: string }, key: string | null = null): Promise<ProductRow> {
    if (!atLeast(actor.role, 'admin')) throw forbidden('Only admins can list products.');
    const { name, description } = checkProduct(input);
    const prior = () => (key ? this.db.selectFrom('products').selectAll().where('created_by', '=', actor.id).where('submission_key', '=', key).executeTakeFirst() : Promise.resolve(undefined));
    // No transaction needed: a racing twin that inserts between the lookup and the insert is
    // refused by the unique index, and `once` reads the winner's product.
    return (await once(async () => {
      const done = await prior();
      if (done) return { row: done, fresh: false };
      const row = await this.db.insertInto('products').values({ name, description, created_by: actor.id, created_at: nowIso(), archived_at: null, submission_key: key }).returningAll().executeTakeFirstOrThrow();
      return { row, fresh: true };
    }, prior)).row;
  }

  async updateProduct(actor: Actor, id: number, input: { name: string; description: string; archived: boolean }): Promise<ProductRow> {
    if (!atLeast(actor.role, 'admin')) throw forbidden('Only admins can change products.');
    const { name, description } = checkProduct(input);
    const current = await this.product(id);
    const archived_at = input.archived ? (current.archived_at ?? nowIso()) : null;
    return this.db.updateTable('products').set({ name, description, archived_at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  async product(id: number): Promise<ProductRow> {
    const row = Number.isSafeInteger(id) ? await this.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw notFound('That product');
    return row;
  }

  /** Products with their average rating and number of reviews; archived ones only when asked. */
  async products(opts: { archived?: boolean } = {}): Promise<ProductSummary[]> {
    let q = this.db
      .selectFrom('products as p')
      .leftJoin('reviews as r', 'r.product_id', 'p.id')
      .selectAll('p')
      .select((eb) => [eb.fn.avg<number | null>('r.rating').as('average'), eb.fn.count<number>('r.id').as('count')])
      .groupBy('p.id')
      .orderBy('p.name');
    if (!opts.archived) q = q.where('p.archived_at', 'is', null);
    return (await q.execute()).map((p) => ({ ...p, average: p.average === null ? null : Math.round(Number(p.average) * 10) / 10, count: Number(p.count) }));
  }

  async summary(productId: number): Promise<ProductSummary> {
    const product = await this.product(productId);
    const agg = await this.db
      .selectFrom('reviews')
      .select((eb) => [eb.fn.avg<number | null>('rating').as('average'), eb.fn.countAll<number>().as('count')])
      .where('product_id', '=', productId)
      .executeTakeFirstOrThrow();
    return { ...product, average: agg.average === null ? null : Math.round(Number(agg.average) * 10) / 10, count: Number(agg.count) };
  }

  /** Newest reviews first, with their authors. */
  async reviews(productId: number, page = 1): Promise<{ items: ReviewView[]; more: boolean }> {
    const rows = await this.db
      .selectFrom('reviews as r')
      .innerJoin('members as m', 'm.id', 'r.member_id')
      .selectAll('r')
      .select(['m.handle', 'm.domain', 'm.display_name as displayName'])
      .where('r.product_id', '=', productId)
      .orderBy('r.updated_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(PAGE + 1)
      .offset((Math.max(1, page) - 1) * PAGE)
      .execute();
    return { items: rows.slice(0, PAGE), more: rows.length > PAGE };
  }

  async mine(productId: number, memberId: number): Promise<ReviewRow | undefined> {
    return this.db.selectFrom('reviews').selectAll().where('product_id', '=', productId).where('member_id', '=', memberId).executeTakeFirst();
  }

  async get(id: number): Promise<ReviewRow | undefined> {
    return Number.isSafeInteger(id) ? this.db.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  }

  /** Writes the member's review of the product, or replaces their earlier one. */
  async save(member: Actor, productId: number, input: { rating: string | number; body: string }): Promise<{ review: ReviewRow; created: boolean }> {
    const errors = new FieldErrors();
    const rating = Number(input.rating);
    const body = cleanText(input.body);
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) errors.add('rating', 'Choose a rating from 1 to 5 stars.');
    if (!body) errors.add('body', 'Say something about it: what you liked, what could be better.');
    else if (body.length > REVIEW_MAX) errors.add('body', `Keep a review under ${formatNumber(REVIEW_MAX)} characters.`);
    errors.throwIfAny();
    const html = await renderWithMentions(this.db, body);
    const now = nowIso();
    const result = await this.db.transaction().execute(async (trx) => {
      const product = await trx.selectFrom('products').selectAll().where('id', '=', productId).executeTakeFirst();
      if (!product) throw notFound('That product');
      assertOpen({ listing: product });
      const existing = await trx.selectFrom('reviews').select('id').where('product_id', '=', productId).where('member_id', '=', member.id).executeTakeFirst();
      if (existing) {
        const review = await trx.updateTable('reviews').set({ rating, body_md: body, body_html: html, updated_at: now }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
        return { review, created: false };
      }
      const review = await trx
        .insertInto('reviews')
        .values({ product_id: productId, member_id: member.id, rating, body_md: body, body_html: html, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { review, created: true };
    });
    this.bus.emit('review.saved', { reviewId: result.review.id, productId, memberId: member.id, created: result.created });
    return result;
  }

  /**
   * The author takes their review back, or a moderator removes it: then it is a moderation
   * action, logged with its reason (and the product's name as details) and told to the
   * author through `moderation.logged`.
   */
  /**
   * Checks a deletion without writing it, for the confirmation step (src/web/confirm.ts), so
   * a refusal comes before the question: 404 for no review, 403 unless its author or a
   * moderator. Answers the review.
   */
  async checkDelete(actor: Actor, reviewId: number, rawReason = ''): Promise<ReviewRow> {
    optionalReason(rawReason);
    const review = await this.get(reviewId);
    if (!review) throw notFound('That review');
    if (review.member_id !== actor.id && !atLeast(actor.role, 'moderator')) throw forbidden('Only its author or a moderator can delete a review.');
    return review;
  }

  async delete(actor: Actor, reviewId: number, rawReason = ''): Promise<ReviewRow> {
    const review = await this.checkDelete(actor, reviewId, rawReason);
    const byStaff = review.member_id !== actor.id;
    const entryId = await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('reviews').where('id', '=', reviewId).execute();
      if (!byStaff) return null;
      const product = await trx.selectFrom('products').select('name').where('id', '=', review.product_id).executeTakeFirst();
      return writeModerationLog(trx, actor.id, 'review.remove', { member: review.member_id, reason: optionalReason(rawReason), details: product?.name ?? '' });
    });
    this.bus.emit('review.deleted', { reviewId, productId: review.product_id, memberId: review.member_id });
    if (entryId !== null) this.bus.emit('moderation.logged', { entryId });
    return review;
  }
}

function checkProduct(input: { name: string; description: string }): { name: string; description: string } {
  const errors = new FieldErrors();
  const name = cleanLine(input.name);
  const description = cleanText(input.description);
  if (!name) errors.add('name', 'Give the product or service a name.');
  else if (name.length > NAME_MAX) errors.add('name', `Keep the name under ${NAME_MAX} characters.`);
  if (description.length > DESCRIPTION_MAX) errors.add('description', `Keep the description under ${DESCRIPTION_MAX} characters.`);
  errors.throwIfAny();
  return { name, description };
}
