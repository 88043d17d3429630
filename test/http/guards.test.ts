import { expect } from 'chai';
import request from 'supertest';
import { PASSWORD, type TestHearth, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember, submit } from '../helpers/hearth.js';

const countPosts = async (h: TestHearth) =>
  Number((await h.database.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('what the server refuses', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth({ limits: { login_attempts_per_ip: 1000, login_attempts_per_account: 3 } });
  });
  afterEach(() => h.destroy());

  it('rejects a form without a valid CSRF token and changes nothing', async () => {
    await makeMember(h, { handle: 'eve' });
    const agent = await loggedInAgent(h, 'eve');
    const missing = await agent.post('/s/general').type('form').send({ body: 'forged' });
    expect(missing.status).to.equal(403);
    expect(missing.text).to.contain('This form has expired or was sent from another site');
    const wrong = await agent.post('/s/general').type('form').send({ body: 'forged', _csrf: 'x'.repeat(43) });
    expect(wrong.status).to.equal(403);
    // A token from another visitor's session is no good either.
    const other = await request(h.app).get('/login');
    expect((await agent.post('/s/general').type('form').send({ body: 'forged', _csrf: csrfFrom(other.text) })).status).to.equal(403);
    expect(await countPosts(h)).to.equal(0);
  });

  it('hides members-only spaces and their posts from visitors with a 404', async () => {
    const admin = await makeMember(h, { role: 'admin', handle: 'boss' });
    const staff = await h.services.spaces.create(admin, { slug: 'staff', name: 'Staff room', description: '', visibility: 'members' });
    const post = await h.services.posts.createThread(admin, staff, { title: 'Secret recipe', body: 'shh' });
    const visitor = request(h.app);
    expect((await visitor.get('/s/staff')).status).to.equal(404);
    expect((await visitor.get(`/p/${post.id}`)).status).to.equal(404);
    expect((await visitor.get('/spaces')).text).not.to.contain('Staff room');
    expect((await visitor.get('/')).text).not.to.contain('Secret recipe');
    expect((await visitor.get('/@boss')).text).not.to.contain('Secret recipe');
    const member = await loggedInAgent(h, 'boss');
    expect((await member.get('/s/staff')).status).to.equal(200);
    expect((await member.get(`/p/${post.id}`)).text).to.contain('Secret recipe');
  });

  it('logs out a suspended member at once and refuses their posts', async () => {
    const mod = await makeMember(h, { role: 'moderator', handle: 'mod' });
    const troll = await makeMember(h, { handle: 'troll' });
    const trollAgent = await loggedInAgent(h, 'troll');
    const form = await trollAgent.get('/s/general');
    const token = csrfFrom(form.text);
    const modAgent = await loggedInAgent(h, 'mod');
    const suspended = await submit(modAgent, '/admin/members', `/admin/members/${troll.id}/suspend`, { reason: 'spam' });
    expect(suspended.status).to.equal(303);
    expect((await modAgent.get('/admin/members')).text).to.match(/Suspended: <span class="muted"><bdi>spam<\/bdi><\/span>/);
    const home = await trollAgent.get('/');
    expect(home.text).not.to.contain('href="/@troll"');
    const attempt = await trollAgent.post('/s/general').type('form').send({ _csrf: token, body: 'still here' });
    expect(attempt.status).to.be.oneOf([401, 403]);
    expect(await countPosts(h)).to.equal(0);
    const page = await request(h.app).get('/login');
    const relog = await request(h.app).post('/login').type('form').set('Cookie', page.headers['set-cookie']!).send({ _csrf: csrfFrom(page.text), handle: 'troll', password: PASSWORD });
    expect(relog.status).to.equal(403);
    expect(relog.text).to.contain('This account is suspended: \u2068spam\u2069.');
    void mod;
  });

  it('answers bad input with a clear error and stores nothing', async () => {
    await makeMember(h, { handle: 'fay' });
    const agent = await loggedInAgent(h, 'fay');
    const empty = await submit(agent, '/s/general', '/s/general', { title: 'Kept title', body: '   ' });
    expect(empty.status).to.equal(422);
    expect(empty.text).to.contain('Write something first: the post is empty.').and.to.contain('value="Kept title"');
    expect(empty.text).to.match(/<p class="error" id="e-body">/);

    const huge = await submit(agent, '/s/general', '/s/general', { body: 'x'.repeat(1024 * 1024) });
    expect(huge.status).to.equal(413);
    expect(huge.text).to.contain('That was too much to send at once');

    const tooLong = await submit(agent, '/s/general', '/s/general', { body: 'y'.repeat(h.config.limits.max_post_chars + 1) });
    expect(tooLong.status).to.equal(422);
    expect(tooLong.text).to.contain('A post can be at most 20,000 characters');

    const unknown = await submit(agent, '/s/general', '/s/no-such-space', { body: 'hello' });
    expect(unknown.status).to.equal(404);
    expect((await agent.get('/p/999999')).status).to.equal(404);
    expect((await agent.get('/p/abc')).status).to.equal(404);
    expect(await countPosts(h)).to.equal(0);

    const badReaction = await submit(agent, '/s/general', '/p/1/react', { kind: 'like' });
    expect(badReaction.status).to.equal(404);
  });

  it('accepts a real image as an avatar and refuses other files by their bytes', async () => {
    await makeMember(h, { handle: 'gus' });
    const agent = await loggedInAgent(h, 'gus');
    const page = await agent.get('/settings/profile');
    const token = csrfFrom(page.text);
    const fakePng = Buffer.from('<svg onload="alert(1)"></svg>');
    const bad = await agent.post('/settings/profile').field('_csrf', token).field('displayName', 'Gus Renamed').field('bio', 'new bio').attach('avatar', fakePng, { filename: 'me.png', contentType: 'image/png' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('The avatar must be a PNG, JPEG, GIF or WebP image.').and.to.contain('value="Gus Renamed"');
    const untouched = await h.services.members.getByHandle('gus');
    expect([untouched.avatar_file, untouched.display_name, untouched.bio]).to.deep.equal([null, 'gus', '']);

    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const ok = await agent.post('/settings/profile').field('_csrf', token).field('displayName', 'Gus G.').field('bio', 'I roast.').attach('avatar', png, { filename: 'me.png', contentType: 'image/png' });
    expect(ok.status).to.equal(303);
    const gus = await h.services.members.getByHandle('gus');
    expect(gus.display_name).to.equal('Gus G.');
    expect(gus.avatar_file).to.match(/^[\w-]+\.png$/);
    const served = await request(h.app).get(`/uploads/avatars/${gus.avatar_file}`).expect(200);
    expect(served.headers['content-type']).to.equal('image/png');

    // Refused beside its field with the rest of the form kept (issue 13, fault 2), not a bare 413 page.
    const tooBig = await agent.post('/settings/profile').field('_csrf', token).field('displayName', 'Gus').attach('avatar', Buffer.concat([png, Buffer.alloc(1100 * 1024)]), 'big.png');
    expect(tooBig.status).to.equal(422);
    expect(tooBig.text).to.contain('<p class="error" id="e-avatar">That image is too large: the limit is 1,024 KB.').and.to.contain('value="Gus"');

    const noCsrf = await agent.post('/settings/profile').field('displayName', 'Hacked').attach('avatar', png, 'me.png');
    expect(noCsrf.status).to.equal(403);
    expect((await h.services.members.getByHandle('gus')).display_name).to.equal('Gus G.');
  });

  it('slows down password guessing per account with a 429', async () => {
    await makeMember(h, { handle: 'hal' });
    const agent = request.agent(h.app);
    let page = await agent.get('/login');
    for (let i = 0; i < 3; i++) {
      const r = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), handle: 'hal', password: `guess number ${i}` });
      expect(r.status).to.equal(401);
      page = r;
    }
    const blocked = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), handle: 'hal', password: PASSWORD });
    expect(blocked.status).to.equal(429);
    expect(blocked.headers['retry-after']).to.match(/^\d+$/);
    expect(blocked.text).to.contain('Too many attempts.');
  });

  it('keeps members out of admin pages and visitors out of settings', async () => {
    await makeMember(h, { handle: 'ivy' });
    const ivy = await loggedInAgent(h, 'ivy');
    expect((await ivy.get('/admin/members')).status).to.equal(403);
    expect((await ivy.get('/admin/log')).status).to.equal(403);
    const visitor = await request(h.app).get('/settings/profile');
    expect(visitor.status).to.equal(302);
    expect(visitor.headers.location).to.equal('/login?next=%2Fsettings%2Fprofile');
    const space = await generalSpace(h);
    expect(space.slug).to.equal('general');
  });
});

describe('sessions', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth();
  });
  afterEach(() => h.destroy());

  it('treats a forged session cookie as a visitor and clears it', async () => {
    await makeMember(h, { handle: 'joe' });
    const agent = await loggedInAgent(h, 'joe');
    const real = (await agent.get('/')).text;
    expect(real).to.contain('href="/@joe"');
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJ4Iiwic3ViIjoiMSJ9.' + 'A'.repeat(43);
    const res = await request(h.app).get('/').set('Cookie', `hearth_session=${forged}`).expect(200);
    expect(res.text).not.to.contain('href="/@joe"');
    expect(res.headers['set-cookie']!.toString()).to.match(/hearth_session=;/);
  });

  it('hides pending sign-ups from visitors', async () => {
    await h.services.members.create({ handle: 'mod', password: PASSWORD, role: 'moderator' });
    await h.database.db.insertInto('members').values({
      handle: 'waiting', display_name: 'W', bio: '', avatar_file: null, role: 'member', status: 'pending',
      status_reason: null, password_hash: 'x', created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
    }).execute();
    expect((await request(h.app).get('/@waiting')).status).to.equal(404);
    expect((await (await loggedInAgent(h, 'mod')).get('/@waiting')).status).to.equal(200);
  });
});
