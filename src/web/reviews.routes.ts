import { Router } from 'express';
import { notFound } from '../core/errors.js';
import type { WebContext } from './context.js';
import { confirmFirst, say } from './confirm.js';
import { cursor, field, idParam, renderFormError, requireMember, requireRole, submissionKey, wrap } from './handler.js';

/** Products and services with members' reviews; nothing here exists while `modules.reviews` is off. */
export function reviewRoutes(ctx: WebContext): Router {
  const router = Router();
  if (!ctx.config.modules.reviews) return router;
  const { render, services } = ctx;
  const reviews = services.reviews;

  async function productPage(productId: number, memberId: number | null, page = 1) {
    const [product, list, mine] = await Promise.all([reviews.summary(productId), reviews.reviews(productId, page), memberId === null ? undefined : reviews.mine(productId, memberId)]);
    return { product, list, page, mine: mine ?? null };
  }

  router.get(
    '/products',
    wrap(async (req, res) => {
      render(req, res, 'reviews/list.njk', { products: await reviews.products() });
    }),
  );

  router.get(
    '/products/:id',
    wrap(async (req, res) => {
      const data = await productPage(idParam(req, 'That product'), req.member?.id ?? null, cursor(req.query.page) ?? 1);
      const values = data.mine ? { rating: String(data.mine.rating), body: data.mine.body_md } : {};
      render(req, res, 'reviews/product.njk', { ...data, values, errors: {} });
    }),
  );

  router.post(
    '/products/:id/review',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = idParam(req, 'That product');
      try {
        const { review } = await reviews.save(member, id, { rating: field(req.body, 'rating'), body: field(req.body, 'body') });
        res.redirect(303, `/products/${id}#review-${review.id}`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'reviews/product.njk', err, await productPage(id, member.id))) throw err;
      }
    }),
  );

  router.post(
    '/reviews/:id/delete',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = idParam(req, 'That review');
      // Who may delete it is checked first: a refusal comes before the question.
      const found = await reviews.checkDelete(member, id, field(req.body, 'reason'));
      const said = confirmFirst(render, req, res, {
        question: say`Delete this review?`, consequence: say`Its stars and words are gone for everyone. This cannot be undone.`,
        confirmLabel: 'Delete', cancelHref: `/products/${found.product_id}`,
      });
      if (said) return;
      const review = await reviews.delete(member, id, field(req.body, 'reason'));
      res.redirect(303, `/products/${review.product_id}`);
    }),
  );

  // A review's own address (its id on the fediverse) leads to it on its product's page.
  router.get(
    '/reviews/:id',
    wrap(async (req, res) => {
      const review = await reviews.get(idParam(req, 'That review'));
      if (!review) throw notFound('That review');
      res.redirect(`/products/${review.product_id}#review-${review.id}`);
    }),
  );

  router.get(
    '/admin/products',
    wrap(async (req, res) => {
      requireRole(req, 'admin');
      render(req, res, 'admin/products.njk', { products: await reviews.products({ archived: true }), values: {}, errors: {} });
    }),
  );

  router.post(
    '/admin/products',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      try {
        const product = await reviews.createProduct(admin, { name: field(req.body, 'name'), description: field(req.body, 'description') }, submissionKey(req.body));
        res.redirect(303, `/products/${product.id}`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'admin/products.njk', err, { products: await reviews.products({ archived: true }) })) throw err;
      }
    }),
  );

  router.post(
    '/admin/products/:id',
    wrap(async (req, res) => {
      const admin = requireRole(req, 'admin');
      const id = idParam(req, 'That product');
      try {
        await reviews.updateProduct(admin, id, { name: field(req.body, 'name'), description: field(req.body, 'description'), archived: field(req.body, 'archived') === '1' });
        res.redirect(303, '/admin/products');
      } catch (err) {
        if (!renderFormError(render, req, res, 'admin/products.njk', err, { products: await reviews.products({ archived: true }) })) throw err;
      }
    }),
  );

  return router;
}
