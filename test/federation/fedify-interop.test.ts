import { Accept, Announce, Create, Follow, Group } from '@fedify/fedify';
import { expect } from 'chai';
import { makeMember } from '../helpers/hearth.js';
import { FedifyPeer } from './helpers/fedify-peer.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';

/**
 * Interop with an independent implementation: Fedify 1.5 runs as a remote server on
 * 127.0.0.1 and does its own WebFinger, JSON-LD and signature checks.
 */
describe('federating with Fedify, a real ActivityPub server', () => {
  let h: ServedHearth;
  let peer: FedifyPeer;

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop', name: 'The Bike Shop' } });
    peer = await FedifyPeer.start();
  });
  after(async () => {
    await peer.close();
    await h.close();
  });

  it('finds the community, follows it, sees a member’s post announced, replies, likes and undoes', async () => {
    // WebFinger, then the actor document, through Fedify's own clients.
    const self = await peer.webfinger(`${h.url}/@bikeshop`);
    expect(self).to.equal(`${h.url}/@bikeshop`);
    const group = await peer.lookup(self!);
    expect(group).to.be.instanceOf(Group);
    const community = group as Group;
    expect(community.preferredUsername).to.equal('bikeshop');

    // Follow → Accept, which Fedify only hands over once it verified our signature.
    const follow = await peer.follow(community);
    await settle(h);
    const accept = await peer.waitFor(Accept);
    expect(accept.actorId?.href).to.equal(`${h.url}/@bikeshop`);
    const accepted = await accept.getObject();
    expect(accepted).to.be.instanceOf(Follow);
    expect(accepted?.id?.href).to.equal(follow.id?.href);
    const followers: any = await (await fetch(`${h.url}/@bikeshop/followers`, { headers: { accept: 'application/activity+json' } })).json();
    expect(followers.totalItems).to.equal(1);

    // A member posts in the community's space: the Group announces it (FEP-1b12).
    const ana = await makeMember(h.hearth, { handle: 'ana', displayName: 'Ana' });
    const general = await h.hearth.services.spaces.getVisible(null, 'general');
    const post = await h.hearth.services.posts.createThread(ana, general, { title: 'Sunday ride', body: 'Meet at 9 at the shop. #cycling' });
    await settle(h);
    const announce = await peer.waitFor(Announce);
    expect(announce.actorId?.href).to.equal(`${h.url}/@bikeshop`);
    const create = await announce.getObject();
    expect(create).to.be.instanceOf(Create);
    const note = await (create as Create).getObject();
    expect(note?.id?.href).to.equal(`${h.url}/p/${post.id}`);
    expect(note?.content?.toString()).to.include('Meet at 9 at the shop.');
    expect((create as Create).actorId?.href).to.equal(`${h.url}/@ana`);

    // A reply from Fedify appears in the thread page.
    await peer.reply(community, note!.id!, 'See you there!');
    const thread = await (await fetch(`${h.url}/p/${post.id}`)).text();
    expect(thread).to.include('See you there!');
    expect(thread).to.include('fedi@127.0.0.1');

    // A like counts; its undo takes it away.
    const like = await peer.like(community, note!.id!);
    const count = async () => (await h.hearth.database.db.selectFrom('reactions').selectAll().where('post_id', '=', post.id).execute()).length;
    expect(await count()).to.equal(1);
    expect(await (await fetch(`${h.url}/p/${post.id}`)).text()).to.match(/👍 <span class="count">1<\/span>/);
    await peer.undo(community, like);
    expect(await count()).to.equal(0);
  });
});
