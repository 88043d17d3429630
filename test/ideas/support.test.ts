import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { SpaceRow } from '../../src/community/space.table.js';
import { supportFor } from '../../src/community/support.js';
import { TRANSITIONS } from '../../src/ideas/idea.service.js';
import { codeOf, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember, type TestHearth } from '../helpers/hearth.js';

/**
 * Issue 13, fault 17: one way to show support per kind of post (an idea takes ▲/▼ votes,
 * not emoji reactions; its comments and every other post take reactions), and state menus
 * offer only the moves their transition table allows from the current state.
 */
describe('one way to support each kind of post, and menus of allowed moves', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let modRow: MemberRow;
  let ana: MemberRow;
  let bob: MemberRow;
  let board: SpaceRow;
  beforeEach(async () => {
    h = await makeHearth();
    owner = await makeMember(h, { handle: 'olga', role: 'owner' });
    modRow = await makeMember(h, { handle: 'mod', role: 'moderator' });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    board = await h.services.spaces.create(owner, { slug: 'ideas', name: 'Ideas', description: 'Next?', visibility: 'public', kind: 'ideas' });
  });
  afterEach(() => h.destroy());

  it('decides it in one place: ideas take votes, other posts reactions', () => {
    expect(supportFor('idea')).to.equal('votes');
    expect(supportFor('post')).to.equal('reactions');
  });

  it('refuses an emoji reaction on an idea, but not on a comment under it or on a plain thread', async () => {
    const idea = await h.services.ideas.propose(ana, board, { title: 'Oat milk', body: 'Because oat.' });
    const comment = await h.services.posts.reply(bob, idea.id, { body: 'Yes please.' });
    const plain = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Hello', body: 'Hi.' });
    expect(await codeOf(h.services.reactions.toggle(bob, idea.id, 'love'))).to.equal('votes_only');
    expect(await h.services.reactions.toggle(ana, comment.id, 'love')).to.equal(true);
    expect(await h.services.reactions.toggle(bob, plain.id, 'love')).to.equal(true);
  });

  it('an idea page offers votes and no reactions on the idea; a refused reaction says why', async () => {
    const idea = await h.services.ideas.propose(ana, board, { title: 'Oat milk', body: 'Because oat.' });
    const comment = await h.services.posts.reply(ana, idea.id, { body: 'Details inside.' });
    const agent = await loggedInAgent(h, 'bob');
    const page = await agent.get(`/p/${idea.id}`).expect(200);
    expect(page.text).to.contain(`action="/p/${idea.id}/idea-vote"`);
    expect(page.text).not.to.contain(`action="/p/${idea.id}/react"`);
    expect(page.text).to.contain(`action="/p/${comment.id}/react"`);
    const refused = await agent.post(`/p/${idea.id}/react`).type('form').send({ _csrf: csrfFrom(page.text), kind: 'like' });
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('Ideas take ▲/▼ votes, not reactions');
    // The home page lists the idea too, without reactions.
    const home = await agent.get('/').expect(200);
    expect(home.text).to.contain('Oat milk').and.not.contain(`action="/p/${idea.id}/react"`);
  });

  it('the "Move to" menu lists exactly the moves allowed from the current status, never the current one', async () => {
    const idea = await h.services.ideas.propose(ana, board, { title: 'Oat milk', body: 'Because oat.' });
    const mod = await loggedInAgent(h, 'mod');
    const moves = async () => {
      const page = await mod.get(`/p/${idea.id}`).expect(200);
      const select = /<select id="f-status" name="status">([\s\S]*?)<\/select>/.exec(page.text)?.[1] ?? '';
      return [...select.matchAll(/value="(\w+)"/g)].map((m) => m[1]);
    };
    for (const [to, from] of [['planned', 'open'], ['shipped', 'planned'], ['planned', 'shipped']] as const) {
      expect(await moves()).to.deep.equal([...TRANSITIONS[from]]);
      expect(await moves()).not.to.include(from);
      await h.services.ideas.setStatus(modRow, idea.id, to, '');
    }
  });
});
