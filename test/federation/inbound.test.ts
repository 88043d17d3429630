import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PostRow } from '../../src/community/post.table.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer } from './helpers/remote.js';

describe('activities from other servers', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let ana: MemberRow;
  let thread: PostRow;
  let mastodonUser: RemoteActor;

  const reactions = async (postId: number) =>
    h.hearth.database.db.selectFrom('reactions').select(['kind', 'member_id']).where('post_id', '=', postId).execute();
  const postCount = async () => Number((await h.hearth.database.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const vars = (actor: RemoteActor, extra: Record<string, string> = {}) => ({
    actor: actor.id, name: actor.name, origin: remote.origin, hearthHost: h.host, group: `${h.url}/@bikeshop`, ...extra,
  });

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    ana = await makeMember(h.hearth, { handle: 'ana', displayName: 'Ana' });
    const general = await h.hearth.services.spaces.getVisible(null, 'general');
    thread = await h.hearth.services.posts.createThread(ana, general, { title: 'Sunday ride', body: 'Who is in?' });
    mastodonUser = remote.actor('maria');
    await settle(h);
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('Mastodon: a follow of the community is accepted and the follower counted', async () => {
    const follow = fixture('mastodon/follow', vars(mastodonUser, { target: `${h.url}/@bikeshop` }));
    expect((await remote.send(mastodonUser, `${h.url}/@bikeshop/inbox`, follow)).status).to.equal(202);
    const accept = await remote.waitFor((d) => d.body.type === 'Accept');
    expect(accept.path).to.equal('/inbox');
    expect(accept.body.actor).to.equal(`${h.url}/@bikeshop`);
    expect(accept.body.object.id).to.equal(follow.id);
    const followers: any = await (await fetch(`${h.url}/@bikeshop/followers`, { headers: { accept: 'application/activity+json' } })).json();
    expect(followers.totalItems).to.equal(1);
    // The Accept is signed with the Group's key, as Mastodon checks.
    expect(String(accept.headers.signature)).to.include(`keyId="${h.url}/@bikeshop#main-key"`);
  });

  it('Mastodon: a reply with a mention and a hashtag joins the thread, sanitized, once', async () => {
    const create = fixture('mastodon/create-reply', vars(mastodonUser, { inReplyTo: `${h.url}/p/${thread.id}`, mentioned: `${h.url}/@ana` }));
    const before = await postCount();
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, create)).status).to.equal(202);
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, create)).status).to.equal(202);
    expect(await postCount()).to.equal(before + 1);
    const page = await (await fetch(`${h.url}/p/${thread.id}`)).text();
    expect(page).to.include('Count me in for Sunday!');
    expect(page).to.include('maria@127.0.0.1');
    expect(page).not.to.include('<script>alert');
    expect(page).not.to.include('tracker.example');
    const reply = await h.hearth.services.remote.findPost(`${mastodonUser.id}/statuses/1001`);
    expect(reply?.parent_id).to.equal(thread.id);
    expect(reply?.body_html).to.include('class="mention hashtag"');
  });

  it('shows a remote author with their avatar, served from here, and their page linking home', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d6b1a50000000049454e44ae426082', 'hex');
    remote.objects.set(`${remote.origin}/avatars/maria.png`, png);
    const page = await (await fetch(`${h.url}/p/${thread.id}`)).text();
    const handle = `maria@${remote.host}`;
    expect(page).to.include(`/media/avatars/${encodeURIComponent(handle)}`);
    expect(page).to.include(`href="${remote.origin}/@maria"`);
    const avatar = await fetch(`${h.url}/media/avatars/${encodeURIComponent(handle)}`);
    expect(avatar.headers.get('content-type')).to.equal('image/png');
    expect(Buffer.from(await avatar.arrayBuffer()).equals(png)).to.equal(true);
    // Not an image by its bytes (an SVG, say): the default avatar instead.
    remote.objects.set(`${remote.origin}/avatars/svgfan.png`, Buffer.from('<svg onload="alert(1)"/>'));
    const other = remote.actor('svgfan', { icon: { type: 'Image', url: `${remote.origin}/avatars/svgfan.png` } });
    await remote.send(other, `${h.url}/inbox`, { ...fixture('mastodon/follow', vars(other, { target: `${h.url}/@ana` })), id: `${other.id}#follows/ana` });
    const refused = await fetch(`${h.url}/media/avatars/${encodeURIComponent(`svgfan@${remote.host}`)}`, { redirect: 'manual' });
    expect(refused.status).to.equal(302);
    expect(refused.headers.get('location')).to.equal('/static/avatar.svg');
    const profile = await (await fetch(`${h.url}/@${encodeURIComponent(handle)}`)).text();
    expect(profile).to.include(`see their profile on ${remote.host}`);
    // Remote authors are not members: the admin list leaves them out.
    expect((await h.hearth.services.members.list()).some((m) => m.domain !== null)).to.equal(false);
  });

  it('Mastodon: an edit and a deletion by the author apply; by anyone else they do not', async () => {
    const other = remote.actor('mallory');
    const update = fixture('mastodon/update-note', vars(mastodonUser, { inReplyTo: `${h.url}/p/${thread.id}` }));
    const forged = { ...update, id: `${other.id}#updates/1`, actor: other.id };
    await remote.send(other, `${h.url}/inbox`, forged);
    expect((await h.hearth.services.remote.findPost(`${mastodonUser.id}/statuses/1001`))?.body_html).not.to.include('Saturday');
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, update)).status).to.equal(202);
    expect((await h.hearth.services.remote.findPost(`${mastodonUser.id}/statuses/1001`))?.body_html).to.include('Saturday too');
    const del = fixture('mastodon/delete-note', vars(mastodonUser));
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, del)).status).to.equal(202);
    const gone = await h.hearth.services.remote.findPost(`${mastodonUser.id}/statuses/1001`);
    expect(gone?.deleted_at).to.be.a('string');
  });

  it('Mastodon: a favourite of a Note IRI counts on the post, and its Undo takes it back', async () => {
    const like = fixture('mastodon/like', vars(mastodonUser, { object: `${h.url}/p/${thread.id}` }));
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, like)).status).to.equal(202);
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, like)).status).to.equal(202);
    expect(await reactions(thread.id)).to.have.length(1);
    const page = await (await fetch(`${h.url}/p/${thread.id}`)).text();
    expect(page).to.match(/👍 <span class="count">1<\/span>/);
    const undo = fixture('mastodon/undo-like', vars(mastodonUser, { object: `${h.url}/p/${thread.id}` }));
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, undo)).status).to.equal(202);
    expect(await reactions(thread.id)).to.have.length(0);
  });

  it('Mastodon: a boost of a Note IRI counts as a share', async () => {
    const boost = fixture('mastodon/announce', vars(mastodonUser, { object: `${h.url}/p/${thread.id}`, author: `${h.url}/@ana` }));
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, boost)).status).to.equal(202);
    const post = await h.hearth.database.db.selectFrom('posts').select('share_count').where('id', '=', thread.id).executeTakeFirstOrThrow();
    expect(post.share_count).to.equal(1);
  });

  it('Misskey: a reply and an emoji reaction (Like with content) count as what they are', async () => {
    const misskey = remote.actor('kana');
    const create = fixture('misskey/create-reply', vars(misskey, { inReplyTo: `${h.url}/p/${thread.id}` }));
    expect((await remote.send(misskey, `${h.url}/inbox`, create)).status).to.equal(202);
    expect(await h.hearth.services.remote.findPost(`${remote.origin}/notes/9x2k4m`)).to.not.equal(undefined);
    const reaction = fixture('misskey/reaction', vars(misskey, { object: `${h.url}/p/${thread.id}` }));
    expect((await remote.send(misskey, `${h.url}/inbox`, reaction)).status).to.equal(202);
    expect((await reactions(thread.id)).map((r) => r.kind)).to.deep.equal(['love']);
  });

  it('FEP-c0e0: an EmojiReact counts as that reaction', async () => {
    const akkoma = remote.actor('pleromian');
    const react = fixture('fep-c0e0/emoji-react', vars(akkoma, { object: `${h.url}/p/${thread.id}`, author: `${h.url}/@ana` }));
    expect((await remote.send(akkoma, `${h.url}/inbox`, react)).status).to.equal(202);
    expect((await reactions(thread.id)).map((r) => r.kind)).to.include('celebrate');
  });

  it('Lemmy: a follower posts a Page to the community Group: a new thread, announced to the followers', async () => {
    const lemmy = remote.actor('lemmings');
    const follow = fixture('lemmy/follow', vars(lemmy, { target: `${h.url}/@bikeshop` }));
    expect((await remote.send(lemmy, `${h.url}/@bikeshop/inbox`, follow)).status).to.equal(202);
    await settle(h);
    remote.received.length = 0;
    const page = fixture('lemmy/create-page', vars(lemmy));
    expect((await remote.send(lemmy, `${h.url}/@bikeshop/inbox`, page)).status).to.equal(202);
    const post = await h.hearth.services.remote.findPost(`${remote.origin}/post/55`);
    expect(post?.title).to.equal('Wax or oil for the chain?');
    expect(post?.parent_id).to.equal(null);
    await settle(h);
    const announce = await remote.waitFor((d) => d.body.type === 'Announce' && d.body.object === `${remote.origin}/post/55`);
    expect(announce.body.actor).to.equal(`${h.url}/@bikeshop`);
    const vote = fixture('lemmy/vote', vars(lemmy, { object: `${h.url}/p/${thread.id}` }));
    expect((await remote.send(lemmy, `${h.url}/@bikeshop/inbox`, vote)).status).to.equal(202);
    expect((await reactions(thread.id)).length).to.be.greaterThan(1);
  });

  it('a space closed to remote posts refuses them, even from its followers', async () => {
    const owner = await makeMember(h.hearth, { role: 'owner' });
    const workshop = await h.hearth.services.spaces.create(owner, { slug: 'workshop', name: 'Workshop', description: 'Staff posts only', visibility: 'public' });
    await h.hearth.services.spaces.setFederation(owner, workshop.id, { remotePosts: false, approveFollowers: false });
    const lemmy = remote.actor('closedfan');
    await remote.send(lemmy, `${h.url}/@workshop/inbox`, { ...fixture('lemmy/follow', vars(lemmy, { target: `${h.url}/@workshop` })), id: `${remote.origin}/activities/follow/workshop` });
    const page = fixture('lemmy/create-page', { ...vars(lemmy), group: `${h.url}/@workshop` });
    page.id = `${remote.origin}/activities/create/77`;
    page.object.id = `${remote.origin}/post/77`;
    const res = await remote.send(lemmy, `${h.url}/@workshop/inbox`, page);
    expect(res.status).to.equal(403);
    expect(res.body).to.include('does not take posts from other servers');
    expect(await h.hearth.services.remote.findPost(`${remote.origin}/post/77`)).to.equal(undefined);
  });

  it('a post addressed to a space by someone who does not follow it is refused', async () => {
    const stranger = remote.actor('stranger');
    const page = fixture('lemmy/create-page', vars(stranger));
    page.object.id = `${remote.origin}/post/66`;
    page.id = `${remote.origin}/activities/create/66`;
    expect((await remote.send(stranger, `${h.url}/inbox`, page)).status).to.equal(403);
    expect(await h.hearth.services.remote.findPost(`${remote.origin}/post/66`)).to.equal(undefined);
  });

  it('Mobilizon: a group follow is accepted and a comment reply joins the thread', async () => {
    const mobilizon = remote.actor('organiser');
    const follow = fixture('mobilizon/follow', vars(mobilizon, { target: `${h.url}/@bikeshop` }));
    expect((await remote.send(mobilizon, `${h.url}/@bikeshop/inbox`, follow)).status).to.equal(202);
    await remote.waitFor((d) => d.body.type === 'Accept' && d.body.object?.id === follow.id);
    const comment = fixture('mobilizon/create-comment', vars(mobilizon, { inReplyTo: `${h.url}/p/${thread.id}` }));
    expect((await remote.send(mobilizon, `${h.url}/inbox`, comment)).status).to.equal(202);
    expect((await (await fetch(`${h.url}/p/${thread.id}`)).text())).to.include('We will bring the tandem.');
  });

  it('Mastodon: a report (Flag) lands in the moderators’ queue, once', async () => {
    const instance = remote.actor('instance-actor');
    const flag = fixture('mastodon/flag', vars(instance, { reported: `${h.url}/@ana`, object: `${h.url}/p/${thread.id}` }));
    expect((await remote.send(instance, `${h.url}/inbox`, flag)).status).to.equal(202);
    expect((await remote.send(instance, `${h.url}/inbox`, flag)).status).to.equal(202);
    const owner = await makeMember(h.hearth, { role: 'owner' });
    const open = await h.hearth.services.reports.listOpen(owner);
    expect(open).to.have.length(1);
    expect(open[0]).to.include({ comment: 'Spam links in every reply', post_id: thread.id, target_handle: 'ana', source: 'remote' });
  });

  it('Mastodon: a Block is recorded and ends the blocker’s follow; a Move carries a follow to the new account', async () => {
    const blocker = remote.actor('blocker');
    const followersBefore = ((await (await fetch(`${h.url}/@ana/followers`, { headers: { accept: 'application/activity+json' } })).json()) as any).totalItems;
    await remote.send(blocker, `${h.url}/inbox`, { ...fixture('mastodon/follow', vars(blocker, { target: `${h.url}/@ana` })), id: `${blocker.id}#follows/1` });
    const followersOfAna = async () => ((await (await fetch(`${h.url}/@ana/followers`, { headers: { accept: 'application/activity+json' } })).json()) as any).totalItems;
    expect(await followersOfAna()).to.equal(followersBefore + 1);
    expect((await remote.send(blocker, `${h.url}/inbox`, fixture('mastodon/block', vars(blocker, { target: `${h.url}/@ana` })))).status).to.equal(202);
    expect(await followersOfAna()).to.equal(followersBefore);
    const blocks = await h.hearth.database.db.selectFrom('remote_blocks').selectAll().execute();
    expect(blocks.map((b) => b.actor_iri)).to.deep.equal([blocker.id]);

    const mover = remote.actor('mover');
    await remote.send(mover, `${h.url}/inbox`, { ...fixture('mastodon/follow', vars(mover, { target: `${h.url}/@ana` })), id: `${mover.id}#follows/1` });
    const moved = remote.actor('mover2', { alsoKnownAs: [mover.id] });
    expect((await remote.send(mover, `${h.url}/inbox`, fixture('mastodon/move', vars(mover, { newActor: moved.id })))).status).to.equal(202);
    const followers = await h.hearth.federation!.apex.store.getStream(`${h.url}/@ana/followers`, null);
    const ids = followers.map((f: { actor: { id: string }[] }) => f.actor[0]!.id);
    expect(ids).to.include(moved.id);
    expect(ids).not.to.include(mover.id);
  });

  it('Mastodon: an Undo of a follow removes the follower', async () => {
    const undo = fixture('mastodon/undo-follow', vars(mastodonUser, { target: `${h.url}/@bikeshop` }));
    const count = async () => ((await (await fetch(`${h.url}/@bikeshop/followers`, { headers: { accept: 'application/activity+json' } })).json()) as any).totalItems;
    const before = await count();
    expect((await remote.send(mastodonUser, `${h.url}/inbox`, undo)).status).to.equal(202);
    expect(await count()).to.equal(before - 1);
  });
});
