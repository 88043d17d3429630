import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { hiddenFields } from '../helpers/forms.js';
import { type TestHearth, codeOf, generalSpace, loggedInAgent, makeHearth, makeMember, settleDomain, submit } from '../helpers/hearth.js';

// Issue 13, fault 9, staff side: a moderator's removal, an editor's reject and publish, and an
// admin's refusal of a sign-up cannot be undone, so each asks first (confirmFirst), naming what
// it acts on and what follows; the service's checks (a reason, the state) refuse before asking.
describe('staff actions that cannot be undone ask first', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let ana: MemberRow;
  const visible = (html: string) => html.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ');
  const asks = (html: string) => expect(html).to.contain('name="confirm" value="1"').and.contain('>Go back<');

  beforeEach(async () => {
    h = await makeHearth({ economy: { badges: [], currency_name: 'cup of coffee', currency_plural: 'cups of coffee' } });
    owner = await makeMember(h, { role: 'owner', handle: 'own' });
    await makeMember(h, { role: 'moderator', handle: 'mo' });
    ana = await makeMember(h, { handle: 'ana', displayName: 'Ana' });
  });
  afterEach(() => h.destroy());

  describe('a moderator removes a post', () => {
    it('names the author, the post and what it earned, and removes nothing until confirmed', async () => {
      const post = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Opening hours', body: 'We open at 7' });
      await settleDomain(h);
      expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(5);
      const mo = await loggedInAgent(h, 'mo');
      const asked = await submit(mo, `/p/${post.id}`, `/p/${post.id}/remove`, { reason: 'off-topic' });
      expect(asked.status).to.equal(200);
      asks(asked.text);
      expect(visible(asked.text)).to.contain('Remove @ana’s post “Opening hours”?')
        .and.contain('They are told why, and the 5 cups of coffee ★ it earned are taken back. This cannot be undone.');
      expect(asked.text).to.contain(`href="/p/${post.id}#p-${post.id}"`);
      // Nothing happened yet: the post stands, the cups stay, nothing is logged.
      expect((await h.services.posts.getVisible(null, post.id)).post.removed_at).to.equal(null);
      expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(5);
      expect(await h.services.moderation.readLog(owner)).to.deep.equal([]);

      // The confirmation carries the reason; confirming removes with it.
      expect(hiddenFields(asked.text, `/p/${post.id}/remove`)).to.include({ reason: 'off-topic', confirm: '1' });
      await mo.post(`/p/${post.id}/remove`).type('form').send(hiddenFields(asked.text, `/p/${post.id}/remove`)).expect(303);
      expect((await h.services.posts.getVisible(null, post.id)).post.removed_at).to.not.equal(null);
      expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(0);
    });

    it('refuses a missing reason beside its box before asking anything', async () => {
      const post = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Opening hours', body: 'We open at 7' });
      const mo = await loggedInAgent(h, 'mo');
      const refused = await submit(mo, `/p/${post.id}`, `/p/${post.id}/remove`, { reason: '   ' });
      expect(refused.status).to.equal(422);
      expect(refused.text).to.contain(`id="e-reason-${post.id}"`).and.contain('Give a reason').and.not.contain('name="confirm"');
      // A member without the role is refused, not asked.
      const member = await loggedInAgent(h, 'ana');
      expect((await submit(member, `/p/${post.id}`, `/p/${post.id}/remove`, { reason: 'mine' })).status).to.equal(403);
    });

    it('a post that earned nothing gets a general sentence', async () => {
      const post = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Hello', body: 'Hi' });
      await settleDomain(h);
      await h.services.ledger.adjust(owner, ana.id, -5, 'spent elsewhere'); // the wallet is empty: nothing can be taken
      const mo = await loggedInAgent(h, 'mo');
      const asked = await submit(mo, `/p/${post.id}`, `/p/${post.id}/remove`, { reason: 'spam' });
      expect(visible(asked.text)).to.contain('Remove @ana’s post “Hello”?').and.contain('they are told why. This cannot be undone.').and.not.contain('taken back');
    });
  });

  describe('an editor rejects or publishes a story', () => {
    it('publish names the story, its author and what they are paid, and publishes only when confirmed', async () => {
      const s = await h.services.stories.submit({ member: ana }, { title: 'How I met my barista', body: 'Rain.' });
      await h.services.stories.approve(owner, s.id, '');
      const mo = await loggedInAgent(h, 'mo');
      const asked = await submit(mo, `/editorial/${s.id}`, `/editorial/${s.id}/publish`, {});
      expect(asked.status).to.equal(200);
      asks(asked.text);
      expect(visible(asked.text)).to.contain('Publish “How I met my barista” by Ana?')
        .and.contain('Ana is paid up to 15 cups of coffee ★. A published story cannot be taken back.');
      expect((await h.services.stories.getFor(owner, s.id)).status).to.equal('approved');
      await mo.post(`/editorial/${s.id}/publish`).type('form').send(hiddenFields(asked.text, `/editorial/${s.id}/publish`)).expect(303);
      expect((await h.services.stories.getFor(owner, s.id)).status).to.equal('published');
      // Published is final: the next try is refused, not asked.
      const again = await submit(mo, '/editorial', `/editorial/${s.id}/publish`, {});
      expect(again.status).to.equal(409);
      expect(again.text).to.not.contain('name="confirm"');
    });

    it('reject checks the reason first, then names the story, and rejects only when confirmed', async () => {
      const s = await h.services.stories.submit({ member: ana }, { title: 'Too short', body: 'Hi.' });
      const mo = await loggedInAgent(h, 'mo');
      const noReason = await submit(mo, `/editorial/${s.id}`, `/editorial/${s.id}/reject`, { reason: '' });
      expect(noReason.status).to.equal(422);
      expect(noReason.text).to.contain('Tell the author why').and.not.contain('name="confirm"');
      const asked = await submit(mo, `/editorial/${s.id}`, `/editorial/${s.id}/reject`, { reason: 'Tell us more.' });
      expect(asked.status).to.equal(200);
      asks(asked.text);
      expect(visible(asked.text)).to.contain('Reject “Too short” by Ana?').and.contain('the author is told your reason. This cannot be undone.');
      expect((await h.services.stories.getFor(owner, s.id)).status).to.equal('submitted');
      await mo.post(`/editorial/${s.id}/reject`).type('form').send(hiddenFields(asked.text, `/editorial/${s.id}/reject`)).expect(303);
      const rejected = await h.services.stories.getFor(owner, s.id);
      expect(rejected).to.include({ status: 'rejected', reject_reason: 'Tell us more.' });
    });
  });

  describe('an admin declines a sign-up', () => {
    it('names who is turned away and declines only when confirmed; approving (reversible by suspending) acts at once', async () => {
      const wendy = await makeMember(h, { handle: 'wendy', displayName: 'Wendy' });
      const vic = await makeMember(h, { handle: 'vic' });
      await h.database.db.updateTable('members').set({ status: 'pending' }).where('id', 'in', [wendy.id, vic.id]).execute();
      const admin = await loggedInAgent(h, 'own');
      const asked = await submit(admin, '/admin/members', `/admin/members/${wendy.id}/reject`, { reason: 'Not a customer' });
      expect(asked.status).to.equal(200);
      asks(asked.text);
      expect(visible(asked.text)).to.contain('Decline the sign-up of Wendy (@wendy)?').and.contain('cannot be approved later. This cannot be undone.');
      expect((await h.services.members.getByHandle('wendy')).status).to.equal('pending');
      await admin.post(`/admin/members/${wendy.id}/reject`).type('form').send(hiddenFields(asked.text, `/admin/members/${wendy.id}/reject`)).expect(303);
      expect((await h.services.members.getByHandle('wendy')).status).to.equal('rejected');
      // Someone no longer waiting is refused, not asked.
      const late = await submit(admin, '/admin/members', `/admin/members/${wendy.id}/reject`, {});
      expect(late.status).to.equal(409);
      expect(late.text).to.not.contain('name="confirm"');
      expect((await submit(admin, '/admin/members', `/admin/members/${vic.id}/approve`, {})).status).to.equal(303);
    });
  });

  describe('a review is deleted', () => {
    it('someone who may not delete it is refused at once, not asked; a moderator is asked, then it is gone', async () => {
      const latte = await h.services.reviews.createProduct(owner, { name: 'Oat latte', description: '' });
      const { review } = await h.services.reviews.save(ana, latte.id, { rating: 1, body: 'Cold.' });
      await makeMember(h, { handle: 'bob' });
      const bob = await loggedInAgent(h, 'bob');
      const refused = await submit(bob, `/products/${latte.id}`, `/reviews/${review.id}/delete`, {});
      expect(refused.status).to.equal(403);
      expect(refused.text).to.not.contain('name="confirm"');
      const mo = await loggedInAgent(h, 'mo');
      const asked = await submit(mo, `/products/${latte.id}`, `/reviews/${review.id}/delete`, { reason: 'advertising' });
      expect(asked.status).to.equal(200);
      asks(asked.text);
      expect(await h.services.reviews.get(review.id)).to.not.equal(undefined);
      await mo.post(`/reviews/${review.id}/delete`).type('form').send(hiddenFields(asked.text, `/reviews/${review.id}/delete`)).expect(303);
      expect(await h.services.reviews.get(review.id)).to.equal(undefined);
    });
  });

  it('refuses to revoke an unknown or already revoked invite before asking, and a confirmed repeat changes nothing', async () => {
    const admin = await loggedInAgent(h, 'own');
    const unknown = await submit(admin, '/admin/invites', '/admin/invites/NOPE/revoke', {});
    expect(unknown.status).to.equal(404);
    expect(unknown.text).not.to.contain('Revoke the invite');
    const invite = await h.services.invites.create(owner, { maxUses: 1, expiresInDays: 0 });
    const asked = await submit(admin, '/admin/invites', `/admin/invites/${invite.code}/revoke`, {});
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain(`Revoke the invite`);
    expect((await submit(admin, '/admin/invites', `/admin/invites/${invite.code}/revoke`, { confirm: '1' })).status).to.equal(303);
    expect((await submit(admin, '/admin/invites', `/admin/invites/${invite.code}/revoke`, { confirm: '1' })).status).to.equal(303);
    const again = await submit(admin, '/admin/invites', `/admin/invites/${invite.code}/revoke`, {});
    expect(again.status).to.equal(409);
    expect(again.text).to.contain('already revoked').and.not.contain('Revoke the invite');
  });

  it('refuses an over-long reason for declining a sign-up before asking, instead of cutting it short (issue 13, fault 2)', async () => {
    const wendy = await makeMember(h, { handle: 'wendy' });
    await h.database.db.updateTable('members').set({ status: 'pending' }).where('id', '=', wendy.id).execute();
    const admin = await loggedInAgent(h, 'own');
    const res = await submit(admin, '/admin/members', `/admin/members/${wendy.id}/reject`, { reason: 'x'.repeat(600) });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('A reason can be at most 500 characters.').and.not.contain('Decline the sign-up');
    expect(await codeOf(h.services.moderation.decide(owner, wendy.id, false, 'x'.repeat(600)))).to.equal('invalid_input');
    expect((await h.services.members.getByHandle('wendy')).status).to.equal('pending');
  });
});

