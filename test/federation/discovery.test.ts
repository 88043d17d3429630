import { expect } from 'chai';
import { makeMember } from '../helpers/hearth.js';
import { type ServedHearth, serveHearth } from './helpers/hearth-server.js';

const AS = { accept: 'application/activity+json' };

describe('finding the community from another server', () => {
  let h: ServedHearth;
  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop', name: 'The Bike Shop' } });
    await makeMember(h.hearth, { handle: 'ana', displayName: 'Ana' });
    const owner = await makeMember(h.hearth, { role: 'owner' });
    await h.hearth.services.spaces.create(owner, { slug: 'rides', name: 'Group rides', description: 'Sunday rides', visibility: 'public' });
    await h.hearth.services.spaces.create(owner, { slug: 'staff', name: 'Staff room', description: '', visibility: 'members' });
  });
  after(() => h.close());

  it('answers WebFinger for the community, a space and a member, with CORS', async () => {
    for (const [name, type] of [['bikeshop', 'Group'], ['rides', 'Group'], ['ana', 'Person']] as const) {
      const res = await fetch(`${h.url}/.well-known/webfinger?resource=acct:${name}@${h.host}`);
      expect(res.status, name).to.equal(200);
      expect(res.headers.get('access-control-allow-origin')).to.equal('*');
      const jrd: any = await res.json();
      expect(jrd.subject).to.equal(`acct:${name}@${h.host}`);
      const self = jrd.links.find((l: { rel: string }) => l.rel === 'self');
      expect(self.href).to.equal(`${h.url}/@${name}`);
      const actor: any = await (await fetch(self.href, { headers: AS })).json();
      expect(actor.type).to.equal(type);
      expect(jrd.links.some((l: { rel: string }) => l.rel === 'http://webfinger.net/rel/profile-page')).to.equal(true);
    }
  });

  it('does not reveal members-only spaces or unknown names', async () => {
    for (const resource of [`acct:staff@${h.host}`, `acct:nobody@${h.host}`, 'acct:ana@elsewhere.example']) {
      const res = await fetch(`${h.url}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`);
      expect(res.status, resource).to.equal(404);
    }
    expect((await fetch(`${h.url}/@staff`, { headers: AS })).status).to.equal(404);
    expect((await fetch(`${h.url}/.well-known/webfinger?resource=nonsense`)).status).to.equal(400);
  });

  it('serves the community as a Group with a key, a shared inbox and its moderators, and never the private key', async () => {
    const res = await fetch(`${h.url}/@bikeshop`, { headers: AS });
    expect(res.headers.get('content-type')).to.match(/application\/activity\+json/);
    const text = await res.text();
    expect(text).not.to.match(/PRIVATE KEY|_meta|privateKey/);
    const group = JSON.parse(text);
    expect(group).to.include({ id: `${h.url}/@bikeshop`, type: 'Group', preferredUsername: 'bikeshop', name: 'The Bike Shop', url: `${h.url}/` });
    expect(group.publicKey.id).to.equal(`${h.url}/@bikeshop#main-key`);
    expect(group.publicKey.publicKeyPem).to.match(/BEGIN PUBLIC KEY/);
    expect(group.endpoints.sharedInbox).to.equal(`${h.url}/inbox`);
    expect(group.inbox).to.equal(`${h.url}/@bikeshop/inbox`);
    expect(group.followers).to.equal(`${h.url}/@bikeshop/followers`);
    expect(group.manuallyApprovesFollowers).to.equal(false);
    expect(group.discoverable).to.equal(true);
    const mods: any = await (await fetch(group.attributedTo, { headers: AS })).json();
    expect(mods.type).to.equal('OrderedCollection');
    expect(mods.orderedItems).to.have.length(1);
  });

  it('serves a member as a Person to servers and as a page to browsers, at the same address', async () => {
    const person: any = await (await fetch(`${h.url}/@ana`, { headers: AS })).json();
    expect(person).to.include({ type: 'Person', name: 'Ana', url: `${h.url}/@ana` });
    expect(person.icon.url).to.match(/\/static\/avatar\.svg$/);
    expect(person.published).to.be.a('string');
    const page = await fetch(`${h.url}/@ana`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).to.match(/text\/html/);
    expect(await page.text()).to.include('Ana');
    // A space's actor seen in a browser is the space's page.
    const space = await fetch(`${h.url}/@rides`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(space.status).to.equal(303);
    expect(space.headers.get('location')).to.equal('/s/rides');
  });

  it('publishes NodeInfo 2.0 and 2.1 with real usage figures', async () => {
    const index: any = await (await fetch(`${h.url}/.well-known/nodeinfo`)).json();
    expect(index.links.map((l: { href: string }) => l.href)).to.deep.equal([`${h.url}/nodeinfo/2.1`, `${h.url}/nodeinfo/2.0`]);
    const ana = await h.hearth.services.members.getByHandle('ana');
    const general = await h.hearth.services.spaces.getVisible(null, 'general');
    await h.hearth.services.posts.createThread(ana, general, { title: 'Hello', body: 'First ride of the year' });
    for (const version of ['2.0', '2.1']) {
      const res = await fetch(`${h.url}/nodeinfo/${version}`);
      const info: any = await res.json();
      expect(info.version).to.equal(version);
      expect(info.software.name).to.equal('hearth');
      expect(info.protocols).to.deep.equal(['activitypub']);
      expect(info.usage.users.total).to.equal(2);
      expect(info.usage.users.activeMonth).to.equal(1);
      expect(info.usage.users.activeHalfyear).to.equal(1);
      expect(info.usage.localPosts).to.equal(1);
      expect(info.openRegistrations).to.equal(true);
    }
    const hostMeta = await (await fetch(`${h.url}/.well-known/host-meta`)).text();
    expect(hostMeta).to.include(`template="${h.url}/.well-known/webfinger?resource={uri}"`);
  });
  it('lists the community’s public activity in its outbox, newest first', async () => {
    const outbox: any = await (await fetch(`${h.url}/@bikeshop/outbox`, { headers: AS })).json();
    expect(outbox.type).to.equal('OrderedCollection');
    const before = outbox.totalItems;
    const ana = await h.hearth.services.members.getByHandle('ana');
    const rides = await h.hearth.services.spaces.getVisible(null, 'rides');
    await h.hearth.services.posts.createThread(ana, rides, { body: 'Rides start at the shop' });
    await h.hearth.federation!.publisher.idle();
    const rideOutbox: any = await (await fetch(`${h.url}/@rides/outbox`, { headers: AS })).json();
    expect(rideOutbox.totalItems).to.equal(1);
    const page: any = await (await fetch(`${rideOutbox.first}`, { headers: AS })).json();
    const items = [page.orderedItems].flat();
    expect(items[0].type).to.equal('Announce');
    expect(items[0].object.object.content).to.include('Rides start at the shop');
    expect(before).to.be.a('number');
  });
});
