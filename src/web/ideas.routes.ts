import { Router } from 'express';
import { notFound } from '../core/errors.js';
import type { Vote } from '../ideas/idea.service.js';
import type { WebContext } from './context.js';
import { threadPageLoader } from './community.routes.js';
import { field, idParam, renderFormError, requireMember, wrap } from './handler.js';

const VOTES: Record<string, Vote> = { up: 1, down: -1, none: 0 };

/** Votes on ideas and their status; nothing here exists while `modules.ideas` is off. */
export function ideaRoutes(ctx: WebContext): Router {
  const router = Router();
  if (!ctx.config.modules.ideas) return router;
  const { services } = ctx;
  const threadPage = threadPageLoader(ctx);

  // One button per direction; pressing the one already chosen takes the vote back.
  router.post(
    '/p/:id/idea-vote',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = idParam(req, 'That idea');
      const value = VOTES[field(req.body, 'vote')];
      if (value === undefined) throw notFound('That vote');
      await services.ideas.vote(member, id, value);
      const back = field(req.body, 'back');
      res.redirect(303, back.startsWith('/s/') && !back.includes('//') ? `${back}#idea-${id}` : `/p/${id}#idea`);
    }),
  );

  router.post(
    '/p/:id/status',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = idParam(req, 'That idea');
      try {
        await services.ideas.setStatus(member, id, field(req.body, 'status'), field(req.body, 'note'));
        res.redirect(303, `/p/${id}#idea`);
      } catch (err) {
        // The note comes back in the status form with the message beside it.
        if (!renderFormError(ctx.render, req, res, 'post.njk', err, { ...(await threadPage(req, id)), statusForm: true })) throw err;
      }
    }),
  );

  return router;
}
