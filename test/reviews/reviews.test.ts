import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import type { ProductRow } from '../../src/reviews/review.table.js';
import { codeOf, loggedInAgent, makeHearth, makeMember, submit, type TestHearth } from '../helpers/hearth.js';

describe('reviews of products and services', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let ana: MemberRow;
  let bob: MemberRow;
  let mod: MemberRow;
  let latte: ProductRow;
  beforeEach(async () => {
    h = await makeHearth();
    owner = await makeMember(h, { handle: 'olga', role: 'owner' });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    mod = await makeMember(h, { handle: 'mod', role: 'moderator' });
    latte = await h.services.reviews.createProduct(owner, { name: 'Oat latte', description: 'Double shot, oat milk.' });
  });
  afterEach(() => h.destroy());

  it('only admins list products, and each needs a name', async () => {
    expect(await codeOf(h.services.reviews.createProduct(ana, { name: 'Mine', description: '' }))).to.equal('forbidden');
    expect((await h.services.reviews.createProduct(owner, { name: '  ', description: '' }).catch((e) => e)).fields).to.have.key('name');
  });

  it('keeps one review per member and product: a second one edits the first', async () => {
    const first = await h.services.reviews.save(ana, latte.id, { rating: 4, body: 'Smooth.' });
    const second = await h.services.reviews.save(ana, latte.id, { rating: '5', body: 'Even better today.' });
    expect([first.created, second.created, second.review.id]).to.deep.equal([true, false, first.review.id]);
    await h.services.reviews.save(bob, latte.id, { rating: 2, body: 'Too sweet.' });
    const summary = await h.services.reviews.summary(latte.id);
    expect(summary).to.include({ count: 2, average: 3.5 });
    expect((await h.services.reviews.products())[0]).to.include({ name: 'Oat latte', count: 2, average: 3.5 });
  });

  it('refuses a rating outside 1 to 5, an empty text, and reviews of archived products', async () => {
    const err = await h.services.reviews.save(ana, latte.id, { rating: 6, body: ' ' }).catch((e) => e);
    expect(err.fields).to.have.keys('rating', 'body');
    expect((await h.services.reviews.save(ana, latte.id, { rating: 2.5, body: 'x' }).catch((e) => e)).fields).to.have.key('rating');
    await h.services.reviews.updateProduct(owner, latte.id, { name: 'Oat latte', description: '', archived: true });
    expect(await codeOf(h.services.reviews.save(ana, latte.id, { rating: 3, body: 'ok' }))).to.equal('gone');
    expect(await h.services.reviews.products()).to.deep.equal([]);
  });

  it('lets the author or a moderator delete a review, nobody else', async () => {
    const { review } = await h.services.reviews.save(ana, latte.id, { rating: 1, body: 'Cold.' });
    expect(await codeOf(h.services.reviews.delete(bob, review.id))).to.equal('forbidden');
    await h.services.reviews.delete(mod, review.id);
    expect((await h.services.reviews.summary(latte.id)).count).to.equal(0);
  });

  describe('in the browser’s place (HTTP)', () => {
    it('an admin lists a product; a member reviews it, edits the review; everyone sees stars, average and count', async () => {
      const admin = await loggedInAgent(h, 'olga');
      const listed = await submit(admin, '/admin/products', '/admin/products', { name: 'Croissant', description: 'Butter, baked at 7.' });
      expect(listed.status).to.equal(303);
      const path = listed.headers.location as string;
      const agent = await loggedInAgent(h, 'ana');
      const bad = await submit(agent, path, `${path}/review`, { rating: '9', body: '' });
      expect(bad.status).to.equal(422);
      expect(bad.text).to.contain('Choose a rating from 1 to 5 stars.').and.contain('Say something about it');
      expect((await submit(agent, path, `${path}/review`, { rating: '3', body: 'Flaky <script>x</script>' })).status).to.equal(303);
      const edit = await agent.get(path).expect(200);
      expect(edit.text).to.contain('Edit your review').and.contain('value="3" checked');
      await submit(agent, path, `${path}/review`, { rating: '4', body: 'Flaky and warm.' });
      const page = (await request(h.app).get(path).expect(200)).text;
      expect(page).to.contain('★★★★☆').and.contain('<strong>4</strong> out of 5 from 1 review').and.contain('Flaky and warm.');
      expect(page).not.to.contain('<script>x');
      const list = (await request(h.app).get('/products').expect(200)).text;
      expect(list).to.contain('Croissant').and.contain('1 review');
      expect((await submit(agent, '/products', '/admin/products', { name: 'Mine' })).status).to.equal(403);
      await request(h.app).get('/products/999').expect(404);
    });
  });
});
