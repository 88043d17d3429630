import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { hiddenFields } from '../helpers/forms.js';
import { type Agent, type TestHearth, csrfFrom, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';

/** Loads a page, then sends the form posting to `action` twice with the same fields: a double click. */
async function doubleSubmit(agent: Agent, page: string, action: string, fields: Record<string, string>) {
  const html = (await agent.get(page).expect(200)).text;
  const body = { ...hiddenFields(html, action), ...fields };
  const first = await agent.post(action).type('form').send(body);
  const second = await agent.post(action).type('form').send(body);
  return { first, second, body };
}

// Issue 13, fault 5: the same form sent twice acts once and shows its result, never an error,
// and a form that spends carries a one-time key so a double click cannot spend twice.
describe('a form that moves currency, sent twice', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let mia: MemberRow;
  let bob: MemberRow;
  beforeEach(async () => {
    h = await makeHearth({ economy: { currency_name: 'cup of coffee', currency_plural: 'cups of coffee', symbol: '☕' } });
    owner = await makeMember(h, { role: 'owner', handle: 'boss' });
    mia = await makeMember(h, { handle: 'mia' });
    bob = await makeMember(h, { handle: 'bob' });
    await h.services.ledger.adjust(owner, mia.id, 42, 'welcome');
  });
  afterEach(() => h.destroy());
  const balance = (m: MemberRow) => h.services.ledger.balance(wallet(m.id));

  it('redeems once: both submissions of the confirmed form land on the same voucher', async () => {
    const reward = await h.services.rewards.create(owner, { title: 'Free flat white', description: '', price: 10, stock: 5, perMemberLimit: null, startsOn: null, endsOn: null });
    const agent = await loggedInAgent(h, 'mia');
    const { first, second } = await doubleSubmit(agent, '/rewards', `/rewards/${reward.id}/redeem`, { confirm: '1' });
    expect([first.status, second.status]).to.deep.equal([303, 303]);
    expect(second.headers.location).to.equal(first.headers.location);
    expect(await balance(mia)).to.equal(32);
    expect(await h.services.rewards.vouchers(mia.id)).to.have.length(1);
    expect((await h.services.rewards.get(reward.id)).stock).to.equal(4);
    const shown = await agent.get(second.headers.location!).expect(200);
    expect(shown.text).to.contain('Show this voucher at the counter');
    expect(await h.services.ledger.audit()).to.deep.include({ mismatches: [], standing: [] });
  });

  it('answers a repeat with the voucher even when that voucher used up the stock, the member’s limit, or the wallet', async () => {
    const last = await h.services.rewards.create(owner, { title: 'Last croissant', description: '', price: 42, stock: 1, perMemberLimit: 1, startsOn: null, endsOn: null });
    const agent = await loggedInAgent(h, 'mia');
    const { first, second } = await doubleSubmit(agent, '/rewards', `/rewards/${last.id}/redeem`, { confirm: '1' });
    expect([first.status, second.status]).to.deep.equal([303, 303]);
    expect(second.headers.location).to.equal(first.headers.location);
    expect(await balance(mia)).to.equal(0);
    // The same for a gift that emptied the wallet.
    const bobAgent = await loggedInAgent(h, 'bob');
    await h.services.ledger.adjust(owner, bob.id, 7, 'seed');
    const bobBefore = await balance(bob);
    const gift = await doubleSubmit(bobAgent, '/wallet', '/wallet/gift', { to: 'mia', amount: String(bobBefore), note: 'all of it', confirm: '1' });
    expect([gift.first.status, gift.second.status]).to.deep.equal([303, 303]);
    expect(await balance(bob)).to.equal(0);
  });

  it('keys the confirmation page too: a double click on Confirm spends once', async () => {
    const reward = await h.services.rewards.create(owner, { title: 'Free flat white', description: '', price: 10, stock: null, perMemberLimit: null, startsOn: null, endsOn: null });
    const agent = await loggedInAgent(h, 'mia');
    const catalog = await agent.get('/rewards').expect(200);
    const asked = await agent.post(`/rewards/${reward.id}/redeem`).type('form').send(hiddenFields(catalog.text, `/rewards/${reward.id}/redeem`)).expect(200);
    const confirm = hiddenFields(asked.text, `/rewards/${reward.id}/redeem`);
    expect(confirm).to.include({ confirm: '1' });
    expect(confirm._once).to.match(/^[\w-]{16,}$/);
    const a = await agent.post(`/rewards/${reward.id}/redeem`).type('form').send(confirm).expect(303);
    const b = await agent.post(`/rewards/${reward.id}/redeem`).type('form').send(confirm).expect(303);
    expect(b.headers.location).to.equal(a.headers.location);
    expect(await balance(mia)).to.equal(32);
    // A fresh form (a new key) is a new redemption.
    const again = await agent.get('/rewards').expect(200);
    await agent.post(`/rewards/${reward.id}/redeem`).type('form').send({ ...hiddenFields(again.text, `/rewards/${reward.id}/redeem`), confirm: '1' }).expect(303);
    expect(await balance(mia)).to.equal(22);
  });

  it('gives a gift once', async () => {
    const agent = await loggedInAgent(h, 'mia');
    const { first, second } = await doubleSubmit(agent, '/wallet', '/wallet/gift', { to: 'bob', amount: '5', note: 'thanks', confirm: '1' });
    expect([first.status, second.status]).to.deep.equal([303, 303]);
    expect(await balance(mia)).to.equal(37);
    expect(await balance(bob)).to.equal(5);
    const page = await agent.get(second.headers.location!).expect(200);
    expect(page.text).to.contain('Your gift is on its way.');
  });

  it('grants once, and writes the moderation log once', async () => {
    const admin = await loggedInAgent(h, 'boss');
    const { first, second } = await doubleSubmit(admin, '/admin/economy', '/admin/economy/adjust', { handle: 'bob', amount: '25', reason: 'Helped at the market', confirm: '1' });
    expect([first.status, second.status]).to.deep.equal([303, 303]);
    expect(await balance(bob)).to.equal(25);
    const log = await h.database.db.selectFrom('moderation_log').selectAll().where('action', '=', 'economy.grant').execute();
    expect(log).to.have.length(2); // Mia's welcome and this one
  });

  it('uses a voucher once at the counter, and the repeat of the same Use-it form shows it used, not an error', async () => {
    const staff = await makeMember(h, { role: 'moderator', handle: 'barista' });
    const reward = await h.services.rewards.create(owner, { title: 'Free flat white', description: '', price: 10, stock: null, perMemberLimit: null, startsOn: null, endsOn: null });
    const voucher = await h.services.rewards.redeem(mia, reward.id);
    const barista = await loggedInAgent(h, staff.handle);
    const { first, second } = await doubleSubmit(barista, `/vouchers/check?code=${voucher.code}`, '/vouchers/check', {});
    expect([first.status, second.status]).to.deep.equal([200, 200]);
    expect(second.text).to.contain('It is now marked used.').and.not.contain('already used');
    expect((await h.services.rewards.find(voucher.code))?.used_by).to.equal(staff.id);
    // Another attempt (not the same form) is told plainly.
    const other = await barista.post('/vouchers/check').type('form').send({ _csrf: csrfFrom(second.text), code: voucher.code, confirm: '1' }).expect(409);
    expect(other.text).to.contain('already used');
  });

  it('answers the first result to a service call repeated with the same key', async () => {
    const reward = await h.services.rewards.create(owner, { title: 'Free flat white', description: '', price: 10, stock: null, perMemberLimit: null, startsOn: null, endsOn: null });
    const key = 'k-0123456789abcdef';
    const one = await h.services.rewards.redeem(mia, reward.id, key);
    const two = await h.services.rewards.redeem(mia, reward.id, key);
    expect(two.id).to.equal(one.id);
    const g1 = await h.services.ledger.gift(mia, bob.id, 3, '', key); // the same key in another kind of form is another submission
    const g2 = await h.services.ledger.gift(mia, bob.id, 3, '', key);
    expect(g2.id).to.equal(g1.id);
    expect(await balance(mia)).to.equal(29);
    // Another member's key never finds Mia's submission.
    await h.services.ledger.adjust(owner, bob.id, 10, 'start');
    const bobs = await h.services.rewards.redeem(bob, reward.id, key);
    expect(bobs.id).not.to.equal(one.id);
  });
});
