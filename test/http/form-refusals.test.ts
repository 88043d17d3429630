import { expect } from 'chai';
import request from 'supertest';
import { formBodyLimitBytes } from '../../src/web/field-limits.js';
import { type TestHearth, csrfFrom, loggedInAgent, makeHearth, makeMember, submit } from '../helpers/hearth.js';

/** The header of a logged-in member: their handle and the log-out button, no "Log in" link. */
function expectMemberHeader(html: string, handle: string): void {
  expect(html).to.contain(`href="/@${handle}"`);
  expect(html).to.contain('action="/logout"');
  expect(html).not.to.contain('<a href="/login">Log in</a>');
}

/** The text of the element with this id (a textarea's content), unescaped for the characters used here. */
const textareaValue = (html: string, id: string): string => {
  const m = new RegExp(`<textarea id="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  if (!m) throw new Error(`no textarea #${id}`);
  return m[1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
};

describe('issue 13, fault 2: a refused form keeps what was typed and who is logged in', () => {
  let h: TestHearth;
  afterEach(() => h.destroy());

  it('an over-long post (300,000 characters) comes back in its form, text kept, the message beside the field, the member still logged in', async () => {
    h = await makeHearth();
    await makeMember(h, { handle: 'anna' });
    const agent = await loggedInAgent(h, 'anna');
    const typed = `Opening hours, a long draft. ${'Every word matters here. '.repeat(12_000)}The end.`;
    expect(typed.length).to.be.greaterThan(300_000);
    const res = await submit(agent, '/s/general', '/s/general', { title: 'Kept title', body: typed });
    expect(res.status).to.equal(422);
    expect(textareaValue(res.text, 'f-body')).to.equal(typed);
    expect(res.text).to.contain('value="Kept title"');
    expect(res.text).to.match(/<p class="error" id="e-body">A post can be at most 20,000 characters; this one has/);
    expectMemberHeader(res.text, 'anna');
  });

  it('an over-long reply, post edit and story (300,000 characters) come back in their forms with the text kept', async () => {
    h = await makeHearth();
    const anna = await makeMember(h, { handle: 'anna' });
    const agent = await loggedInAgent(h, 'anna');
    const space = await h.services.spaces.getVisible(null, 'general');
    const post = await h.services.posts.createThread(anna, space, { title: 'Hours', body: 'We open at nine.' });
    // Bigger than the old 256 KB body limit: these too came back as a bare 413 page.
    const long = 'z'.repeat(300_000);

    const reply = await submit(agent, `/p/${post.id}`, `/p/${post.id}/reply`, { body: long });
    expect(reply.status).to.equal(422);
    expect(reply.text).to.contain(long);
    expectMemberHeader(reply.text, 'anna');

    const edit = await submit(agent, `/p/${post.id}/edit`, `/p/${post.id}/edit`, { title: 'Hours', body: long });
    expect(edit.status).to.equal(422);
    expect(textareaValue(edit.text, 'f-body')).to.equal(long);

    const story = await submit(agent, '/submit', '/submit', { title: 'A story', body: long });
    expect(story.status).to.equal(422);
    expect(textareaValue(story.text, 'f-body')).to.equal(long);
    expect(story.text).to.contain('A story can be at most 20,000 characters');
  });

  it('staff forms (removal reason, idea status note, suspension reason) come back with what was typed beside its field', async () => {
    h = await makeHearth();
    const own = await makeMember(h, { handle: 'own', role: 'owner' });
    const kim = await makeMember(h, { handle: 'kim' });
    const agent = await loggedInAgent(h, 'own');
    const general = await h.services.spaces.getVisible(null, 'general');
    const post = await h.services.posts.createThread(kim, general, { title: 'Hours', body: 'We open at nine.' });
    const longReason = `Off-topic. ${'r'.repeat(h.config.limits.max_post_chars)}`;
    const removal = await submit(agent, `/p/${post.id}`, `/p/${post.id}/remove`, { reason: longReason });
    expect(removal.status).to.equal(422);
    expect(removal.text).to.contain(`value="${longReason}"`);
    expect(removal.text).to.contain(`<p class="error" id="e-reason-${post.id}">A reason can be at most 500 characters.`);
    expectMemberHeader(removal.text, 'own');

    const board = await h.services.spaces.create(own, { slug: 'ideas', name: 'Ideas', description: '', visibility: 'public', kind: 'ideas' });
    const idea = await h.services.ideas.propose(kim, board, { title: 'Oat milk', body: 'Because oat milk.' });
    const longNote = `Planned for spring. ${'n'.repeat(2000)}`;
    const status = await submit(agent, `/p/${idea.id}`, `/p/${idea.id}/status`, { status: 'planned', note: longNote });
    expect(status.status).to.equal(422);
    expect(textareaValue(status.text, 'f-note')).to.equal(longNote);
    expect(status.text).to.contain('<p class="error" id="e-note">Keep the note under 1000 characters.');

    const suspend = await submit(agent, '/admin/members', `/admin/members/${kim.id}/suspend`, { reason: '   ' });
    expect(suspend.status).to.equal(422);
    expect(suspend.text).to.contain(`<p class="error" id="e-sr-${kim.id}">Give a reason`);
    expectMemberHeader(suspend.text, 'own');
  });

  it('an image over the limit is refused beside its field, the profile as typed; the limit is shown before sending', async () => {
    h = await makeHearth({ limits: { avatar_max_kb: 64 } });
    await makeMember(h, { handle: 'anna' });
    const agent = await loggedInAgent(h, 'anna');
    const page = await agent.get('/settings/profile');
    expect(page.text).to.contain('PNG, JPEG, GIF or WebP, up to 64 KB.');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const res = await agent.post('/settings/profile').field('_csrf', csrfFrom(page.text)).field('displayName', 'Anna B.').field('bio', 'I bake on Sundays.')
      .attach('avatar', Buffer.concat([png, Buffer.alloc(100 * 1024)]), 'big.png');
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('<p class="error" id="e-avatar">That image is too large: the limit is 64 KB.');
    expect(res.text).to.contain('value="Anna B."').and.to.contain('I bake on Sundays.');
    expectMemberHeader(res.text, 'anna');
  });

  it('a body too big to read gets the 413 page with the member’s own header and says the text is still in the form', async () => {
    h = await makeHearth();
    await makeMember(h, { handle: 'anna' });
    const agent = await loggedInAgent(h, 'anna');
    const res = await submit(agent, '/s/general', '/s/general', { body: 'x'.repeat(formBodyLimitBytes(h.config) + 10) });
    expect(res.status).to.equal(413);
    expect(res.text).to.contain('your text is still in the form: go back in your browser');
    expectMemberHeader(res.text, 'anna');
  });

  it('every error page shows the header of the member logged in: 400 unreadable body, 403, 404', async () => {
    h = await makeHearth();
    await makeMember(h, { handle: 'anna' });
    const agent = await loggedInAgent(h, 'anna');
    const unreadable = await agent.post('/s/general').set('Content-Type', 'application/json').set('Accept', 'text/html').send('{"body": ');
    expect(unreadable.status).to.equal(400);
    expectMemberHeader(unreadable.text, 'anna');
    const forbidden = await agent.get('/admin/spaces');
    expect(forbidden.status).to.equal(403);
    expectMemberHeader(forbidden.text, 'anna');
    const missing = await agent.get('/no/such/page');
    expect(missing.status).to.equal(404);
    expectMemberHeader(missing.text, 'anna');    // A cut-off multipart body is the sender's fault: 400 with the header, not a logged 500.
    const cut = await agent.post('/settings/profile').set('Content-Type', 'multipart/form-data; boundary=zz').set('Accept', 'text/html').send('garbage');
    expect(cut.status).to.equal(400);
    expectMemberHeader(cut.text, 'anna');
  });

  it('an over-long event address is refused beside its field, not cut short silently', async () => {
    h = await makeHearth();
    await makeMember(h, { handle: 'olga', role: 'owner' });
    const agent = await loggedInAgent(h, 'olga');
    const form = (await agent.get('/events/new').expect(200)).text;
    expect(form).to.match(/<input id="f-address"[^>]*maxlength="500"/).and.to.contain('Up to 500 characters.');
    const general = (await h.services.spaces.getVisible(null, 'general'))!;
    const address = `Main Street ${'1'.repeat(600)}`;
    const res = await submit(agent, '/events/new', '/events', {
      spaceId: String(general.id), title: 'Cupping', description: '', startsLocal: '2030-01-05T18:00', endsLocal: '2030-01-05T20:00',
      timezone: 'UTC', address, onlineUrl: '', capacity: '',
    });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('Keep the address under 500 characters.').and.contain(`value="${address}"`);
    expect(await h.database.db.selectFrom('events').select('id').execute()).to.have.length(0);
  });

  it('forms show their limits before sending: maxlength and "Up to N characters", from the limits the services check', async () => {
    h = await makeHearth({ limits: { max_post_chars: 5000 } });
    await makeMember(h, { handle: 'own', role: 'owner' });
    const agent = await loggedInAgent(h, 'own');
    const space = (await agent.get('/s/general')).text;
    expect(space).to.match(/<textarea id="f-body" name="body"[^>]*maxlength="5000"/);
    expect(space).to.contain('Up to 5,000 characters.');
    expect(space).to.match(/<input id="f-title" name="title"[^>]*maxlength="200"/);

    const profile = (await agent.get('/settings/profile')).text;
    expect(profile).to.match(/<textarea id="f-bio" name="bio"[^>]*maxlength="1000"/);
    expect(profile).to.contain('Up to 1,000 characters.');

    const event = (await agent.get('/events/new')).text;
    expect(event).to.match(/<textarea id="f-description" name="description"[^>]*maxlength="20000"/);
    expect(event).to.contain('Up to 20,000 characters.');

    const story = (await agent.get('/submit')).text;
    expect(story).to.match(/<textarea id="f-body" name="body"[^>]*maxlength="5000"/);

    const signup = (await request(h.app).get('/signup')).text;
    expect(signup).to.contain('At least 10 characters.').and.to.match(/<input id="f-password" name="password" type="password"[^>]*maxlength="200"/);
    expect(signup).to.match(/<input id="f-displayName"[^>]*maxlength="60"/).and.to.contain('Up to 60 characters.');
    // Each attribute on its own: required and maxlength must not run into the next one.
    expect(signup).to.match(/<input id="f-handle" name="handle" type="text" value="" required autocomplete="username" maxlength="30"/);

    const rewards = (await agent.get('/admin/rewards')).text;
    expect(rewards).to.match(/<textarea id="f-description" name="description"[^>]*maxlength="2000"/);
    // Attributes a template adds (attrs=) are markup, not escaped text.
    expect(rewards).to.match(/<input id="f-price"[^>]* inputmode="numeric">/);
  });
});

describe('issue 13, fault 14: links that expire say so when opened; forms report every error at once', () => {
  let h: TestHearth;
  afterEach(() => h.destroy());

  it('a used setup link explains that the owner exists and what to do, instead of "Not found"', async () => {
    h = await makeHearth();
    const link = h.setupPath()!;
    const stale = await request(h.app).get('/setup?token=from-an-earlier-start');
    expect(stale.status).to.equal(410);
    expect(stale.text).to.contain('This setup link has expired').and.to.contain('latest log');
    const agent = request.agent(h.app);
    const form = await agent.get(link).expect(200);
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    await agent.post('/setup').type('form').send({ _csrf: csrfFrom(form.text), token, handle: 'owner1', password: 'owner password' }).expect(303);
    const used = await request(h.app).get(link);
    expect(used.status).to.equal(410);
    expect(used.text).to.contain('This setup link has been used');
    expect(used.text).to.contain('href="/login"').and.to.contain('npx hearth member create');
    expect(used.text).not.to.contain('There is nothing at this address.');
  });

  it('a revoked, expired or used-up invite says so as soon as its link is opened, with the next step', async () => {
    h = await makeHearth({ membership: { mode: 'invite' } });
    const owner = await makeMember(h, { handle: 'own', role: 'owner' });
    const revoked = await h.services.invites.create(owner, { maxUses: 1, expiresInDays: 7 });
    await h.services.invites.revoke(owner, revoked.code);
    const expired = await h.services.invites.create(owner, { maxUses: 1, expiresInDays: 7 });
    await h.database.db.updateTable('invites').set({ expires_at: '2020-01-01T00:00:00.000Z' }).where('code', '=', expired.code).execute();
    const usedUp = await h.services.invites.create(owner, { maxUses: 1, expiresInDays: 7 });
    await h.database.db.updateTable('invites').set({ uses: 1 }).where('code', '=', usedUp.code).execute();
    const fresh = await h.services.invites.create(owner, { maxUses: 1, expiresInDays: 7 });

    for (const [code, why] of [
      [revoked.code, 'withdrawn by an admin'],
      [expired.code, 'has expired'],
      [usedUp.code, 'already been used'],
      ['no-such-code', 'not one this community made'],
    ] as const) {
      const res = await request(h.app).get(`/signup?invite=${code}`);
      expect(res.status, code).to.equal(410);
      expect(res.text).to.contain('This invite no longer works').and.to.contain(why);
      expect(res.text).to.contain('for a new invite');
      expect(res.text).not.to.contain('name="password"');
    }
    const ok = await request(h.app).get(`/signup?invite=${fresh.code}`);
    expect(ok.status).to.equal(200);
    expect(ok.text).to.contain(`value="${fresh.code}"`);
  });

  it('sign-up reports every bad field at once, the invite among them', async () => {
    h = await makeHearth({ membership: { mode: 'invite' } });
    const owner = await makeMember(h, { handle: 'own', role: 'owner' });
    const invite = await h.services.invites.create(owner, { maxUses: 1, expiresInDays: 7 });
    await h.services.invites.revoke(owner, invite.code);
    const agent = request.agent(h.app);
    const page = await agent.get('/signup');
    const res = await agent.post('/signup').type('form').send({
      _csrf: csrfFrom(page.text), handle: 'x!', displayName: 'n'.repeat(61), password: 'short', confirm: 'different', inviteCode: invite.code,
    });
    expect(res.status).to.equal(422);
    for (const id of ['handle', 'displayName', 'password', 'confirm', 'inviteCode']) expect(res.text, id).to.contain(`<p class="error" id="e-${id}">`);
    expect(res.text).to.contain('withdrawn by an admin');
    expect(res.text).to.contain('value="x!"');
  });

  it('a gift to an unknown handle with a bad amount and an over-long note reports all three at once', async () => {
    h = await makeHearth();
    await makeMember(h, { handle: 'anna' });
    const agent = await loggedInAgent(h, 'anna');
    const res = await submit(agent, '/wallet', '/wallet/gift', { to: 'nobody_here', amount: 'lots', note: 'n'.repeat(400) });
    expect(res.status).to.equal(422);
    for (const id of ['to', 'amount', 'note']) expect(res.text, id).to.contain(`<p class="error" id="e-${id}">`);
    expect(res.text).to.contain('value="nobody_here"');
  });

  it('a new thread with a poll, and a new idea, report the post’s and the poll’s or idea’s problems together', async () => {
    h = await makeHearth();
    const own = await makeMember(h, { handle: 'own', role: 'owner' });
    const agent = await loggedInAgent(h, 'own');
    const poll = await submit(agent, '/s/general', '/s/general', { title: 'Lunch', body: '', pollOptions: 'Soup', pollCloses: '24', pollResults: 'after_vote' });
    expect(poll.status).to.equal(422);
    expect(poll.text).to.contain('<p class="error" id="e-body">').and.to.contain('<p class="error" id="e-pollOptions">');
    await h.services.spaces.create(own, { slug: 'ideas', name: 'Ideas', description: '', visibility: 'public', kind: 'ideas' });
    const idea = await submit(agent, '/s/ideas', '/s/ideas', { title: ' ', body: '' });
    expect(idea.status).to.equal(422);
    expect(idea.text).to.contain('<p class="error" id="e-title">').and.to.contain('<p class="error" id="e-body">');
  });

  it('changing a password reports a wrong current password and a mismatch together', async () => {
    h = await makeHearth();
    await makeMember(h, { handle: 'anna' });
    const agent = await loggedInAgent(h, 'anna');
    const res = await submit(agent, '/settings/password', '/settings/password', { current: 'not my password', password: 'a new long password', confirm: 'another one entirely' });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('<p class="error" id="e-current">').and.to.contain('<p class="error" id="e-confirm">');
  });
});
