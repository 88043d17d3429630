import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import type { Mail } from '../../src/notifications/mailer.js';
import { codeOf, csrfFrom, loggedInAgent, makeHearth, makeMember, settleDomain, submit, type TestHearth } from '../helpers/hearth.js';
import { withoutIsolates } from '../helpers/isolates.js';
const story = { title: 'How I met my barista', body: 'It was a rainy Tuesday.' };

describe('story submissions', () => {
  let h: TestHearth;
  let ana: MemberRow;
  let bob: MemberRow;
  let editor: MemberRow;
  beforeEach(async () => {
    h = await makeHearth();
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    editor = await makeMember(h, { handle: 'editor', role: 'moderator' });
  });
  afterEach(() => h.destroy());
  const settle = () => settleDomain(h);

  it('moves submitted → approved → published, or → rejected, and nowhere else', async () => {
    const s = await h.services.stories.submit({ member: ana }, story);
    expect(s.status).to.equal('submitted');
    expect(await codeOf(h.services.stories.publish(editor, s.id))).to.equal('bad_transition');
    await h.services.stories.approve(editor, s.id, 'Lovely');
    expect(await codeOf(h.services.stories.approve(editor, s.id, ''))).to.equal('bad_transition');
    const published = await h.services.stories.publish(editor, s.id);
    expect(published.status).to.equal('published');
    expect(await codeOf(h.services.stories.reject(editor, s.id, 'Too late'))).to.equal('bad_transition');
    expect(await codeOf(h.services.stories.edit(editor, s.id, story))).to.equal('bad_transition');
    const other = await h.services.stories.submit({ member: bob }, story);
    expect((await h.services.stories.reject(editor, other.id, ' ').catch((e) => e)).fields).to.have.key('reason');
    await h.services.stories.reject(editor, other.id, 'We ran a similar one last week.');
    expect(await codeOf(h.services.stories.approve(editor, other.id, ''))).to.equal('bad_transition');
  });

  it('only editors (moderators and up) edit, decide and publish; members read only their own until published', async () => {
    const s = await h.services.stories.submit({ member: ana }, story);
    for (const step of [() => h.services.stories.approve(bob, s.id, ''), () => h.services.stories.reject(ana, s.id, 'no'), () => h.services.stories.edit(ana, s.id, story), () => h.services.stories.queue(ana)]) {
      expect(await codeOf(step())).to.equal('forbidden');
    }
    expect(await codeOf(h.services.stories.getFor(bob, s.id))).to.equal('not_found');
    expect(await codeOf(h.services.stories.getFor(null, s.id))).to.equal('not_found');
    expect((await h.services.stories.getFor(ana, s.id)).title).to.equal(story.title);
    const edited = await h.services.stories.edit(editor, s.id, { title: 'Meeting my barista', body: 'It was a *rainy* Tuesday.' });
    expect(edited).to.include({ title: 'Meeting my barista', edited_by: editor.id });
    expect(edited.body_html).to.contain('<em>rainy</em>');
  });

  it('lets the author withdraw a story until the editors decide, and nobody else', async () => {
    const s = await h.services.stories.submit({ member: ana }, story);
    expect(await codeOf(h.services.stories.withdraw(bob, s.id))).to.equal('not_found');
    await h.services.stories.withdraw(ana, s.id);
    expect(await h.database.db.selectFrom('stories').selectAll().execute()).to.deep.equal([]);
    const decided = await h.services.stories.submit({ member: ana }, story);
    await h.services.stories.approve(editor, decided.id, '');
    expect(await codeOf(h.services.stories.withdraw(ana, decided.id))).to.equal('bad_transition');
  });

  it('tells the author at each step and pays them when it is published', async () => {
    const s = await h.services.stories.submit({ member: ana }, story);
    await h.services.stories.approve(editor, s.id, 'We will run it Friday.');
    await h.services.stories.publish(editor, s.id);
    const r = await h.services.stories.submit({ member: ana }, { title: 'Second', body: 'More.' });
    await h.services.stories.reject(editor, r.id, 'Too short.');
    await settle();
    const notes = (await h.services.notifications.list(ana.id)).items.filter((n) => n.kind === 'submission').map((n) => withoutIsolates(n.text));
    expect(notes).to.deep.equal([
      'Your story “Second” was not accepted: Too short.',
      'Your story “How I met my barista” is published.',
      'Your story “How I met my barista” was accepted by the editors: We will run it Friday.',
    ]);
    const paid = await h.database.db.selectFrom('ledger_entries').select('amount').where('source', '=', `story:${s.id}`).execute();
    expect(paid).to.have.length(1);
  });

  it('takes visitors’ stories only when config allows, with a name and a real-looking e-mail, and answers them by e-mail', async () => {
    expect(await codeOf(h.services.stories.submit({ visitor: { name: 'Vera', email: 'vera@example.com' } }, story))).to.equal('login_required');
    await request(h.app).get('/submit').expect(302).expect('location', '/login?next=%2Fsubmit');
    await h.destroy();
    const sent: Mail[] = [];
    h = await makeHearth({ submissions: { visitors: true } }, { mailer: { send: async (m) => void sent.push(m) } });
    editor = await makeMember(h, { handle: 'editor', role: 'moderator' });
    const page = await request.agent(h.app).get('/submit').expect(200);
    expect(page.text).to.contain('Your e-mail address');
    const agent = request.agent(h.app);
    const form = await agent.get('/submit');
    const bad = await agent.post('/submit').type('form').send({ _csrf: csrfFrom(form.text), name: '', email: 'not-an-address', ...story });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('Tell us your name').and.contain('Give an e-mail address');
    const ok = await agent.post('/submit').type('form').send({ _csrf: csrfFrom(form.text), name: 'Vera', email: 'Vera@Example.com', ...story });
    expect([ok.status, ok.headers.location]).to.deep.equal([303, '/submit?sent=1']);
    const [row] = await h.database.db.selectFrom('stories').selectAll().execute();
    expect(row).to.include({ author_id: null, visitor_name: 'Vera', visitor_email: 'vera@example.com' });
    await h.services.stories.reject(editor, row!.id, 'Not about the café.');
    await h.services.notificationSubscribers.idle();
    expect(sent).to.have.length(1);
    expect(sent[0]).to.include({ to: 'vera@example.com' });
    expect(withoutIsolates(sent[0]!.text)).to.contain('was not accepted: Not about the café.');
  });

  describe('in the browser’s place (HTTP)', () => {
    it('a member sends a story; the editor edits, approves and publishes it; it is public with the byline', async () => {
      const agent = await loggedInAgent(h, 'ana');
      const empty = await submit(agent, '/submit', '/submit', { title: '', body: '' });
      expect(empty.status).to.equal(422);
      expect(empty.text).to.contain('Give your story a title.');
      expect((await submit(agent, '/submit', '/submit', story)).status).to.equal(303);
      const mine = (await agent.get('/submit?sent=1').expect(200)).text;
      expect(mine).to.contain('Thank you!').and.contain('waiting for the editors').and.contain('Withdraw');
      const [row] = await h.database.db.selectFrom('stories').select('id').execute();
      const id = row!.id;
      await agent.get('/editorial').expect(403);
      await request(h.app).get(`/stories/${id}`).expect(404);
      const ed = await loggedInAgent(h, 'editor');
      expect((await ed.get('/editorial').expect(200)).text).to.contain(story.title);
      expect((await submit(ed, `/editorial/${id}`, `/editorial/${id}`, { title: 'Meeting my barista', body: story.body })).status).to.equal(303);
      const noReason = await submit(ed, `/editorial/${id}`, `/editorial/${id}/reject`, { reason: '' });
      expect(noReason.status).to.equal(422);
      expect(noReason.text).to.contain('Tell the author why');
      expect((await submit(ed, `/editorial/${id}`, `/editorial/${id}/approve`, { note: 'Great' })).status).to.equal(303);
      const pub = await submit(ed, '/editorial', `/editorial/${id}/publish`, { confirm: '1' });
      expect([pub.status, pub.headers.location]).to.deep.equal([303, `/stories/${id}`]);
      const page = (await request(h.app).get(`/stories/${id}`).expect(200)).text;
      expect(page).to.contain('Meeting my barista').and.contain('href="/@ana"');
      expect((await request(h.app).get('/stories').expect(200)).text).to.contain('Meeting my barista');
      const again = await submit(ed, '/editorial', `/editorial/${id}/publish`, {});
      expect(again.status).to.equal(409);
      // Ana sends another and thinks better of it.
      await submit(agent, '/submit', '/submit', { title: 'Second thoughts', body: 'Hmm.' });
      const second = await h.database.db.selectFrom('stories').select('id').where('title', '=', 'Second thoughts').executeTakeFirstOrThrow();
      expect((await submit(agent, '/submit', `/submit/${id}/withdraw`, {})).status).to.equal(409);
      expect((await submit(agent, '/submit', `/submit/${second.id}/withdraw`, {})).status).to.equal(200); // asks first (issue 13, fault 9)
      expect((await submit(agent, '/submit', `/submit/${second.id}/withdraw`, { confirm: '1' })).status).to.equal(303);
      expect((await agent.get('/submit')).text).not.to.contain('Second thoughts');
    });
  });
});
