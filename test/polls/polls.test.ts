import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PollInput } from '../../src/polls/poll.service.js';
import { codeOf, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember, type TestHearth } from '../helpers/hearth.js';

const poll = (over: Partial<PollInput> = {}): PollInput => ({ options: ['Oat', 'Whole', 'Soy'], multiple: false, closesInHours: 24, results: 'after_vote', ...over });

describe('polls', () => {
  let h: TestHearth;
  let ana: MemberRow;
  let bob: MemberRow;
  beforeEach(async () => {
    h = await makeHearth();
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
  });
  afterEach(() => h.destroy());
  const thread = async (p = poll()) => h.services.polls.createThread(ana, await generalSpace(h), { title: 'Which milk?', body: 'Vote!' }, p);

  it('refuses a poll with one option, twins or an unknown closing time, and writes no thread', async () => {
    const err = await thread(poll({ options: ['Oat', ''], closesInHours: 5 })).catch((e) => e);
    expect(err.fields).to.have.keys('options', 'closesIn');
    expect((await thread(poll({ options: ['Oat', 'oat'] })).catch((e) => e)).fields.options).to.equal('Each option must be different.');
    expect(await h.database.db.selectFrom('posts').selectAll().execute()).to.deep.equal([]);
  });

  it('takes one vote per person, one option unless the poll allows several', async () => {
    const post = await thread();
    const view = (await h.services.polls.view(post.id, null))!;
    const [oat, whole] = view.options;
    expect(await codeOf(h.services.polls.vote(bob, post.id, [oat!.id, whole!.id]))).to.equal('invalid_input');
    expect(await h.services.polls.vote(bob, post.id, [oat!.id])).to.equal(true);
    // Sent again (the same vote, or another): not an error, and the vote that stands is kept.
    expect(await h.services.polls.vote(bob, post.id, [oat!.id])).to.equal(false);
    expect(await h.services.polls.vote(bob, post.id, [whole!.id])).to.equal(false);
    const after = (await h.services.polls.view(post.id, bob.id))!;
    expect(after).to.deep.include({ votersCount: 1, voted: true, showResults: true });
    expect(after.options.map((o) => [o.name, o.votes, o.percent, o.mine])).to.deep.equal([['Oat', 1, 100, true], ['Whole', 0, 0, false], ['Soy', 0, 0, false]]);

    const multi = await thread(poll({ multiple: true, results: 'after_close' }));
    const m = (await h.services.polls.view(multi.id, null))!.options;
    await h.services.polls.vote(bob, multi.id, [m[0]!.id, m[2]!.id]);
    const hidden = (await h.services.polls.view(multi.id, bob.id))!;
    expect(hidden.showResults).to.equal(false); // results only once it closes
    expect(hidden.votersCount).to.equal(1);
  });

  it('closes at its time: no more votes, results for everyone', async () => {
    const post = await thread(poll({ results: 'after_close' }));
    await h.database.db.updateTable('polls').set({ closes_at: '2000-01-01T00:00:00.000Z' }).where('post_id', '=', post.id).execute();
    const view = (await h.services.polls.view(post.id, null))!;
    expect(view).to.deep.include({ closed: true, showResults: true });
    expect(await codeOf(h.services.polls.vote(bob, post.id, [view.options[0]!.id]))).to.equal('gone');
  });

  it('counts a vote from another server once, as Mastodon sends it (by option name)', async () => {
    const post = await thread();
    const zoe = await h.services.remote.upsertAuthor({ actorIri: 'https://mastodon.example/users/zoe', username: 'zoe', domain: 'mastodon.example', displayName: 'Zoe', summary: '', avatarUrl: null, profileUrl: null });
    expect(await h.services.polls.voteRemote(zoe.id, post.id, 'Whole')).to.equal(true);
    expect(await h.services.polls.voteRemote(zoe.id, post.id, 'Whole')).to.equal(false);
    expect(await h.services.polls.voteRemote(zoe.id, post.id, 'Soy')).to.equal(false); // single choice: one vote
    expect(await h.services.polls.voteRemote(zoe.id, post.id, 'Almond')).to.equal(false);
    expect((await h.services.polls.view(post.id, null))!.options.map((o) => o.votes)).to.deep.equal([0, 1, 0]);
  });

  describe('pages', () => {
    it('starts a thread with a poll from the space page, votes, and shows the results', async () => {
      const agent = await loggedInAgent(h, 'ana');
      const space = await agent.get('/s/general').expect(200);
      expect(space.text).to.contain('Add a poll');
      const bad = await agent.post('/s/general').type('form').send({ _csrf: csrfFrom(space.text), body: 'Vote!', pollOptions: 'Only one', pollCloses: '24', pollResults: 'after_vote' }).expect(422);
      expect(bad.text).to.contain('A poll needs at least 2 options');
      const created = await agent.post('/s/general').type('form').send({ _csrf: csrfFrom(space.text), title: 'Which milk?', body: 'Vote!', pollOptions: 'Oat\nWhole\n', pollCloses: '24', pollResults: 'after_vote' }).expect(303);
      const url = created.headers.location!;
      const page = await agent.get(url).expect(200);
      expect(page.text).to.contain('type="radio" name="option"');
      const options = [...page.text.matchAll(/name="option" value="(\d+)"/g)].map((m) => m[1]!);
      await agent.post(`${url}/vote`).type('form').send({ _csrf: csrfFrom(page.text), option: options[1] }).expect(303);
      const results = await agent.get(url).expect(200);
      expect(results.text).to.contain('<strong>100%</strong> <bdi>Whole</bdi>').and.contain('1 person voted');
      // The same form sent again (a double click) shows the result, not an error.
      const again = await agent.post(`${url}/vote`).type('form').send({ _csrf: csrfFrom(page.text), option: options[1] }).expect(303);
      const shown = await agent.get(again.headers.location!).expect(200);
      expect(shown.text).to.contain('Your vote is counted.').and.contain('<strong>100%</strong> <bdi>Whole</bdi>').and.contain('1 person voted').and.not.contain('already voted');
      const visitor = await request(h.app).get(url).expect(200);
      expect(visitor.text).to.contain('Log in to vote.');
      // After closing, a vote is refused with the reason.
      await makeMember(h, { handle: 'late' });
      const late = await loggedInAgent(h, 'late');
      const open = await late.get(url).expect(200);
      const postId = Number(url.split('/').pop());
      await h.database.db.updateTable('polls').set({ closes_at: '2000-01-01T00:00:00.000Z' }).where('post_id', '=', postId).execute();
      const closed = await late.post(`${url}/vote`).type('form').send({ _csrf: csrfFrom(open.text), option: options[0] }).expect(409);
      expect(closed.text).to.contain('This poll has closed.');
    });

    it('leaves no trace when the module is off', async () => {
      await h.destroy();
      h = await makeHearth({ modules: { polls: false } });
      const author = await makeMember(h, { handle: 'ana' });
      const agent = await loggedInAgent(h, 'ana');
      const space = await agent.get('/s/general').expect(200);
      expect(space.text).not.to.contain('Add a poll');
      const other = await h.services.polls.createThread(author, await generalSpace(h), { body: 'Poll made before the switch' }, poll());
      const page = await agent.get(`/p/${other.id}`).expect(200);
      expect(page.text).not.to.contain('id="poll"');
      await agent.post(`/p/${other.id}/vote`).type('form').send({ _csrf: csrfFrom(page.text), option: '1' }).expect(404);
    });
  });
});
