import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { hiddenFields } from '../helpers/forms.js';
import { type TestHearth, csrfFrom, loggedInAgent, makeHearth, makeMember, submit } from '../helpers/hearth.js';

// Issue 13, fault 9: whatever spends, uses up or cannot be undone asks first, saying what will
// happen, in plain HTML (no JavaScript); only the confirmed form acts.
describe('actions that spend or use something up ask first', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let mia: MemberRow;
  let bob: MemberRow;
  beforeEach(async () => {
    h = await makeHearth({ economy: { currency_name: 'cup of coffee', currency_plural: 'cups of coffee', symbol: '☕' } });
    owner = await makeMember(h, { role: 'owner', handle: 'boss' });
    mia = await makeMember(h, { handle: 'mia', displayName: 'Mia' });
    bob = await makeMember(h, { handle: 'bob', displayName: 'Bob' });
    await h.services.ledger.adjust(owner, mia.id, 42, 'welcome');
  });
  afterEach(() => h.destroy());
  const balance = (m: MemberRow) => h.services.ledger.balance(wallet(m.id));
  const flatWhite = () => h.services.rewards.create(owner, { title: 'Free flat white', description: '', price: 10, stock: 3, perMemberLimit: null, startsOn: null, endsOn: null });

  it('Redeem says the price and what is left, spends nothing until confirmed, and Go back leads back', async () => {
    const reward = await flatWhite();
    const agent = await loggedInAgent(h, 'mia');
    const asked = await submit(agent, '/rewards', `/rewards/${reward.id}/redeem`, {});
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain('Redeem “<bdi>Free flat white</bdi>” for 10 cups of coffee ☕?').and.contain('You will have 32 cups of coffee ☕ left');
    expect(asked.text).to.contain(`href="/rewards#reward-${reward.id}"`).and.contain('>Go back<');
    expect(await balance(mia)).to.equal(42);
    expect(await h.services.rewards.vouchers(mia.id)).to.deep.equal([]);
    expect((await h.services.rewards.get(reward.id)).stock).to.equal(3);
    const done = await agent.post(`/rewards/${reward.id}/redeem`).type('form').send(hiddenFields(asked.text, `/rewards/${reward.id}/redeem`)).expect(303);
    expect(done.headers.location).to.match(/^\/vouchers\/\d+\?new=1$/);
    expect(await balance(mia)).to.equal(32);
  });

  it('refuses up front what it could not do, instead of asking', async () => {
    const pricey = await h.services.rewards.create(owner, { title: 'Bag of beans', description: '', price: 50, stock: null, perMemberLimit: null, startsOn: null, endsOn: null });
    const agent = await loggedInAgent(h, 'mia');
    const refused = await submit(agent, '/rewards', `/rewards/${pricey.id}/redeem`, {});
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('There is not enough in the wallet for that.').and.not.contain('name="confirm"');
  });

  it('a gift names who gets how much and what the giver keeps', async () => {
    const agent = await loggedInAgent(h, 'mia');
    const asked = await submit(agent, '/wallet', '/wallet/gift', { to: 'bob', amount: '5', note: 'for the croissant' });
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain('Give 5 cups of coffee ☕ to <bdi>Bob</bdi> (@<bdi>bob</bdi>)?').and.contain('You will have 37 cups of coffee ☕ left.');
    expect(await balance(bob)).to.equal(0);
    // The confirmation carries what was typed, so confirming gives exactly that.
    expect(hiddenFields(asked.text, '/wallet/gift')).to.include({ to: 'bob', amount: '5', note: 'for the croissant', confirm: '1' });
    await agent.post('/wallet/gift').type('form').send(hiddenFields(asked.text, '/wallet/gift')).expect(303);
    expect(await balance(bob)).to.equal(5);
  });

  it('an admin grant or deduction says what the member will have, and writes nothing until confirmed', async () => {
    const admin = await loggedInAgent(h, 'boss');
    const asked = await submit(admin, '/admin/economy', '/admin/economy/adjust', { handle: 'mia', amount: '-2', reason: 'Double award' });
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain('Deduct 2 cups of coffee ☕ from <bdi>Mia</bdi> (@<bdi>mia</bdi>)?').and.contain('They will have 40 cups of coffee ☕.');
    expect(await balance(mia)).to.equal(42);
    await admin.post('/admin/economy/adjust').type('form').send(hiddenFields(asked.text, '/admin/economy/adjust')).expect(303);
    expect(await balance(mia)).to.equal(40);
  });

  describe('at the counter', () => {
    it('looks a voucher up first (reward, member, valid until, not used yet), and only the separate Use it uses it', async () => {
      const staff = await makeMember(h, { role: 'moderator', handle: 'barista' });
      const reward = await flatWhite();
      const voucher = await h.services.rewards.redeem(mia, reward.id);
      const barista = await loggedInAgent(h, staff.handle);
      const counter = await barista.get('/vouchers/check').expect(200);
      // The code is looked up with a GET form: nothing to confirm, nothing used.
      expect(counter.text).to.match(/<form method="get" action="\/vouchers\/check"/);
      const looked = await barista.get(`/vouchers/check?code=${voucher.code.toLowerCase()}`).expect(200);
      expect(looked.text).to.contain('Free flat white').and.contain('<bdi>Mia</bdi> (<bdi>@mia</bdi>)').and.contain('Valid until').and.contain('Not used yet.').and.contain('>Use it<');
      // A POST of the code alone (an old form, a scripted client) only looks it up too.
      const posted = await barista.post('/vouchers/check').type('form').send({ _csrf: csrfFrom(looked.text), code: voucher.code }).expect(200);
      expect(posted.text).to.contain('Not used yet.').and.not.contain('It is now marked used.');
      expect((await h.services.rewards.find(voucher.code))?.used_at).to.equal(null);
      const used = await barista.post('/vouchers/check').type('form').send(hiddenFields(looked.text, '/vouchers/check')).expect(200);
      expect(used.text).to.contain('It is now marked used.');
      expect((await h.services.rewards.find(voucher.code))?.used_at).to.be.a('string');
    });

    it('lists the vouchers used today, newest first', async () => {
      const staff = await makeMember(h, { role: 'moderator', handle: 'barista' });
      const reward = await flatWhite();
      const tea = await h.services.rewards.create(owner, { title: 'Pot of tea', description: '', price: 5, stock: null, perMemberLimit: null, startsOn: null, endsOn: null });
      const first = await h.services.rewards.redeem(mia, reward.id);
      const second = await h.services.rewards.redeem(mia, tea.id);
      const unused = await h.services.rewards.redeem(mia, reward.id);
      const yesterday = await h.services.rewards.redeem(mia, tea.id);
      await h.services.rewards.use(staff, first.id);
      await h.services.rewards.use(staff, second.id);
      await h.services.rewards.use(staff, yesterday.id);
      await h.database.db.updateTable('redemptions').set({ used_at: new Date(Date.now() - 2 * 86_400_000).toISOString() }).where('id', '=', yesterday.id).execute();
      await h.database.db.updateTable('redemptions').set({ used_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', first.id).execute();
      const barista = await loggedInAgent(h, staff.handle);
      const page = (await barista.get('/vouchers/check').expect(200)).text;
      const today = page.slice(page.indexOf('Used today'));
      expect(today).to.contain(second.code).and.contain(first.code).and.not.contain(unused.code).and.not.contain(yesterday.code);
      expect(today.indexOf(second.code)).to.be.lessThan(today.indexOf(first.code));
    });
  });
});
