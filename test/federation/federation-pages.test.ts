import { expect } from 'chai';
import { nowIso } from '../../src/core/time.js';
import { csrfFrom, loggedInAgent, makeMember, submit } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { RemoteServer } from './helpers/remote.js';

describe('the fediverse in the admin pages and settings', () => {
  let h: ServedHearth;
  let remote: RemoteServer;

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop', name: 'The Bike Shop' } });
    remote = await RemoteServer.start();
    await makeMember(h.hearth, { handle: 'boss', role: 'owner' });
    await makeMember(h.hearth, { handle: 'mod', role: 'moderator' });
    await makeMember(h.hearth, { handle: 'ana', displayName: 'Ana' });
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('shows how to follow the community, a space and a member, with follower counts', async () => {
    const fan = remote.actor('fan');
    await remote.send(fan, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: fan.id, target: `${h.url}/@ana` }), id: `${fan.id}#f` });
    const home = await (await fetch(`${h.url}/`)).text();
    // The address comes with what to do with it (issue 13, fault 8).
    expect(home).to.include(`from Mastodon or any other fediverse app: search there for <code>@bikeshop@${h.host}</code> and press Follow`);
    const space = await (await fetch(`${h.url}/s/general`)).text();
    expect(space).to.match(/0 people follow from elsewhere/);
    const member = await (await fetch(`${h.url}/@ana`)).text();
    expect(member).to.include(`@ana@${h.host}`);
    expect(member).to.match(/1 person follows from elsewhere/);
  });

  it('publishes a member’s avatar and header on their actor, and refuses a header that is not an image', async () => {
    const ana = await loggedInAgent(h.hearth, 'ana');
    const token = csrfFrom((await ana.get('/settings/profile')).text);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const bad = await ana.post('/settings/profile').field('_csrf', token).field('displayName', 'Ana').field('bio', '').attach('avatar', png, 'a.png').attach('header', Buffer.from('<svg/>'), 'h.png');
    expect(bad.status).to.equal(422);
    expect(bad.text).to.include('The header must be a PNG, JPEG, GIF or WebP image.');
    expect((await h.hearth.services.members.getByHandle('ana')).avatar_file).to.equal(null);
    const ok = await ana.post('/settings/profile').field('_csrf', token).field('displayName', 'Ana').field('bio', '').attach('avatar', png, 'a.png').attach('header', png, 'h.png');
    expect(ok.status).to.equal(303);
    const member = await h.hearth.services.members.getByHandle('ana');
    const person: any = await (await fetch(`${h.url}/@ana`, { headers: { accept: 'application/activity+json' } })).json();
    expect(person.icon).to.include({ type: 'Image', mediaType: 'image/png', url: `${h.url}/uploads/avatars/${member.avatar_file}` });
    expect(person.image).to.include({ type: 'Image', mediaType: 'image/png', url: `${h.url}/uploads/headers/${member.header_file}` });
    expect((await fetch(person.image.url)).headers.get('content-type')).to.equal('image/png');
  });

  it('lets an admin read the delivery queue by server and block and unblock a server', async () => {
    await h.hearth.database.db
      .insertInto('ap_delivery_queue')
      .values({ address: 'https://down.example/inbox', host: 'down.example', actor_id: `${h.url}/@ana`, body: '{}', attempt: 9, after_ms: Date.now(), first_ms: Date.now() - 3 * 86400_000, failed_ms: Date.now(), last_status: 503, last_error: 'gave up after 9 attempts: HTTP 503' } as never)
      .execute();
    const admin = await loggedInAgent(h.hearth, 'boss');
    const page = await admin.get('/admin/federation').expect(200);
    expect(page.text).to.include('down.example');
    expect(page.text).to.include('gave up after 9 attempts: HTTP 503');
    await submit(admin, '/admin/federation', '/admin/federation/blocks', { kind: 'domain', value: 'https://Spam.Example/', reason: 'spam waves' }).then((r) => expect(r.status).to.equal(303));
    expect(h.hearth.federation!.policy.allowsHost('spam.example')).to.equal(false);
    expect((await admin.get('/admin/federation')).text).to.include('spam waves');
    const bad = await submit(admin, '/admin/federation', '/admin/federation/blocks', { kind: 'domain', value: 'not a domain!', reason: '' });
    expect(bad.status).to.equal(422);
    await submit(admin, '/admin/federation', '/admin/federation/blocks/remove', { kind: 'domain', value: 'spam.example' });
    expect(h.hearth.federation!.policy.allowsHost('spam.example')).to.equal(true);
    await submit(admin, '/admin/federation', '/admin/federation/queue/clear', { host: 'down.example', confirm: '1' });
    expect((await admin.get('/admin/federation')).text).not.to.include('down.example');
  });

  it('keeps blocking and queue tools from moderators, and lets them resolve reports', async () => {
    const mod = await loggedInAgent(h.hearth, 'mod');
    const page = await mod.get('/admin/federation').expect(200);
    expect(page.text).not.to.include('Delivery queue');
    expect((await submit(mod, '/admin/reports', '/admin/federation/blocks', { kind: 'domain', value: 'x.example', reason: '' })).status).to.equal(403);
    const ana = await h.hearth.services.members.getByHandle('ana');
    const id = await h.hearth.services.reports.file({ reporterId: null, targetMemberId: ana.id, postId: null, comment: 'Rude replies', source: 'remote', activityId: `${remote.origin}/flags/1` });
    const reports = await mod.get('/admin/reports').expect(200);
    expect(reports.text).to.include('Rude replies');
    expect((await submit(mod, '/admin/reports', `/admin/reports/${id}/resolve`, {})).status).to.equal(303);
    expect((await mod.get('/admin/reports')).text).not.to.include('Rude replies');
    expect(await (await loggedInAgent(h.hearth, 'ana')).get('/admin/reports').then((r) => r.status)).to.equal(403);
  });

  it('lets an admin close a space to remote posts, and a member approve followers by hand', async () => {
    const admin = await loggedInAgent(h.hearth, 'boss');
    const general = await h.hearth.services.spaces.getVisible(null, 'general');
    await submit(admin, '/admin/federation', `/admin/federation/spaces/${general.id}`, { approveFollowers: '1' });
    const closed = await h.hearth.services.spaces.getVisible(null, 'general');
    expect(closed.remote_posts).to.equal(0);
    expect(closed.approve_followers).to.equal(1);
    const group: any = await (await fetch(`${h.url}/@bikeshop`, { headers: { accept: 'application/activity+json' } })).json();
    expect(group.manuallyApprovesFollowers).to.equal(true);
    expect(group.postingRestrictedToMods).to.equal(true);

    const ana = await loggedInAgent(h.hearth, 'ana');
    await submit(ana, '/settings/followers', '/settings/followers', { approveFollowers: '1' });
    const fan = remote.actor('fan2');
    await remote.send(fan, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: fan.id, target: `${h.url}/@ana` }), id: `${fan.id}#f`, published: nowIso() });
    const settings = await ana.get('/settings/followers').expect(200);
    expect(settings.text).to.include(`fan2@${remote.host}`);
    const followId = /name="followId" value="([^"]+)"/.exec(settings.text)![1]!;
    await submit(ana, '/settings/followers', '/follow-requests/decide', { followId, decision: 'accept' });
    await settle(h);
    await remote.waitFor((d) => d.body.type === 'Accept' && d.body.actor === `${h.url}/@ana` && d.body.object.id === `${fan.id}#f`);
    expect((await ana.get('/settings/followers')).text).to.include('Nobody is waiting');
  });
});
