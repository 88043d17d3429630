import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { EARNED_KINDS, countsAsEarned } from '../../src/rewards/standing-totals.js';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';

// Issue 13, fault 16: standing (levels, ranks, leaderboards) counts only what was earned by
// taking part; grants, gifts and refunds are the wallet's, shown apart.
describe('standing counts what was earned by taking part, nothing given', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let ana: MemberRow;
  let bob: MemberRow;
  beforeEach(async () => {
    h = await makeHearth({
      economy: { currency_name: 'cup of coffee', currency_plural: 'cups of coffee', symbol: '☕', earn: { post: 5 }, levels: [{ name: 'Bean', from: 0 }, { name: 'Roaster', from: 20 }] },
    });
    owner = await makeMember(h, { role: 'owner', handle: 'boss' });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Hello', body: 'First!' });
    await h.services.earning.idle();
  });
  afterEach(() => h.destroy());

  it('an admin grant of 25 is not "earned this week" and does not put the member first', async () => {
    await h.services.ledger.adjust(owner, bob.id, 25, 'Helped at the market');
    const week = await h.services.standing.leaderboard('week');
    expect(week.map((r) => [r.rank, r.handle, r.earned])).to.deep.equal([[1, 'ana', 5]]);
    expect(await h.services.standing.of(bob.id)).to.deep.include({ earned: 0, level: 'Bean', rank: null });
    expect(await h.services.ledger.balance(wallet(bob.id))).to.equal(25); // still his to spend
    const page = await request(h.app).get('/leaderboard?period=week').expect(200);
    expect(page.text).to.contain('@ana').and.not.contain('@bob');
  });

  it('gifts received neither raise a level nor a rank; giving them away lowers neither', async () => {
    await h.services.ledger.adjust(owner, bob.id, 40, 'Prize');
    await h.services.ledger.gift(bob, ana.id, 30, 'Thanks');
    expect(await h.services.standing.of(ana.id)).to.deep.include({ earned: 5, level: 'Bean', rank: 1 });
    expect((await h.services.standing.marks(null, [ana.id, bob.id])).get(ana.id)).to.deep.equal({ level: 'Bean', expert: false });
    expect((await h.services.standing.leaderboard('all')).map((r) => r.handle)).to.deep.equal(['ana']);
  });

  it('a deduction is not a loss of standing, and a reversal of an award is', async () => {
    await h.services.ledger.adjust(owner, ana.id, -2, 'Correction');
    expect(await h.services.standing.earned(ana.id)).to.equal(5);
    const [post] = await h.database.db.selectFrom('posts').select('id').execute();
    // The reversal takes back what the wallet still holds (3 of the 5), and standing follows it.
    const reversed = await h.database.db.transaction().execute((trx) => h.services.ledger.reverse(trx, `post:${post!.id}`, 'Removed'));
    expect(reversed?.amount).to.equal(3);
    expect(await h.services.standing.earned(ana.id)).to.equal(2);
  });

  it('the wallet shows gifts and grants apart from what was earned', async () => {
    await h.services.ledger.adjust(owner, ana.id, 25, 'Welcome');
    await h.services.ledger.adjust(owner, bob.id, 10, 'Start');
    await h.services.ledger.gift(bob, ana.id, 4, 'Thanks');
    expect(await h.services.standing.giftsAndGrants(ana.id)).to.equal(29);
    const page = await loggedInAgent(h, 'ana').then((a) => a.get('/wallet').expect(200));
    expect(page.text).to.contain('Gifts and grants:').and.contain('29 cups of coffee ☕').and.contain('5 cups of coffee ☕ earned');
    expect(page.text).to.match(/<span class="badge">Grant<\/span> Welcome/).and.match(/<span class="badge">Gift<\/span> Thanks/);
  });

  it('decides in one place which ledger kinds are earned', () => {
    expect(EARNED_KINDS).to.deep.equal({ award: 1, reversal: -1 });
    expect(['award', 'reversal', 'grant', 'deduction', 'gift', 'redemption', 'refund'].filter((k) => countsAsEarned(k as never))).to.deep.equal(['award', 'reversal']);
  });
});
