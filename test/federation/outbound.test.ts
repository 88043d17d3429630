import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import { verifyRequest } from '../../src/federation/http-signatures.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type Delivery, type RemoteActor, RemoteServer } from './helpers/remote.js';

describe('what members’ actions send to other servers', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let ana: MemberRow;
  let follower: RemoteActor;

  const of = (type: string, pred: (d: Delivery) => boolean = () => true) => remote.received.filter((d) => d.body.type === type && pred(d));
  const general = () => h.hearth.services.spaces.getVisible(null, 'general');

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    ana = await makeMember(h.hearth, { handle: 'ana', displayName: 'Ana' });
    follower = remote.actor('maria');
    // Maria follows both Ana and the community.
    for (const target of ['ana', 'bikeshop']) {
      await remote.send(follower, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: follower.id, target: `${h.url}/@${target}` }), id: `${follower.id}#follows/${target}` });
    }
    await settle(h);
    remote.received.length = 0;
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('a new post goes out as a signed Create from the member and an Announce from the Group, once per shared inbox', async () => {
    const post = await h.hearth.services.posts.createThread(ana, await general(), { title: 'Winter hours', body: 'Open 10–6. Ask @maria@' + remote.host + ' #hours' });
    await settle(h);
    const creates = of('Create');
    // Maria follows Ana and is mentioned: her server's shared inbox gets the Create once.
    expect(creates).to.have.length(1);
    const create = creates[0]!;
    expect(create.path).to.equal('/inbox');
    expect(create.body.actor).to.equal(`${h.url}/@ana`);
    expect(create.body.object).to.include({ id: `${h.url}/p/${post.id}`, type: 'Article', name: 'Winter hours', audience: `${h.url}/@bikeshop` });
    expect(create.body.object.to).to.deep.equal('https://www.w3.org/ns/activitystreams#Public');
    const tags = [create.body.object.tag].flat();
    expect(tags).to.deep.include({ type: 'Mention', href: follower.id, name: `@maria@${remote.host}` });
    expect(tags.some((t: { type: string; name: string }) => t.type === 'Hashtag' && t.name === '#hours')).to.equal(true);
    const announce = of('Announce')[0]!;
    expect(announce.body.actor).to.equal(`${h.url}/@bikeshop`);
    expect(announce.body.object.id).to.equal(create.body.id);
    // Mastodon fetches an announced activity by its id to show the boost: it is public.
    const fetched: any = await (await fetch(create.body.id, { headers: { accept: 'application/activity+json' } })).json();
    expect(fetched).to.include({ id: create.body.id, type: 'Create', actor: `${h.url}/@ana` });
    expect(fetched.object.id).to.equal(`${h.url}/p/${post.id}`);
    expect(JSON.stringify(fetched)).not.to.match(/_meta|privateKey/);
    // Signed the way Mastodon checks: the member's key, (request-target) host date digest.
    const anaKey: any = await (await fetch(`${h.url}/@ana`, { headers: { accept: 'application/activity+json' } })).json();
    expect(String(create.headers.signature)).to.match(/headers="\(request-target\) host date digest/);
    const signer = await verifyRequest({ method: 'POST', path: create.path, headers: create.headers, body: create.raw }, async (keyId) =>
      keyId === anaKey.publicKey.id ? { owner: anaKey.id, publicKeyPem: anaKey.publicKey.publicKeyPem } : null,
    );
    expect(signer.owner).to.equal(`${h.url}/@ana`);
  });

  it('edits, deletions and moderator removals follow as Update and Delete', async () => {
    const post = await h.hearth.services.posts.createThread(ana, await general(), { body: 'Typo here' });
    await settle(h);
    remote.received.length = 0;
    await h.hearth.services.posts.edit(ana, post.id, { body: 'No typo here' });
    await settle(h);
    const update = of('Update')[0]!;
    expect(update.body.object.content).to.include('No typo here');
    await h.hearth.services.posts.delete(ana, post.id);
    await settle(h);
    const del = of('Delete')[0]!;
    expect(del.body.object).to.include({ id: `${h.url}/p/${post.id}`, type: 'Tombstone' });
    const owner = await makeMember(h.hearth, { role: 'owner' });
    const other = await h.hearth.services.posts.createThread(ana, await general(), { body: 'Buy cheap watches' });
    await settle(h);
    await h.hearth.services.moderation.removePost(owner, other.id, 'spam');
    await settle(h);
    expect(of('Delete', (d) => d.body.object?.id === `${h.url}/p/${other.id}`)).to.have.length(1);
    // The object itself now reads as gone.
    expect((await fetch(`${h.url}/p/${other.id}`, { headers: { accept: 'application/activity+json' } })).status).to.equal(410);
  });

  it('reactions go out as Like or EmojiReact, and taking one back as Undo', async () => {
    const remotePost = fixture('mastodon/create-reply', { actor: follower.id, name: 'maria', origin: remote.origin, hearthHost: h.host, inReplyTo: `${h.url}/p/1`, mentioned: `${h.url}/@ana` });
    await remote.send(follower, `${h.url}/inbox`, remotePost);
    const reply = (await h.hearth.services.remote.findPost(`${follower.id}/statuses/1001`))!;
    await settle(h);
    remote.received.length = 0;
    await h.hearth.services.reactions.toggle(ana, reply.id, 'like');
    await h.hearth.services.reactions.toggle(ana, reply.id, 'celebrate');
    await settle(h);
    expect(of('Like')[0]!.body.object).to.equal(`${follower.id}/statuses/1001`);
    expect(of('EmojiReact')[0]!.body).to.include({ object: `${follower.id}/statuses/1001`, content: '🎉' });
    await h.hearth.services.reactions.toggle(ana, reply.id, 'like');
    await settle(h);
    const undo = of('Undo')[0]!;
    expect(undo.body.object.type).to.equal('Like');
    expect(undo.body.object.id).to.equal(of('Like')[0]!.body.id);
  });

  it('a changed profile goes out as an Update of the Person to the member’s followers', async () => {
    remote.received.length = 0;
    await h.hearth.services.members.updateProfile(ana.id, { displayName: 'Ana the Mechanic', bio: 'Fixes *everything*' });
    await settle(h);
    const update = of('Update', (d) => d.body.object?.type === 'Person')[0]!;
    expect(update.body.actor).to.equal(`${h.url}/@ana`);
    expect(update.body.object).to.include({ id: `${h.url}/@ana`, name: 'Ana the Mechanic' });
    expect(update.body.object.summary).to.include('<em>everything</em>');
    expect(JSON.stringify(update.body)).not.to.match(/PRIVATE KEY|privateKey/);
  });

  it('never sends anything from a members-only space', async () => {
    const owner = await makeMember(h.hearth, { role: 'owner' });
    const staff = await h.hearth.services.spaces.create(owner, { slug: 'staff', name: 'Staff', description: '', visibility: 'members' });
    remote.received.length = 0;
    const post = await h.hearth.services.posts.createThread(ana, staff, { body: 'Inventory is Tuesday' });
    await h.hearth.services.reactions.toggle(ana, post.id, 'like');
    await settle(h);
    expect(remote.received).to.have.length(0);
    expect((await fetch(`${h.url}/p/${post.id}`, { headers: { accept: 'application/activity+json' } })).status).to.equal(404);
    // Nor does anything from outside reach it, even with a guessed id.
    for (const type of ['Like', 'Announce']) {
      await remote.send(follower, `${h.url}/inbox`, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${follower.id}#${type}/${post.id}`, type, actor: follower.id, object: `${h.url}/p/${post.id}` });
    }
    const reply = fixture('mastodon/create-reply', { actor: follower.id, name: 'maria', origin: remote.origin, hearthHost: h.host, inReplyTo: `${h.url}/p/${post.id}`, mentioned: `${h.url}/@ana` });
    reply.id = `${follower.id}/statuses/secret/activity`;
    reply.object.id = `${follower.id}/statuses/secret`;
    await remote.send(follower, `${h.url}/inbox`, reply);
    const after = await h.hearth.database.db.selectFrom('posts').select(['reply_count', 'share_count']).where('id', '=', post.id).executeTakeFirstOrThrow();
    expect(after).to.deep.equal({ reply_count: 0, share_count: 0 });
    expect(await h.hearth.database.db.selectFrom('reactions').select('member_id').where('post_id', '=', post.id).execute()).to.have.length(1);
  });

  it('does not broadcast collection Updates after likes and follows (apex defect)', async () => {
    const queued = await h.hearth.database.db.selectFrom('ap_streams').select(['type', 'doc']).where('type', '=', 'Update').execute();
    const collectionUpdates = queued.filter((r) => /"type":"(Ordered)?Collection"/.test(JSON.parse(r.doc).object ? JSON.stringify(JSON.parse(r.doc).object) : ''));
    expect(collectionUpdates).to.have.length(0);
    expect(remote.received.filter((d) => d.body.type === 'Update' && /Collection/.test(d.body.object?.type ?? ''))).to.have.length(0);
  });

  it('asks for approval when a member approves followers by hand, then accepts or rejects from the web page', async () => {
    const shy = await makeMember(h.hearth, { handle: 'shy' });
    await h.hearth.database.db.updateTable('members').set({ approve_followers: 1 }).where('id', '=', shy.id).execute();
    const a = remote.actor('fan1');
    const b = remote.actor('fan2');
    for (const fan of [a, b]) {
      await remote.send(fan, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: fan.id, target: `${h.url}/@shy` }), id: `${fan.id}#follows/shy` });
    }
    await settle(h);
    expect(of('Accept', (d) => d.body.actor === `${h.url}/@shy`)).to.have.length(0);
    const viewer = { id: shy.id, role: shy.role, handle: shy.handle };
    const pending = await h.hearth.federation!.follows.pendingFor(viewer);
    expect(pending.map((p) => p.followerIri)).to.deep.equal([a.id, b.id]);
    await h.hearth.federation!.follows.decide(viewer, pending[0]!.followId, true);
    await h.hearth.federation!.follows.decide(viewer, pending[1]!.followId, false);
    await settle(h);
    expect(of('Accept', (d) => d.body.actor === `${h.url}/@shy`)).to.have.length(1);
    expect(of('Reject', (d) => d.body.actor === `${h.url}/@shy`)).to.have.length(1);
    const followers: any = await (await fetch(`${h.url}/@shy/followers`, { headers: { accept: 'application/activity+json' } })).json();
    expect(followers.totalItems).to.equal(1);
    expect(await h.hearth.federation!.follows.pendingFor(viewer)).to.have.length(0);
  });
});

