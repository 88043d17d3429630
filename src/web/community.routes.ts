import { accountAddress } from '../community/handle.js';
import { isLive } from '../community/post.service.js';
import { Router, type Request } from 'express';
import { ValidationError, forbidden, notFound } from '../core/errors.js';
import type { Viewer } from '../community/roles.js';
import type { PostView } from '../community/post.views.js';
import type { PollInput } from '../polls/poll.service.js';
import type { SpaceRow } from '../community/space.table.js';
import { IDEA_SORTS, type IdeaSort } from '../ideas/idea.service.js';
import { IDEA_STATUSES, STATUS_LABELS, type IdeaStatus } from '../ideas/idea.table.js';
import type { WebContext } from './context.js';
import { amount as currency, confirmFirst, say } from './confirm.js';
import { cursor, field, idParam, renderFormError, requireMember, submissionKey, wrap } from './handler.js';

const viewerOf = (req: Request): Viewer => (req.member ? { id: req.member.id, role: req.member.role } : null);

const postId = (req: Request): number => idParam(req, 'That post');

/** The poll fields of the new-thread form. */
function pollFrom(body: unknown): PollInput {
  const results = field(body, 'pollResults');
  return {
    options: field(body, 'pollOptions').split(/\r?\n/),
    multiple: field(body, 'pollMultiple') === '1',
    closesInHours: Number(field(body, 'pollCloses')) || 0,
    results: results === 'after_close' ? 'after_close' : 'after_vote',
  };
}

/** Puts each local author's level, and the expert mark for this space, beside their name. */
async function markAuthors(ctx: WebContext, spaceId: number, roots: PostView[]): Promise<void> {
  const all: PostView[] = [];
  const walk = (p: PostView) => {
    all.push(p);
    p.children.forEach(walk);
  };
  roots.forEach(walk);
  const local = all.filter((p) => p.author.id !== null && p.author.remoteUrl === null);
  const marks = await ctx.services.standing.marks(spaceId, local.map((p) => p.author.id!));
  for (const p of local) p.author.mark = marks.get(p.author.id!);
}

/**
 * Everything a thread page shows: the posts, and the poll, idea or question it carries.
 * Other routers use it to draw a thread again with a refused form's errors (see renderFormError).
 */
export const threadPageLoader = (ctx: WebContext) =>
  async function threadPage(req: Request, rootId: number, after?: number) {
    const { services, config } = ctx;
    const modules = config.modules;
    const viewer = viewerOf(req);
    const question = modules.qa ? await services.questions.view(rootId, viewer) : null;
    const thread = await services.postViews.thread(rootId, viewer, after, { first: question?.acceptedId });
    if (!thread) throw notFound('That post');
    const { space } = await services.posts.getVisible(viewer, rootId);
    if (config.economy.enabled) await markAuthors(ctx, space.id, [thread.root, ...thread.replies]);
    const poll = modules.polls ? await services.polls.view(rootId, viewer?.id ?? null) : null;
    const idea = modules.ideas && space.kind === 'ideas' ? await services.ideas.view(rootId, viewer) : null;
    return { thread, poll, idea, question, statusLabels: STATUS_LABELS };
  };

/** Home, spaces, threads: reading, writing, replying, editing, deleting, reacting, removing. */
export function communityRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services } = ctx;
  const modules = ctx.config.modules;
  /** An idea board is one only while the module is on; otherwise its ideas read as plain threads. */
  const isBoard = (space: SpaceRow) => modules.ideas && space.kind === 'ideas';

  const threadPage = threadPageLoader(ctx);

  /** What the board shows: ideas sorted top, trending or new, optionally by status, a page at a time. */
  async function boardData(req: Request, space: SpaceRow) {
    const sort = (IDEA_SORTS as readonly string[]).includes(String(req.query.sort)) ? (req.query.sort as IdeaSort) : 'top';
    const filter = (IDEA_STATUSES as readonly string[]).includes(String(req.query.status)) ? (req.query.status as IdeaStatus) : undefined;
    const page = cursor(req.query.page) ?? 1;
    const list = await services.ideas.list(space.id, viewerOf(req), { sort, status: filter, page });
    return { space, list, sort, filter, page, statuses: IDEA_STATUSES, statusLabels: STATUS_LABELS };
  }

  router.get(
    '/',
    wrap(async (req, res) => {
      const viewer = viewerOf(req);
      const before = cursor(req.query.before);
      const [page, spaces] = await Promise.all([services.postViews.home(viewer, before), services.spaces.listVisible(viewer)]);
      render(req, res, 'home.njk', { page, spaces, before });
    }),
  );

  router.get(
    '/spaces',
    wrap(async (req, res) => {
      render(req, res, 'spaces.njk', { spaces: await services.spaces.listVisible(viewerOf(req)) });
    }),
  );

  router.get(
    '/s/:slug',
    wrap(async (req, res) => {
      const viewer = viewerOf(req);
      const space = await services.spaces.getVisible(viewer, req.params.slug ?? '');
      const fed = ctx.federation;
      const fediverse =
        fed && space.visibility === 'public'
          ? {
              address: accountAddress(fed.actors.spaceName(space), new URL(ctx.config.server.url).host),
              followers: await fed.follows.followerCount({ kind: 'space', name: fed.actors.spaceName(space), space, community: space.slug === 'general' }),
            }
          : null;
      if (isBoard(space)) return render(req, res, 'ideas/board.njk', { ...(await boardData(req, space)), fediverse, values: {}, errors: {} });
      const before = cursor(req.query.before);
      const page = await services.postViews.space(space.id, viewer, before);
      render(req, res, 'space.njk', { space, page, before, values: {}, errors: {}, fediverse });
    }),
  );

  router.post(
    '/s/:slug',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const space = await services.spaces.getVisible(member, req.params.slug ?? '');
      try {
        // The form's one-time key: the same form sent twice answers the thread the first send made.
        const input = { title: field(req.body, 'title'), body: field(req.body, 'body'), key: submissionKey(req.body) };
        const pollOptions = field(req.body, 'pollOptions');
        const post = isBoard(space)
          ? await services.ideas.propose(member, space, input)
          : ctx.config.modules.qa && field(req.body, 'question') === '1'
            ? await services.questions.ask(member, space, input)
            : ctx.config.modules.polls && pollOptions.trim()
            ? await services.polls.createThread(member, space, input, pollFrom(req.body)).catch((err) => {
                // The poll's fields have their own names on this form.
                if (err instanceof ValidationError && err.fields.options) throw new ValidationError({ ...err.fields, pollOptions: err.fields.options });
                throw err;
              })
            : await services.posts.createThread(member, space, input);
        res.redirect(303, `/p/${post.id}`);
      } catch (err) {
        if (isBoard(space)) {
          if (!renderFormError(render, req, res, 'ideas/board.njk', err, await boardData(req, space))) throw err;
          return;
        }
        const page = await services.postViews.space(space.id, member);
        if (!renderFormError(render, req, res, 'space.njk', err, { space, page })) throw err;
      }
    }),
  );

  router.get(
    '/p/:id',
    wrap(async (req, res) => {
      const viewer = viewerOf(req);
      const { post } = await services.posts.getVisible(viewer, postId(req));
      // A reply's own address shows its whole thread, scrolled to it.
      if (post.root_id !== null && post.root_id !== post.id) return res.redirect(`/p/${post.root_id}#p-${post.id}`);
      render(req, res, 'post.njk', { ...(await threadPage(req, post.id, cursor(req.query.after))), values: {}, errors: {}, pageDescription: isLive(post) ? post.body_md : null });
    }),
  );

  router.post(
    '/p/:id/reply',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = postId(req);
      try {
        const reply = await services.posts.reply(member, id, { body: field(req.body, 'body'), key: submissionKey(req.body) });
        res.redirect(303, `/p/${reply.root_id}#p-${reply.id}`);
      } catch (err) {
        const { post } = await services.posts.getVisible(member, id);
        const rootId = post.root_id ?? post.id;
        if (!renderFormError(render, req, res, 'post.njk', err, { ...(await threadPage(req, rootId)), replyTo: id })) throw err;
      }
    }),
  );

  router.post(
    '/p/:id/vote',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      if (!ctx.config.modules.polls) throw notFound();
      const { post } = await services.posts.getVisible(member, postId(req));
      const raw = (req.body as Record<string, unknown>).option;
      const chosen = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string' && /^\d{1,15}$/.test(v)).map(Number);
      try {
        await services.polls.vote(member, post.id, chosen);
        res.redirect(303, `/p/${post.id}#poll`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'post.njk', err, await threadPage(req, post.id))) throw err;
      }
    }),
  );

  router.get(
    '/p/:id/edit',
    wrap(async (req, res) => {
      const member = requireMember(req, res);
      if (!member) return;
      const { post } = await services.posts.getVisible(member, postId(req));
      if (post.author_id !== member.id) throw forbidden('Only the author can edit a post.');
      await services.posts.getOpen(member, post.id);
      render(req, res, 'post-edit.njk', { post, values: { title: post.title ?? '', body: post.body_md }, errors: {} });
    }),
  );

  router.post(
    '/p/:id/edit',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = postId(req);
      try {
        const post = await services.posts.edit(member, id, { title: field(req.body, 'title'), body: field(req.body, 'body') });
        res.redirect(303, `/p/${post.root_id}#p-${post.id}`);
      } catch (err) {
        const { post } = await services.posts.getVisible(member, id);
        if (!renderFormError(render, req, res, 'post-edit.njk', err, { post })) throw err;
      }
    }),
  );

  router.post(
    '/p/:id/delete',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const { post, space } = await services.posts.getVisible(member, postId(req));
      const said = post.author_id === member.id && isLive(post) && confirmFirst(render, req, res, {
        question: post.title ? say`Delete your post “${post.title}”?` : say`Delete your post?`,
        consequence: say`It is gone for everyone, and what it earned you is taken back. This cannot be undone.`,
        confirmLabel: 'Delete', cancelHref: `/p/${post.root_id ?? post.id}#p-${post.id}`,
      });
      if (said) return;
      await services.posts.delete(member, post.id);
      res.redirect(303, post.parent_id === null ? `/s/${space.slug}` : `/p/${post.root_id}#p-${post.id}`);
    }),
  );

  router.post(
    '/p/:id/react',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = postId(req);
      // The button says the state it asks for ("like:on"), so pressing it twice leaves the
      // reaction as the first press did; a bare `kind` (a page from before) toggles.
      const [kind, state] = field(req.body, 'reaction').split(':');
      if (kind) await services.reactions.set(member, id, kind, state !== 'off');
      else await services.reactions.toggle(member, id, field(req.body, 'kind'));
      const { post } = await services.posts.getVisible(member, id);
      res.redirect(303, `/p/${post.root_id ?? post.id}#p-${post.id}`);
    }),
  );

  router.post(
    '/p/:id/remove',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = postId(req);
      const { post } = await services.posts.getVisible(member, id);
      const rootId = post.root_id ?? post.id;
      try {
        // The reason is checked first, so a missing one is refused beside its box, not after the question.
        const check = await services.moderation.checkRemovePost(member, id, field(req.body, 'reason'));
        const whose = check.author ? say`@${check.author}’s post` : say`this post`;
        const said = check.live && confirmFirst(render, req, res, {
          question: post.title ? [...say`Remove `, ...whose, ...say` “${post.title}”?`] : [...say`Remove `, ...whose, '?'],
          consequence: check.cost > 0
            ? [...say`They are told why, and the ${currency(check.cost)} it earned `, check.cost === 1 ? 'is' : 'are', ' taken back. This cannot be undone.']
            : say`It is replaced by your reason for everyone, and they are told why. This cannot be undone.`,
          confirmLabel: 'Remove', cancelHref: `/p/${rootId}#p-${post.id}`,
        });
        if (said) return;
        await services.moderation.removePost(member, id, field(req.body, 'reason'));
        res.redirect(303, `/p/${rootId}#p-${post.id}`);
      } catch (err) {
        // The reason comes back beside its box, under the post it was for.
        if (!renderFormError(render, req, res, 'post.njk', err, { ...(await threadPage(req, rootId)), removeFor: id })) throw err;
      }
    }),
  );

  return router;
}
