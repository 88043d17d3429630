import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PostRow } from '../../src/community/post.table.js';
import { hiddenFields } from '../helpers/forms.js';
import { type Agent, type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';

/** The same form, with the button pressed, sent twice from one page: a double click. */
async function twice(agent: Agent, page: string, action: string, pressed: Record<string, string>) {
  const html = (await agent.get(page).expect(200)).text;
  const body = { ...hiddenFields(html, action), ...pressed };
  return [await agent.post(action).type('form').send(body), await agent.post(action).type('form').send(body)];
}

/** The value of the button on a page that submits `name` for `kind` (reaction buttons name the state they ask for). */
const buttonValue = (html: string, name: string, startsWith: string) => new RegExp(`name="${name}" value="(${startsWith}[^"]*)"`).exec(html)?.[1] ?? '';

// Issue 13, fault 5: a vote, a reaction or an idea vote sent twice acts as once and shows the
// result, never "You have already voted" nor a reaction that undid itself.
describe('taking part twice with one click', () => {
  let h: TestHearth;
  let ana: MemberRow;
  let bob: MemberRow;
  let thread: PostRow;
  beforeEach(async () => {
    h = await makeHearth({ economy: { earn: { reaction_received: 2 } } });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    thread = await h.services.polls.createThread(ana, await generalSpace(h), { title: 'Which milk?', body: 'Vote!' }, { options: ['Oat', 'Whole'], multiple: false, closesInHours: 24, results: 'after_vote' });
  });
  afterEach(() => h.destroy());

  it('a poll vote sent twice is counted once and the page says it is counted', async () => {
    const agent = await loggedInAgent(h, 'bob');
    const page = (await agent.get(`/p/${thread.id}`).expect(200)).text;
    const oat = /name="option" value="(\d+)"> <bdi>Oat<\/bdi>/.exec(page)![1]!;
    const [first, second] = await twice(agent, `/p/${thread.id}`, `/p/${thread.id}/vote`, { option: oat });
    expect([first!.status, second!.status]).to.deep.equal([303, 303]);
    const shown = await agent.get(`/p/${thread.id}`).expect(200);
    expect(shown.text).to.contain('Your vote is counted.').and.contain('1 person voted').and.not.contain('already voted');
    expect((await h.services.polls.view(thread.id, bob.id))!.options.map((o) => o.votes)).to.deep.equal([1, 0]);
  });

  it('a reaction pressed twice stays given, and pays its author once', async () => {
    const agent = await loggedInAgent(h, 'bob');
    const page = (await agent.get(`/p/${thread.id}`).expect(200)).text;
    const like = buttonValue(page, 'reaction', 'like:');
    expect(like).to.equal('like:on');
    const [first, second] = await twice(agent, `/p/${thread.id}`, `/p/${thread.id}/react`, { reaction: like });
    expect([first!.status, second!.status]).to.deep.equal([303, 303]);
    const reactions = await h.database.db.selectFrom('reactions').selectAll().where('post_id', '=', thread.id).execute();
    expect(reactions.map((r) => [r.member_id, r.kind])).to.deep.equal([[bob.id, 'like']]);
    await h.services.earning.idle();
    const entries = await h.database.db.selectFrom('ledger_entries').select('kind').where('member_id', '=', ana.id).where('rule', '=', 'reaction_received').execute();
    expect(entries.map((e) => e.kind)).to.deep.equal(['award']); // not an award and its reversal
    // Now the button offers to take it back; pressing that twice takes it back once.
    const after = (await agent.get(`/p/${thread.id}`).expect(200)).text;
    expect(buttonValue(after, 'reaction', 'like:')).to.equal('like:off');
    await twice(agent, `/p/${thread.id}`, `/p/${thread.id}/react`, { reaction: 'like:off' });
    expect(await h.database.db.selectFrom('reactions').selectAll().where('post_id', '=', thread.id).execute()).to.deep.equal([]);
    const again = (await agent.get(`/p/${thread.id}`).expect(200)).text;
    expect(buttonValue(again, 'reaction', 'like:')).to.equal('like:on');
    await h.services.earning.idle();
    const paid = await h.database.db.selectFrom('ledger_entries').select(['kind', 'amount']).where('member_id', '=', ana.id).where('rule', '=', 'reaction_received').execute();
    expect(paid).to.deep.equal([{ kind: 'award', amount: 2 }]); // one award for Bob's reaction, however often pressed
  });

  it('an idea vote sent twice stays one vote up', async () => {
    const owner = await makeMember(h, { role: 'owner', handle: 'boss' });
    const board = await h.services.spaces.create(owner, { slug: 'ideas', name: 'Ideas', description: 'Next?', visibility: 'public', kind: 'ideas' });
    const idea = await h.services.ideas.propose(ana, board, { title: 'Oat milk', body: 'Please.' });
    const agent = await loggedInAgent(h, 'bob');
    const [first, second] = await twice(agent, `/p/${idea.id}`, `/p/${idea.id}/idea-vote`, { vote: 'up' });
    expect([first!.status, second!.status]).to.deep.equal([303, 303]);
    expect(await h.services.ideas.view(idea.id, bob)).to.deep.include({ up: 1, down: 0, mine: 1 });
  });
});
