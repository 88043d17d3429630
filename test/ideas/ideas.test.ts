import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import type { SpaceRow } from '../../src/community/space.table.js';
import { codeOf, loggedInAgent, makeHearth, makeMember, settleDomain, submit, type TestHearth } from '../helpers/hearth.js';
import { withoutIsolates } from '../helpers/isolates.js';

describe('idea boards', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let mod: MemberRow;
  let ana: MemberRow;
  let bob: MemberRow;
  let board: SpaceRow;
  beforeEach(async () => {
    h = await makeHearth();
    owner = await makeMember(h, { handle: 'olga', role: 'owner' });
    mod = await makeMember(h, { handle: 'mod', role: 'moderator' });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    board = await h.services.spaces.create(owner, { slug: 'ideas', name: 'Ideas', description: 'What should we do next?', visibility: 'public', kind: 'ideas' });
  });
  afterEach(() => h.destroy());
  const propose = (title: string, who = ana) => h.services.ideas.propose(who, board, { title, body: `Because ${title}.` });
  const settle = () => settleDomain(h);

  it('takes one vote per person per idea: changeable, withdrawable, counted up and down', async () => {
    const idea = await propose('Oat milk');
    const carl = await makeMember(h, { handle: 'carl' });
    await h.services.ideas.vote(bob, idea.id, 1);
    await h.services.ideas.vote(bob, idea.id, 1);
    await h.services.ideas.vote(carl, idea.id, -1);
    expect(await h.services.ideas.view(idea.id, bob)).to.deep.include({ up: 1, down: 1, score: 0, mine: 1 });
    await h.services.ideas.vote(bob, idea.id, -1);
    expect(await h.services.ideas.view(idea.id, bob)).to.deep.include({ up: 0, down: 2, score: -2, mine: -1 });
    await h.services.ideas.vote(bob, idea.id, 0);
    expect(await h.services.ideas.view(idea.id, bob)).to.deep.include({ up: 0, down: 1, mine: 0 });
    expect(await h.database.db.selectFrom('idea_votes').selectAll().execute()).to.have.length(1);
  });

  it('needs a title, lives only on an idea board, and takes no votes once deleted', async () => {
    expect((await h.services.ideas.propose(ana, board, { title: ' ', body: 'x' }).catch((e) => e)).fields).to.have.key('title');
    const general = await h.services.spaces.getVisible(null, 'general');
    expect(await codeOf(h.services.ideas.propose(ana, general, { title: 'A', body: 'b' }))).to.equal('not_ideas');
    const idea = await propose('Gone soon');
    await h.services.posts.delete(ana, idea.id);
    expect(await codeOf(h.services.ideas.vote(bob, idea.id, 1))).to.equal('gone');
  });

  it('lets staff move an idea along the allowed statuses with a note; members cannot', async () => {
    const idea = await propose('Longer hours');
    expect(await codeOf(h.services.ideas.setStatus(ana, idea.id, 'planned', ''))).to.equal('forbidden');
    expect(await codeOf(h.services.ideas.setStatus(mod, idea.id, 'shipped', ''))).to.equal('bad_transition');
    expect(await codeOf(h.services.ideas.setStatus(mod, idea.id, 'bogus', ''))).to.equal('invalid_input');
    await h.services.ideas.setStatus(mod, idea.id, 'under_review', '');
    await h.services.ideas.setStatus(mod, idea.id, 'planned', 'From March');
    const row = await h.services.ideas.setStatus(mod, idea.id, 'shipped', 'Open until 9pm now');
    expect(row).to.include({ status: 'shipped', status_note: 'Open until 9pm now', status_by: mod.id });
    expect((await h.services.ideas.view(idea.id, null))!.next).to.deep.equal(['planned']);
  });

  it('tells everyone who voted, and the author, when the status changes; shipping pays the author', async () => {
    const idea = await propose('Board games night');
    await h.services.ideas.vote(bob, idea.id, 1);
    await h.services.ideas.vote(mod, idea.id, -1);
    await h.services.ideas.setStatus(mod, idea.id, 'planned', 'Every Friday');
    await h.services.ideas.setStatus(mod, idea.id, 'shipped', '');
    await settle();
    const texts = async (m: MemberRow) => (await h.services.notifications.list(m.id)).items.filter((n) => n.kind === 'idea').map((n) => withoutIsolates(n.text));
    expect(await texts(bob)).to.deep.equal(['The idea “Board games night” is now shipped.', 'The idea “Board games night” is now planned: Every Friday']);
    expect(await texts(ana)).to.have.length(2);
    expect(await texts(mod)).to.deep.equal([]); // nobody is told of their own action
    const earned = await h.database.db.selectFrom('ledger_entries').select(['rule', 'amount']).where('member_id', '=', ana.id).where('rule', '=', 'idea_shipped').execute();
    expect(earned).to.have.length(1);
    expect(earned[0]!.amount).to.be.greaterThan(0);
  });

  it('sorts by top, new and trending (votes of the past week)', async () => {
    const old = await propose('Old favourite');
    const fresh = await propose('Fresh idea');
    const mid = await propose('Middle');
    const voters = await Promise.all([1, 2, 3].map((n) => makeMember(h, { handle: `voter${n}` })));
    for (const v of voters) await h.services.ideas.vote(v, old.id, 1);
    await h.services.ideas.vote(voters[0]!, mid.id, 1);
    await h.services.ideas.vote(voters[1]!, mid.id, 1);
    await h.services.ideas.vote(voters[0]!, fresh.id, 1);
    // The old favourite's votes are a month old.
    await h.database.db.updateTable('idea_votes').set({ voted_at: '2026-01-01T00:00:00.000Z' }).where('post_id', '=', old.id).execute();
    const titles = async (sort: 'top' | 'new' | 'trending') => (await h.services.ideas.list(board.id, null, { sort, page: 1 })).items.map((i) => i.title);
    expect(await titles('top')).to.deep.equal(['Old favourite', 'Middle', 'Fresh idea']);
    expect(await titles('new')).to.deep.equal(['Middle', 'Fresh idea', 'Old favourite']);
    expect(await titles('trending')).to.deep.equal(['Middle', 'Fresh idea', 'Old favourite']);
    await h.services.ideas.setStatus(mod, mid.id, 'declined', 'Not for us');
    expect((await h.services.ideas.list(board.id, null, { sort: 'top', status: 'declined', page: 1 })).items.map((i) => i.title)).to.deep.equal(['Middle']);
  });

  describe('in the browser’s place (HTTP)', () => {
    it('proposes from the board, votes, and shows the status change to everyone', async () => {
      const agent = await loggedInAgent(h, 'ana');
      const res = await submit(agent, '/s/ideas', '/s/ideas', { title: 'Cargo bike rental', body: 'For deliveries.' });
      expect(res.status).to.equal(303);
      const id = Number(String(res.headers.location).split('/').pop());
      const bobAgent = await loggedInAgent(h, 'bob');
      const voted = await submit(bobAgent, '/s/ideas', `/p/${id}/idea-vote`, { vote: 'up', back: '/s/ideas?sort=top' });
      expect([voted.status, voted.headers.location]).to.deep.equal([303, `/s/ideas?sort=top#idea-${id}`]);
      const boardPage = await bobAgent.get('/s/ideas').expect(200);
      expect(boardPage.text).to.contain('Cargo bike rental').and.contain('aria-pressed="true"');
      const modAgent = await loggedInAgent(h, 'mod');
      expect((await submit(modAgent, `/p/${id}`, `/p/${id}/status`, { status: 'planned', note: 'Spring <b>2027</b>' })).status).to.equal(303);
      const page = await request(h.app).get(`/p/${id}`).expect(200);
      expect(page.text).to.contain('Planned').and.contain('Spring &lt;b&gt;2027&lt;/b&gt;');
      expect(page.text).not.to.contain('Change status');
    });

    it('refuses bad input clearly', async () => {
      const agent = await loggedInAgent(h, 'ana');
      const empty = await submit(agent, '/s/ideas', '/s/ideas', { title: '', body: 'No title' });
      expect(empty.status).to.equal(422);
      expect(empty.text).to.contain('Give your idea a title.').and.contain('No title');
      const idea = await propose('Later');
      expect((await submit(agent, '/s/ideas', `/p/${idea.id}/idea-vote`, { vote: 'sideways' })).status).to.equal(404);
      const notStaff = await submit(agent, `/p/${idea.id}`, `/p/${idea.id}/status`, { status: 'planned' });
      expect(notStaff.status).to.equal(403);
      const modAgent = await loggedInAgent(h, 'mod');
      const jump = await submit(modAgent, `/p/${idea.id}`, `/p/${idea.id}/status`, { status: 'shipped' });
      expect(jump.status).to.equal(409);
      expect(jump.text).to.contain('cannot become shipped');
      await request(h.app).post(`/p/${idea.id}/idea-vote`).type('form').send({ vote: 'up' }).expect(403);
    });
  });
});
