import { expect } from 'chai';
import request from 'supertest';
import { type TestHearth, csrfFrom, makeHearth, submit } from '../helpers/hearth.js';

describe('a member journey over HTTP', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth({ community: { name: 'Bean Counter Café', rules: 'Be kind to the baristas.' } });
  });
  afterEach(() => h.destroy());

  it('signs up, posts, replies, reacts, edits and deletes', async () => {
    const agent = request.agent(h.app);
    const signup = await agent.get('/signup').expect(200);
    expect(signup.text).to.contain('Bean Counter Café').and.to.contain('Be kind to the baristas.');
    await agent
      .post('/signup')
      .type('form')
      .send({ _csrf: csrfFrom(signup.text), handle: 'ana', displayName: 'Ana', password: 'a long password', confirm: 'a long password' })
      .expect(303)
      .expect('location', '/@ana?welcome=1');

    const created = await submit(agent, '/s/general', '/s/general', { title: 'Best beans?', body: 'Which **roast** do you like?' });
    expect(created.status).to.equal(303);
    const threadPath = created.headers.location as string;
    const thread = await agent.get(threadPath).expect(200);
    expect(thread.text).to.contain('Best beans?').and.to.contain('<strong>roast</strong>');

    const replied = await submit(agent, threadPath, `${threadPath}/reply`, { body: 'The dark one.' });
    expect(replied.status).to.equal(303);
    const replyId = /#p-(\d+)/.exec(replied.headers.location as string)![1];
    const withReply = await agent.get(threadPath).expect(200);
    expect(withReply.text).to.contain('The dark one.').and.to.contain('1 reply');

    await submit(agent, threadPath, `${threadPath}/react`, { kind: 'like' }).then((r) => expect(r.status).to.equal(303));
    const liked = await agent.get(threadPath);
    expect(liked.text).to.match(/value="like:off" class="reaction mine" aria-pressed="true"[^>]*>👍 <span class="count">1<\/span>/);

    await submit(agent, `/p/${replyId}/edit`, `/p/${replyId}/edit`, { body: 'The dark one, definitely.' }).then((r) => expect(r.status).to.equal(303));
    expect((await agent.get(threadPath)).text).to.contain('The dark one, definitely.').and.to.contain('edited');

    await submit(agent, threadPath, `/p/${replyId}/delete`, {}).then((r) => expect(r.text).to.contain('Delete your post?')); // asks first (issue 13, fault 9)
    await submit(agent, threadPath, `/p/${replyId}/delete`, { confirm: '1' }).then((r) => expect(r.status).to.equal(303));
    const afterDelete = await agent.get(threadPath);
    expect(afterDelete.text).not.to.contain('The dark one');
    expect(afterDelete.text).to.contain('Deleted by its author.').and.to.contain('0 replies');

    const home = await request(h.app).get('/').expect(200);
    expect(home.text).to.contain('Best beans?');
    const profile = await request(h.app).get('/@ana').expect(200);
    expect(profile.text).to.contain('Best beans?').and.to.contain('@ana');
  });

  it('logs in and out, and a wrong password says so next to the form', async () => {
    await h.services.members.create({ handle: 'bo', password: 'bo password 1', role: 'member' });
    const agent = request.agent(h.app);
    const page = await agent.get('/login?next=/spaces');
    const wrong = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), handle: 'bo', password: 'nope nope nope', next: '/spaces' });
    expect(wrong.status).to.equal(401);
    expect(wrong.text).to.contain('That handle and password do not match.').and.to.contain('value="bo"');
    expect(wrong.text).not.to.contain('nope nope nope');
    const ok = await agent.post('/login').type('form').send({ _csrf: csrfFrom(wrong.text), handle: 'BO', password: 'bo password 1', next: '/spaces' });
    expect(ok.status).to.equal(303);
    expect(ok.headers.location).to.equal('/spaces');
    expect(ok.headers['set-cookie']!.toString()).to.match(/hearth_session=[^;]+;.*HttpOnly.*SameSite=Lax/i);
    expect((await agent.get('/')).text).to.contain('@bo');
    await submit(agent, '/', '/logout', {}).then((r) => expect(r.status).to.equal(303));
    expect((await agent.get('/')).text).not.to.contain('href="/@bo"');
  });

  it('never redirects off-site after log-in', async () => {
    await h.services.members.create({ handle: 'cy', password: 'cy password 1', role: 'member' });
    const agent = request.agent(h.app);
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), handle: 'cy', password: 'cy password 1', next: '//evil.example/' });
    expect(res.headers.location).to.equal('/');
  });

  it('changes the password and ends other sessions; log out everywhere ends this one too', async () => {
    await h.services.members.create({ handle: 'di', password: 'di password 1', role: 'member' });
    const login = async () => {
      const a = request.agent(h.app);
      const p = await a.get('/login');
      await a.post('/login').type('form').send({ _csrf: csrfFrom(p.text), handle: 'di', password: 'di password 1' }).expect(303);
      return a;
    };
    const [phone, laptop] = [await login(), await login()];
    const changed = await submit(laptop, '/settings/password', '/settings/password', { current: 'di password 1', password: 'di password 2', confirm: 'di password 2' });
    expect(changed.status).to.equal(303);
    expect((await laptop.get('/settings/password')).status).to.equal(200);
    expect((await phone.get('/settings/password')).status).to.equal(302);
    await submit(laptop, '/settings/password', '/logout/everywhere', {}).then((r) => expect(r.status).to.equal(303));
    expect((await laptop.get('/settings/profile')).headers.location).to.match(/^\/login/);
  });
});
