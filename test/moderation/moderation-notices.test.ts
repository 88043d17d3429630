import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import request from 'supertest';
import { PASSWORD, type TestHearth, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember, settleDomain } from '../helpers/hearth.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { withoutIsolates } from '../helpers/isolates.js';

// Issue 13, faults 8 and 12: every staff action on a member is told to that member with
// its reason and cost, and the moderation log reads as sentences, not codes.
describe('moderation: the member is told, the log is in words', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let mod: MemberRow;
  let ana: MemberRow;
  const notices = async (m: MemberRow) => (await h.services.notifications.list(m.id)).items.map((n) => ({ text: withoutIsolates(n.text), link: n.link }));
  // Visible text of a page: no tags, no attributes (codes may stay in data-* attributes).
  const visible = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/&#39;|&rsquo;/g, '’').replace(/\s+/g, ' ');

  beforeEach(async () => {
    h = await makeHearth({ economy: { badges: [], currency_name: 'cup of coffee', currency_plural: 'cups of coffee' } });
    owner = await makeMember(h, { role: 'owner', handle: 'own' });
    mod = await makeMember(h, { role: 'moderator', handle: 'mo' });
    ana = await makeMember(h, { handle: 'ana' });
  });
  afterEach(() => h.destroy());

  it('tells the author of a removed post why, and what it cost them', async () => {
    const post = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Opening hours', body: 'We open at 7' });
    await settleDomain(h);
    expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(5);
    await h.services.moderation.removePost(mod, post.id, 'off-topic');
    await settleDomain(h);
    expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(0);
    expect(await notices(ana)).to.deep.include({
      text: 'A moderator removed your post “Opening hours”: off-topic. The 5 cups of coffee it earned were taken back.',
      link: `/p/${post.id}`,
    });
  });

  it('tells a member of a suspension, a deduction, a grant and a new role, even with every kind muted', async () => {
    await h.services.notifications.saveSettings(ana.id, { muted: ['reply', 'mention', 'reaction', 'rsvp', 'idea', 'answer', 'badge', 'submission'], email: '', digest: false }, false);
    await h.services.ledger.adjust(owner, ana.id, 25, 'Helped at the market');
    await h.services.ledger.adjust(owner, ana.id, -10, 'Double-counted');
    await h.services.moderation.setRole(owner, ana.id, 'moderator');
    await h.services.moderation.setRole(owner, ana.id, 'member');
    await h.services.moderation.suspend(mod, ana.id, 'spam in the general space');
    await settleDomain(h);
    expect((await notices(ana)).map((n) => n.text)).to.deep.equal([
      'A moderator suspended your account: spam in the general space.',
      'An admin made you a member (you were a moderator).',
      'An admin made you a moderator (you were a member).',
      'An admin took 10 cups of coffee from your wallet: Double-counted.',
      'An admin gave you 25 cups of coffee: Helped at the market.',
    ]);
    // Nobody is told about what they did to themselves, and the actor hears nothing.
    expect(await notices(mod)).to.deep.equal([]);
  });

  it('tells the author of a review a moderator removed, and logs it in words', async () => {
    const product = await h.services.reviews.createProduct(owner, { name: 'Flat white', description: '' });
    const { review } = await h.services.reviews.save(ana, product.id, { rating: 1, body: 'Buy elsewhere!!!' });
    await h.services.reviews.delete(mod, review.id, 'advertising');
    await settleDomain(h);
    expect((await notices(ana)).map((n) => n.text)).to.deep.equal(['A moderator removed your review of “Flat white”: advertising.']);
    const [entry] = await h.services.moderation.readLog(owner);
    expect(entry).to.include({ action: 'review.remove', reason: 'advertising' });
    // Taking back one's own review is no moderation.
    const { review: own } = await h.services.reviews.save(ana, product.id, { rating: 4, body: 'Better now' });
    await h.services.reviews.delete(ana, own.id);
    expect((await h.services.moderation.readLog(owner)).length).to.equal(1);
  });

  it('shows the log as sentences in the community’s words, codes kept only as data', async () => {
    const post = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Opening hours', body: 'We open at 7' });
    await settleDomain(h);
    await h.services.moderation.removePost(mod, post.id, 'off-topic');
    await h.services.ledger.adjust(owner, ana.id, 25, 'Helped at the market');
    await h.services.moderation.suspend(mod, ana.id, 'spam');
    await h.services.moderation.unsuspend(mod, ana.id);
    await settleDomain(h);
    const log = await h.services.moderation.readLog(owner);
    expect(log.map((e) => e.action)).to.deep.equal(['member.unsuspend', 'member.suspend', 'economy.grant', 'post.remove']);
    const page = withoutIsolates(visible((await (await loggedInAgent(h, 'own')).get('/admin/log').expect(200)).text));
    expect(page).to.contain('@mo removed @ana’s post “Opening hours”: off-topic. 5 cups of coffee it had earned were taken back.');
    expect(page).to.contain('@own gave @ana 25 cups of coffee: Helped at the market.');
    expect(page).to.contain('@mo suspended @ana: spam.');
    expect(page).to.contain('@mo lifted @ana’s suspension.');
    for (const code of ['post.remove', 'economy.grant', 'member.suspend', 'member.unsuspend']) expect(page).to.not.contain(code);
  });

  it('tells a suspended member why when they try to log in (they cannot open their notifications)', async () => {
    await h.services.moderation.suspend(mod, ana.id, 'spam links');
    const agent = request.agent(h.app);
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), handle: 'ana', password: PASSWORD });
    expect(res.status).to.equal(403);
    // The reason is the member's words inside ours: isolated, so its direction cannot turn the sentence around.
    expect(res.text).to.contain('This account is suspended: \u2068spam links\u2069. A moderator can lift the suspension');
    const wrong = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), handle: 'ana', password: 'not the password' });
    expect(wrong.text).not.to.contain('spam links');
  });
});
