import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember, submit } from '../helpers/hearth.js';

/** Every trace of a module: the links and words its pages put on other pages. */
const TRACES = ['href="/products"', 'href="/stories"', 'href="/editorial"', 'href="/admin/products"', 'This is a question', 'Idea board', 'idea-vote', '/accept', 'Propose an idea', 'Send us your story'];

describe('ideas, Q&A, reviews and submissions switched off', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let ana: MemberRow;
  before(async () => {
    h = await makeHearth({ modules: { ideas: false, qa: false, reviews: false, submissions: false } });
    owner = await makeMember(h, { handle: 'olga', role: 'owner' });
    ana = await makeMember(h, { handle: 'ana' });
  });
  after(() => h.destroy());

  it('leaves no link, form or word of them on any page, for members and staff', async () => {
    // Content made while the modules were on stays readable as plain threads.
    const board = await h.services.spaces.create(owner, { slug: 'wishes', name: 'Wishes', description: '', visibility: 'public', kind: 'ideas' });
    const idea = await h.services.ideas.propose(ana, board, { title: 'Old idea', body: 'From before.' });
    const question = await h.services.questions.ask(ana, await generalSpace(h), { title: 'Old question', body: '?' });
    const answer = await h.services.posts.reply(owner, question.id, { body: 'An answer.' });
    await h.services.questions.accept(ana, answer.id);
    const admin = await loggedInAgent(h, 'olga');
    for (const path of ['/', '/spaces', '/s/general', '/s/wishes', `/p/${idea.id}`, `/p/${question.id}`, '/admin/spaces', '/admin/members', '/notifications']) {
      const page = await admin.get(path).expect(200);
      for (const trace of TRACES) expect(page.text, `${path} shows ${trace}`).not.to.contain(trace);
    }
    const boardPage = (await admin.get('/s/wishes')).text;
    expect(boardPage).to.contain('Start a new thread').and.contain('Old idea');
    expect((await admin.get(`/p/${question.id}`)).text).not.to.contain('Accepted answer');
  });

  it('answers 404 at every one of their addresses', async () => {
    const admin = await loggedInAgent(h, 'olga');
    for (const path of ['/products', '/products/1', '/admin/products', '/reviews/1', '/stories', '/stories/1', '/submit', '/editorial', '/editorial/1']) {
      expect((await admin.get(path)).status, path).to.equal(404);
    }
    const post = await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Hello' });
    for (const action of [`/p/${post.id}/idea-vote`, `/p/${post.id}/status`, `/p/${post.id}/accept`, `/p/${post.id}/unaccept`, '/products/1/review', '/submit', '/editorial/1/publish', '/admin/products']) {
      expect((await submit(admin, '/', action, { vote: 'up', status: 'planned' })).status, action).to.equal(404);
    }
  });

  it('makes plain threads and discussion spaces from the forms, whatever a crafted form asks', async () => {
    const agent = await loggedInAgent(h, 'ana');
    await submit(agent, '/s/general', '/s/general', { title: 'Q', body: 'Is this a question?', question: '1' });
    expect(await h.database.db.selectFrom('questions').selectAll().execute()).to.have.length(1); // only the one made above
    const admin = await loggedInAgent(h, 'olga');
    await submit(admin, '/admin/spaces', '/admin/spaces', { name: 'Board', slug: 'board', description: '', visibility: 'public', kind: 'ideas' });
    expect((await h.services.spaces.getVisible(null, 'board')).kind).to.equal('discussion');
    expect((await request(h.app).get('/s/board')).text).not.to.contain('Propose an idea');
  });
});
