import { Router } from 'express';
import { STORY_MOVES, type Submitter } from '../stories/story.service.js';
import type { WebContext } from './context.js';
import { type Confirmation, amount, confirmFirst, say } from './confirm.js';
import { field, idParam, renderFormError, requireMember, requireRole, submissionKey, wrap } from './handler.js';
import { RateLimiter, countCreations, limited } from './rate-limit.js';

/** Visitors may send a few stories an hour from one address (sent ones count, not form mistakes): enough for people, not for spam. */
const VISITOR_STORIES_PER_HOUR = 5;

/**
 * "Send us your story": the form, the editorial queue, and the community's published
 * stories. Nothing here exists while `modules.submissions` is off.
 */
export function storyRoutes(ctx: WebContext): Router {
  const router = Router();
  if (!ctx.config.modules.submissions) return router;
  const { render, services } = ctx;
  const stories = services.stories;
  const visitorsPerIp = new RateLimiter(VISITOR_STORIES_PER_HOUR, 60 * 60_000);
  const visitorsAllowed = () => ctx.config.submissions.visitors;

  router.get(
    '/stories',
    wrap(async (req, res) => {
      render(req, res, 'stories/list.njk', { stories: await stories.published() });
    }),
  );

  router.get(
    '/stories/:id',
    wrap(async (req, res) => {
      const viewer = req.member ? { id: req.member.id, role: req.member.role } : null;
      const story = await stories.getFor(viewer, idParam(req, 'That story'));
      render(req, res, 'stories/story.njk', { story, pageDescription: story.body_md });
    }),
  );

  const submitPage = async (memberId: number | null) => ({ mine: memberId === null ? [] : await stories.mine(memberId), visitors: visitorsAllowed() });

  router.get(
    '/submit',
    wrap(async (req, res) => {
      if (!req.member && !visitorsAllowed()) return void requireMember(req, res);
      render(req, res, 'stories/submit.njk', { ...(await submitPage(req.member?.id ?? null)), values: {}, errors: {}, sent: req.query.sent === '1' });
    }),
  );

  router.post(
    '/submit',
    wrap(async (req, res) => {
      const member = req.member;
      if (!member && !visitorsAllowed()) return void requireMember(req, res);
      try {
        const input = { title: field(req.body, 'title'), body: field(req.body, 'body'), key: submissionKey(req.body) };
        if (member) await stories.submit({ member }, input);
        else {
          const from: Submitter = { visitor: { name: field(req.body, 'name'), email: field(req.body, 'email') } };
          await limited([[visitorsPerIp, `ip:${req.ip}`]], countCreations(), () => stories.submit(from, input));
        }
        res.redirect(303, '/submit?sent=1');
      } catch (err) {
        if (!renderFormError(render, req, res, 'stories/submit.njk', err, await submitPage(member?.id ?? null))) throw err;
      }
    }),
  );

  router.post(
    '/submit/:id/withdraw',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = idParam(req, 'That story');
      // Only a story still waiting can be withdrawn: anything else gets the service's refusal at once.
      const waiting = (await stories.mine(member.id)).find((s) => s.id === id && s.status === 'submitted');
      const said = waiting !== undefined && confirmFirst(render, req, res, {
        question: waiting.title ? say`Withdraw your story “${waiting.title}”?` : say`Withdraw your story?`,
        consequence: say`The editors will not see it, and it is deleted. This cannot be undone: to send it again, write it again.`,
        confirmLabel: 'Withdraw', cancelHref: '/submit',
      });
      if (said) return;
      await stories.withdraw(member, id);
      res.redirect(303, '/submit');
    }),
  );

  router.get(
    '/editorial',
    wrap(async (req, res) => {
      const editor = requireRole(req, 'moderator');
      render(req, res, 'stories/editorial.njk', { queue: await stories.queue(editor), errors: {}, values: {} });
    }),
  );

  router.get(
    '/editorial/:id',
    wrap(async (req, res) => {
      const editor = requireRole(req, 'moderator');
      const story = await stories.getFor(editor, idParam(req, 'That story'));
      render(req, res, 'stories/edit.njk', { story, moves: STORY_MOVES[story.status], values: { title: story.title, body: story.body_md }, errors: {} });
    }),
  );

  // Edit, approve, reject and publish all come back to the story's editing page on bad input.
  // Reject and publish cannot be undone: `ask` checks the move (a refusal comes first) and
  // says what will happen, and the move runs only once that is confirmed.
  type Editor = ReturnType<typeof requireRole>;
  const step = (path: string, run: (editor: Editor, id: number, body: unknown) => Promise<unknown>, done: (id: number) => string, ask?: (editor: Editor, id: number, body: unknown) => Promise<Confirmation>) =>
    router.post(
      path,
      wrap(async (req, res) => {
        const editor = requireRole(req, 'moderator');
        const id = idParam(req, 'That story');
        try {
          if (ask && confirmFirst(render, req, res, await ask(editor, id, req.body))) return;
          await run(editor, id, req.body);
          res.redirect(303, done(id));
        } catch (err) {
          const story = await stories.getFor(editor, id);
          if (!renderFormError(render, req, res, 'stories/edit.njk', err, { story, moves: STORY_MOVES[story.status] })) throw err;
        }
      }),
    );
  const earns = (authorId: number | null): number => (authorId !== null && ctx.config.economy.enabled ? ctx.config.economy.earn.story_published : 0);
  step('/editorial/:id', (e, id, b) => stories.edit(e, id, { title: field(b, 'title'), body: field(b, 'body') }), (id) => `/editorial/${id}`);
  step('/editorial/:id/approve', (e, id, b) => stories.approve(e, id, field(b, 'note')), () => '/editorial');
  step('/editorial/:id/reject', (e, id, b) => stories.reject(e, id, field(b, 'reason')), () => '/editorial', async (e, id, b) => {
    const story = await stories.checkMove(e, id, 'reject', field(b, 'reason'));
    return {
      question: say`Reject “${story.title}” by ${story.byline.name}?`,
      consequence: say`It leaves the queue for good, and the author is told your reason. This cannot be undone.`,
      confirmLabel: 'Reject', cancelHref: `/editorial/${id}`,
    };
  });
  step('/editorial/:id/publish', (e, id) => stories.publish(e, id), (id) => `/stories/${id}`, async (e, id) => {
    const story = await stories.checkMove(e, id, 'publish');
    const pay = earns(story.author_id);
    const where = ctx.federation ? 'everyone here and the servers that follow the community' : 'everyone';
    return {
      question: say`Publish “${story.title}” by ${story.byline.name}?`,
      consequence: pay > 0
        ? say`It becomes the community's story for ${where}, and ${story.byline.name} is paid up to ${amount(pay)}. A published story cannot be taken back.`
        : say`It becomes the community's story for ${where}. A published story cannot be taken back.`,
      confirmLabel: 'Publish', cancelHref: `/editorial/${id}`,
    };
  });

  return router;
}
