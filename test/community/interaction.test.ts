import { expect } from 'chai';
import request from 'supertest';
import { GoneError, goneReason } from '../../src/community/interaction.js';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PostRow } from '../../src/community/post.table.js';
import type { SpaceRow } from '../../src/community/space.table.js';
import { csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember, type TestHearth } from '../helpers/hearth.js';

/** What the refusal was: GoneError's reason, another error's code, or 'ok'. */
const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof GoneError ? `gone:${e.reason}` : String((e as { code?: string }).code)),
  );

/**
 * Issue 13, fault 3: something gone (a removed or deleted post or thread, a closed poll, a
 * cancelled or finished event, an archived reward or product) takes no interaction, and
 * one rule (community/interaction.ts) says so for every service.
 */
describe('nothing acts on what is gone', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let mod: MemberRow;
  let ana: MemberRow;
  let bob: MemberRow;
  let general: SpaceRow;
  beforeEach(async () => {
    h = await makeHearth();
    owner = await makeMember(h, { handle: 'olga', role: 'owner' });
    mod = await makeMember(h, { handle: 'mod', role: 'moderator' });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    general = await generalSpace(h);
  });
  afterEach(() => h.destroy());
  const remove = (post: PostRow) => h.services.moderation.removePost(mod, post.id, 'Off-topic');

  it('the rule: each kind of target, and what is still open', () => {
    const now = '2026-11-29T12:00:00.000Z';
    const live = { deleted_at: null, removed_at: null };
    expect(goneReason({ post: live, thread: live }, now)).to.equal(null);
    expect(goneReason({ post: { ...live, removed_at: now } }, now)).to.equal('removed');
    expect(goneReason({ post: { ...live, deleted_at: now } }, now)).to.equal('deleted');
    expect(goneReason({ post: live, thread: { ...live, removed_at: now } }, now)).to.equal('thread_removed');
    expect(goneReason({ poll: { closes_at: now } }, now)).to.equal('poll_closed');
    expect(goneReason({ poll: { closes_at: '2026-11-30T00:00:00.000Z' } }, now)).to.equal(null);
    expect(goneReason({ event: { status: 'cancelled', ends_at: '2027-01-01T00:00:00.000Z' } }, now)).to.equal('event_cancelled');
    expect(goneReason({ event: { status: 'scheduled', ends_at: '2026-11-29T11:59:00.000Z' } }, now)).to.equal('event_over');
    expect(goneReason({ listing: { archived: 1 } }, now)).to.equal('archived');
    expect(goneReason({ listing: { archived_at: now } }, now)).to.equal('archived');
  });

  it('a removed thread: its poll takes no vote, and its replies no reply, reaction or edit', async () => {
    const thread = await h.services.polls.createThread(ana, general, { title: 'Which milk?', body: 'Vote!' }, { options: ['Oat', 'Whole'], multiple: false, closesInHours: 24, results: 'after_vote' });
    const reply = await h.services.posts.reply(bob, thread.id, { body: 'Oat.' });
    await remove(thread);
    const option = (await h.services.polls.view(thread.id, null))!.options[0]!.id;
    expect(await refusal(h.services.polls.vote(bob, thread.id, [option]))).to.equal('gone:removed');
    expect((await h.services.polls.view(thread.id, null))!.votersCount).to.equal(0);
    expect(await refusal(h.services.posts.reply(ana, reply.id, { body: 'Agreed.' }))).to.equal('gone:thread_removed');
    expect(await refusal(h.services.reactions.toggle(ana, reply.id, 'like'))).to.equal('gone:thread_removed');
    expect(await refusal(h.services.posts.edit(bob, reply.id, { body: 'Oat, really.' }))).to.equal('gone:thread_removed');
  });

  it('a removed question takes no accept; a removed idea no vote and no status change', async () => {
    const question = await h.services.questions.ask(ana, general, { title: 'Which grinder?', body: 'For espresso.' });
    const answer = await h.services.posts.reply(bob, question.id, { body: 'A burr grinder.' });
    await remove(question);
    expect(await refusal(h.services.questions.accept(ana, answer.id))).to.equal('gone:thread_removed');
    const board = await h.services.spaces.create(owner, { slug: 'ideas', name: 'Ideas', description: 'Next?', visibility: 'public', kind: 'ideas' });
    const idea = await h.services.ideas.propose(ana, board, { title: 'Oat milk', body: 'Because oat.' });
    await remove(idea);
    expect(await refusal(h.services.ideas.vote(bob, idea.id, 1))).to.equal('gone:removed');
    expect(await refusal(h.services.ideas.setStatus(mod, idea.id, 'planned', ''))).to.equal('gone:removed');
    expect((await h.services.ideas.get(idea.id))!.status).to.equal('open');
  });

  it('an archived reward is not redeemed, an archived product not reviewed, a finished event not answered', async () => {
    await h.services.ledger.adjust(owner, ana.id, 50, 'welcome');
    const reward = await h.services.rewards.create(owner, { title: 'Free latte', description: '', price: 10, stock: null, perMemberLimit: null, startsOn: null, endsOn: null });
    await h.services.rewards.archive(owner, reward.id);
    expect(await refusal(h.services.rewards.redeem(ana, reward.id))).to.equal('gone:archived');
    const product = await h.services.reviews.createProduct(owner, { name: 'Latte', description: '' });
    await h.services.reviews.updateProduct(owner, product.id, { name: 'Latte', description: '', archived: true });
    expect(await refusal(h.services.reviews.save(ana, product.id, { rating: 4, body: 'Nice.' }))).to.equal('gone:archived');
    const event = await h.services.events.create(mod, {
      spaceId: general.id, title: 'Cupping', description: '', startsLocal: '2026-01-01T10:00', endsLocal: '2026-01-01T12:00', timezone: 'UTC', address: '', onlineUrl: '', capacity: null,
    });
    expect(await refusal(h.services.events.rsvp(ana, event.id, 'going'))).to.equal('gone:event_over');
  });

  describe('pages', () => {
    it('a removed thread offers no reply, reaction or vote buttons, on it or on its replies', async () => {
      const thread = await h.services.polls.createThread(ana, general, { title: 'Which milk?', body: 'Vote!' }, { options: ['Oat', 'Whole'], multiple: false, closesInHours: 24, results: 'after_vote' });
      const reply = await h.services.posts.reply(bob, thread.id, { body: 'Oat.' });
      const agent = await loggedInAgent(h, 'bob');
      const before = await agent.get(`/p/${thread.id}`).expect(200);
      expect(before.text).to.contain(`action="/p/${reply.id}/react"`).and.contain(`action="/p/${thread.id}/vote"`);
      await remove(thread);
      const page = await agent.get(`/p/${thread.id}`).expect(200);
      expect(page.text).not.to.contain(`action="/p/${reply.id}/react"`);
      expect(page.text).not.to.contain(`action="/p/${reply.id}/reply"`);
      expect(page.text).not.to.contain(`action="/p/${thread.id}/reply"`);
      expect(page.text).not.to.contain(`action="/p/${thread.id}/vote"`);
      expect(page.text).not.to.contain(`href="/p/${reply.id}/edit"`);
      // And a form kept open from before is refused with the reason, not taken.
      const res = await agent.post(`/p/${reply.id}/react`).type('form').send({ _csrf: csrfFrom(before.text), kind: 'like' });
      expect(res.status).to.equal(409);
      expect(res.text).to.contain('removed by a moderator');
      // Nor where the reply is listed alone, on its author's page.
      const profile = await agent.get('/@bob').expect(200);
      expect(profile.text).to.contain(`id="p-${reply.id}"`).and.not.contain(`action="/p/${reply.id}/react"`);
      const visitor = await request(h.app).get(`/p/${thread.id}`).expect(200);
      expect(visitor.text).not.to.contain('Log in to vote.');
    });
  });
});
