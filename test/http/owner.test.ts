import { expect } from 'chai';
import request from 'supertest';
import { type TestHearth, csrfFrom, loggedInAgent, makeHearth, makeMember, submit } from '../helpers/hearth.js';

describe('the owner and admins', () => {
  let h: TestHearth;
  afterEach(() => h.destroy());

  it('first run: the one-time setup link creates the owner, then stops working', async () => {
    h = await makeHearth();
    const link = h.setupPath()!;
    expect(link).to.match(/^\/setup\?token=[\w-]{20,}$/);
    expect((await request(h.app).get('/setup?token=wrong')).status).to.equal(410);
    const agent = request.agent(h.app);
    const form = await agent.get(link).expect(200);
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    const weak = await agent.post('/setup').type('form').send({ _csrf: csrfFrom(form.text), token, handle: 'owner1', password: 'short' });
    expect(weak.status).to.equal(422);
    expect(weak.text).to.contain('at least 10 characters').and.to.contain('value="owner1"');
    const done = await agent.post('/setup').type('form').send({ _csrf: csrfFrom(weak.text), token, handle: 'owner1', displayName: 'The Owner', password: 'owner password' });
    expect(done.status).to.equal(303);
    expect(done.headers.location).to.equal('/admin/members?welcome=1');
    expect((await agent.get(done.headers.location as string)).text).to.contain('Your owner account is ready');
    expect((await h.services.members.getByHandle('owner1')).role).to.equal('owner');
    expect(h.setupPath()).to.equal(null);
    expect((await request(h.app).get(link)).status).to.equal(410);
  });

  it('approval mode: an admin approves a waiting member from the admin page', async () => {
    h = await makeHearth({ membership: { mode: 'approval' } });
    await makeMember(h, { role: 'admin', handle: 'adm' });
    const visitor = request.agent(h.app);
    const signup = await visitor.get('/signup');
    expect(signup.text).to.contain('New members are approved by an admin.');
    const pending = await visitor.post('/signup').type('form').send({ _csrf: csrfFrom(signup.text), handle: 'wendy', password: 'wendy password', confirm: 'wendy password' });
    expect(pending.status).to.equal(202);
    expect(pending.text).to.contain('waiting for an admin to approve it');
    const admin = await loggedInAgent(h, 'adm');
    const list = await admin.get('/admin/members');
    expect(list.text).to.contain('Waiting for approval (1)').and.to.contain('@wendy');
    const wendy = await h.services.members.getByHandle('wendy');
    expect((await submit(admin, '/admin/members', `/admin/members/${wendy.id}/approve`, {})).status).to.equal(303);
    expect((await loggedInAgent(h, 'wendy', 'wendy password').then((a) => a.get('/'))).text).to.contain('@wendy');
    expect((await admin.get('/admin/log')).text).to.contain('@adm let @wendy in.');
  });

  it('invite mode: an admin creates an invite link that lets one person in', async () => {
    h = await makeHearth({ membership: { mode: 'invite' } });
    await makeMember(h, { role: 'owner', handle: 'own' });
    const owner = await loggedInAgent(h, 'own');
    await submit(owner, '/admin/invites', '/admin/invites', { maxUses: '1', expiresInDays: '7' }).then((r) => expect(r.status).to.equal(303));
    const invites = await owner.get('/admin/invites');
    const code = /signup\?invite=([\w-]+)/.exec(invites.text)![1]!;
    const guest = request.agent(h.app);
    const form = await guest.get(`/signup?invite=${code}`);
    expect(form.text).to.contain(`value="${code}"`);
    const joined = await guest.post('/signup').type('form').send({ _csrf: csrfFrom(form.text), handle: 'guest', password: 'guest password', confirm: 'guest password', inviteCode: code });
    expect(joined.status).to.equal(303);
    const late = request.agent(h.app);
    const form2 = await late.get('/signup');
    const refused = await late.post('/signup').type('form').send({ _csrf: csrfFrom(form2.text), handle: 'late', password: 'late password', confirm: 'late password', inviteCode: code });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.contain('That invite has already been used as many times as it allows.');
  });

  it('admins create spaces and change roles; every change is in the log', async () => {
    h = await makeHearth();
    await makeMember(h, { role: 'owner', handle: 'own' });
    const kim = await makeMember(h, { handle: 'kim' });
    const owner = await loggedInAgent(h, 'own');
    const bad = await submit(owner, '/admin/spaces', '/admin/spaces', { name: '', slug: 'Bad Slug!', visibility: 'public' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('Give the space a name.').and.to.contain('Address must be');
    const made = await submit(owner, '/admin/spaces', '/admin/spaces', { name: 'Roasting', slug: 'roasting', description: 'Beans and heat', visibility: 'public' });
    expect(made.headers.location).to.equal('/s/roasting');
    expect((await request(h.app).get('/s/roasting')).text).to.contain('Beans and heat');
    await submit(owner, '/admin/members', `/admin/members/${kim.id}/role`, { role: 'moderator' }).then((r) => expect(r.status).to.equal(303));
    expect((await h.services.members.getById(kim.id)).role).to.equal('moderator');
    const log = await owner.get('/admin/log');
    expect(log.text).to.contain('@own made @kim a moderator (was a member).');
  });

  it('moderators remove a post with a reason the thread shows', async () => {
    h = await makeHearth();
    await makeMember(h, { role: 'moderator', handle: 'mo' });
    const author = await makeMember(h, { handle: 'loud' });
    const post = await h.services.posts.createThread(author, await h.services.spaces.getVisible(null, 'general'), { body: 'BUY CHEAP WATCHES' });
    const mod = await loggedInAgent(h, 'mo');
    const res = await submit(mod, `/p/${post.id}`, `/p/${post.id}/remove`, { reason: 'Spam (rule 3)', confirm: '1' });
    expect(res.status).to.equal(303);
    const page = await request(h.app).get(`/p/${post.id}`);
    expect(page.text).to.contain('Removed by a moderator: <bdi>Spam (rule 3)</bdi>');
    expect(page.text).not.to.contain('CHEAP WATCHES');
  });

  it('reports health with the database checked', async () => {
    h = await makeHearth();
    const res = await request(h.app).get('/healthz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
    const missing = await request(h.app).get('/nowhere').expect(404);
    expect(missing.text).to.contain('There is nothing at this address.');
    expect(missing.text).not.to.match(/at \w+ \(/); // no stack traces
  });
});
