import { Router } from 'express';
import type { WebContext } from './context.js';
import { idParam, requireMember, wrap } from './handler.js';

/** Accepting answers; nothing here exists while `modules.qa` is off. */
export function qaRoutes(ctx: WebContext): Router {
  const router = Router();
  if (!ctx.config.modules.qa) return router;
  const { services } = ctx;

  router.post(
    '/p/:id/accept',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = idParam(req, 'That answer');
      await services.questions.accept(member, id);
      const { post } = await services.posts.getVisible(member, id);
      res.redirect(303, `/p/${post.root_id ?? post.id}#p-${post.id}`);
    }),
  );

  router.post(
    '/p/:id/unaccept',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = idParam(req, 'That question');
      await services.questions.unaccept(member, id);
      res.redirect(303, `/p/${id}`);
    }),
  );

  return router;
}
