import { expect } from 'chai';
import request from 'supertest';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember, submit } from '../helpers/hearth.js';

describe('the wallet and the economy admin page', () => {
  let h: TestHearth;
  before(async () => {
    h = await makeHearth({ economy: { currency_name: 'cup of coffee', currency_plural: 'cups of coffee', symbol: '☕', earn: { post: 3 } } });
    await makeMember(h, { handle: 'boss', role: 'owner' });
    await makeMember(h, { handle: 'ana' });
    await makeMember(h, { handle: 'bob' });
  });
  after(() => h.destroy());

  it('shows a member what they earned, in the community’s own words', async () => {
    const ana = await h.services.members.getByHandle('ana');
    await h.services.posts.createThread(ana, await generalSpace(h), { body: 'First!' });
    await h.services.earning.idle();
    const agent = await loggedInAgent(h, 'ana');
    const page = await agent.get('/wallet').expect(200);
    expect(page.text).to.include('3 cups of coffee ☕');
    expect(page.text).to.include('Started a thread');
    expect(page.text).to.include('href="/wallet"');
    const visitor = await request(h.app).get('/wallet');
    expect(visitor.status).to.equal(302);
    expect(visitor.headers.location).to.match(/^\/login/);
  });

  it('sends a gift, and refuses one the wallet cannot cover, changing nothing', async () => {
    const agent = await loggedInAgent(h, 'ana');
    // Giving asks first, saying what will happen (issue 13, fault 9); confirming gives.
    const asked = await submit(agent, '/wallet', '/wallet/gift', { to: 'bob', amount: '2', note: 'for the croissant' });
    expect(asked.status).to.equal(200);
    expect(asked.text).to.include('Give 2 cups of coffee ☕ to <bdi>bob</bdi> (@<bdi>bob</bdi>)?').and.include('You will have 1 cup of coffee ☕ left.');
    const ok = await submit(agent, '/wallet', '/wallet/gift', { to: 'bob', amount: '2', note: 'for the croissant', confirm: '1' });
    expect(ok.status).to.equal(303);
    const bob = await loggedInAgent(h, 'bob');
    const bobs = await bob.get('/wallet');
    expect(bobs.text).to.include('2 cups of coffee ☕').and.include('for the croissant');
    const tooMuch = await submit(agent, '/wallet', '/wallet/gift', { to: 'bob', amount: '50', note: '' });
    expect(tooMuch.status).to.equal(409);
    expect(tooMuch.text).to.include('There is not enough in the wallet for that.');
    const nobody = await submit(agent, '/wallet', '/wallet/gift', { to: 'nobody', amount: '1', note: '' });
    expect(nobody.status).to.equal(422);
    expect(nobody.text).to.include('There is no member with that handle.');
    const ana = await h.services.members.getByHandle('ana');
    expect(await h.services.ledger.balance(`member:${ana.id}`)).to.equal(1);
  });

  it('lets an admin grant and deduct with a reason, read the totals and export the ledger', async () => {
    const admin = await loggedInAgent(h, 'boss');
    const asked = await submit(admin, '/admin/economy', '/admin/economy/adjust', { handle: 'bob', amount: '10', reason: '=HYPERLINK("x") helped at the market' });
    expect(asked.status).to.equal(200);
    expect(asked.text).to.include('Grant 10 cups of coffee ☕ to <bdi>bob</bdi> (@<bdi>bob</bdi>)?');
    expect((await submit(admin, '/admin/economy', '/admin/economy/adjust', { handle: 'bob', amount: '10', reason: '=HYPERLINK("x") helped at the market', confirm: '1' })).status).to.equal(303);
    const noReason = await submit(admin, '/admin/economy', '/admin/economy/adjust', { handle: 'bob', amount: '-1', reason: '' });
    expect(noReason.status).to.equal(422);
    const page = await admin.get('/admin/economy').expect(200);
    expect(page.text).to.include('Issued').and.include('13 cups of coffee ☕');
    // Top earners by what they earned by taking part (issue 13, fault 16): Ana gave 1 of her 3
    // away, which does not lower what she earned; Bob's grant of 10 is not earned at all.
    expect(page.text).to.match(/Top earners[\s\S]*<bdi>@ana<\/bdi> · Newcomer<\/span> · 3 cups of coffee ☕ earned[\s\S]*Top holders/);
    expect(page.text).not.to.match(/Top earners[\s\S]*@bob[\s\S]*Top holders/);
    const csv = await admin.get('/admin/economy/ledger.csv').expect(200);
    expect(csv.headers['content-type']).to.match(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).to.equal('id,created_at,kind,rule,debit,credit,amount,member_id,actor_id,reverses,source,reason');
    expect(lines).to.have.length(4);
    // A reason that looks like a spreadsheet formula is defused.
    expect(csv.text).to.include(`"'=HYPERLINK(""x"") helped at the market"`);
    const member = await loggedInAgent(h, 'ana');
    expect((await member.get('/admin/economy')).status).to.equal(403);
  });
});
