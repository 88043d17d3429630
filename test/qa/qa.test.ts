import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PostRow } from '../../src/community/post.table.js';
import { codeOf, generalSpace, loggedInAgent, makeHearth, makeMember, settleDomain, submit, type TestHearth } from '../helpers/hearth.js';
import { withoutIsolates } from '../helpers/isolates.js';

describe('questions and accepted answers', () => {
  let h: TestHearth;
  let asker: MemberRow;
  let ana: MemberRow;
  let bob: MemberRow;
  let mod: MemberRow;
  let question: PostRow;
  beforeEach(async () => {
    h = await makeHearth();
    asker = await makeMember(h, { handle: 'asker' });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    mod = await makeMember(h, { handle: 'mod', role: 'moderator' });
    question = await h.services.questions.ask(asker, await generalSpace(h), { title: 'Which grinder?', body: 'For espresso at home.' });
  });
  afterEach(() => h.destroy());
  const answer = (who: MemberRow, body: string) => h.services.posts.reply(who, question.id, { body });
  const settle = () => settleDomain(h);
  const accepted = async () => (await h.services.questions.get(question.id))!.accepted_id;

  it('lets the asker, an expert in the space or a moderator accept; nobody else', async () => {
    const a = await answer(ana, 'A burr grinder.');
    expect(await codeOf(h.services.questions.accept(bob, a.id))).to.equal('forbidden');
    await h.services.questions.accept(asker, a.id);
    expect(await accepted()).to.equal(a.id);
    const b = await answer(bob, 'A hand grinder.');
    await h.services.questions.accept(mod, b.id);
    expect(await accepted()).to.equal(b.id);
    const expert = await makeMember(h, { handle: 'expert' });
    const owner = await makeMember(h, { handle: 'olga', role: 'owner' });
    await h.services.standing.appoint(owner, question.space_id, expert.id);
    await h.services.questions.accept(expert, a.id);
    expect(await accepted()).to.equal(a.id);
  });

  it('accepts only a live, direct answer to a question; one at a time, changeable and withdrawable', async () => {
    const a = await answer(ana, 'Burr.');
    const nested = await h.services.posts.reply(bob, a.id, { body: 'Agreed.' });
    expect(await codeOf(h.services.questions.accept(asker, nested.id))).to.equal('not_answer');
    const plain = await h.services.posts.createThread(asker, await generalSpace(h), { body: 'Not a question' });
    const reply = await h.services.posts.reply(ana, plain.id, { body: 'Hi' });
    expect(await codeOf(h.services.questions.accept(asker, reply.id))).to.equal('not_question');
    const b = await answer(bob, 'Hand grinder.');
    await h.services.posts.delete(bob, b.id);
    expect(await codeOf(h.services.questions.accept(asker, b.id))).to.equal('gone');
    await h.services.questions.accept(asker, a.id);
    await h.services.questions.unaccept(asker, question.id);
    expect(await accepted()).to.equal(null);
  });

  it('pays the answerer, tells them, and takes the reward back when another answer is accepted', async () => {
    const a = await answer(ana, 'Burr.');
    const b = await answer(bob, 'Hand.');
    await h.services.questions.accept(asker, a.id);
    await settle();
    const balance = (m: MemberRow) => h.services.ledger.balance(`member:${m.id}`);
    const before = await balance(ana);
    const award = await h.database.db.selectFrom('ledger_entries').select('amount').where('source', '=', `answer:${a.id}`).executeTakeFirstOrThrow();
    expect(award.amount).to.be.greaterThan(0);
    const note = (await h.services.notifications.list(ana.id)).items.find((n) => n.kind === 'answer');
    expect(withoutIsolates(note?.text ?? '')).to.equal('Your answer to “Which grinder?” was accepted.');
    await h.services.questions.accept(asker, b.id);
    await settle();
    expect(await balance(ana)).to.equal(before - award.amount);
    expect(await h.database.db.selectFrom('ledger_entries').select('id').where('source', '=', `answer:${b.id}`).execute()).to.have.length(1);
  });

  it('tells the asker of each answer as an answer', async () => {
    await answer(ana, 'Burr.');
    await settle();
    const notes = (await h.services.notifications.list(asker.id)).items.filter((n) => n.kind !== 'badge');
    expect(notes.map((n) => [n.kind, withoutIsolates(n.text)])).to.deep.equal([['answer', '@ana answered your question “Which grinder?”: “Burr.”']]);
  });

  it('a self-accepted answer is marked but earns nothing', async () => {
    const own = await answer(asker, 'I bought a burr grinder in the end.');
    await h.services.questions.accept(asker, own.id);
    await settle();
    expect(await accepted()).to.equal(own.id);
    expect(await h.database.db.selectFrom('ledger_entries').select('id').where('source', '=', `answer:${own.id}`).execute()).to.have.length(0);
  });

  describe('in the browser’s place (HTTP)', () => {
    it('asks from the space page, answers, accepts, and shows the accepted answer first', async () => {
      const agent = await loggedInAgent(h, 'asker');
      const asked = await submit(agent, '/s/general', '/s/general', { title: 'Decaf?', body: 'Do you have decaf beans?', question: '1' });
      const id = Number(String(asked.headers.location).split('/').pop());
      expect(await h.services.questions.get(id)).to.not.equal(undefined);
      const first = await h.services.posts.reply(ana, id, { body: 'Not on Mondays.' });
      const bobAgent = await loggedInAgent(h, 'bob');
      await submit(bobAgent, `/p/${id}`, `/p/${id}/reply`, { body: 'Yes, the Swiss water one.' });
      const replies = await h.database.db.selectFrom('posts').select('id').where('parent_id', '=', id).orderBy('id').execute();
      const good = replies[replies.length - 1]!.id;
      expect((await submit(bobAgent, `/p/${id}`, `/p/${good}/accept`, {})).status).to.equal(403);
      const res = await submit(agent, `/p/${id}`, `/p/${good}/accept`, {});
      expect([res.status, res.headers.location]).to.deep.equal([303, `/p/${id}#p-${good}`]);
      const page = (await request(h.app).get(`/p/${id}`).expect(200)).text;
      expect(page).to.contain('✓ Accepted answer');
      expect(page.indexOf(`id="p-${good}"`)).to.be.lessThan(page.indexOf(`id="p-${first.id}"`));
      expect(page).to.contain('2 answers');
      const notAnswer = await submit(agent, `/p/${id}`, `/p/${id}/accept`, {});
      expect(notAnswer.status).to.equal(409);
      expect((await submit(agent, `/p/${id}`, '/p/abc/accept', {})).status).to.equal(404);
    });
  });
});
