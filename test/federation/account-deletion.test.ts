import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PostRow } from '../../src/community/post.table.js';
import type { SpaceRow } from '../../src/community/space.table.js';
import type { EventRow } from '../../src/events/event.table.js';
import { makeMember, settleDomain } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer } from './helpers/remote.js';

const AS = { headers: { accept: 'application/activity+json' } };
const soon = (days: number, time: string) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;

/**
 * A known remote account deletes itself (Mastodon's self-Delete; its actor then answers
 * 410): everything it still has in effect here goes, in one transaction, the way each
 * piece goes when it is removed on its own, and it cannot come back.
 */
describe('a remote account deleted on its own server', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let ana: MemberRow;
  let bob: MemberRow;
  let board: SpaceRow;
  let thread: PostRow;
  let other: PostRow;
  let idea: PostRow;
  let poll: PostRow;
  let event: EventRow;

  const db = () => h.hearth.database.db;
  const send = (who: RemoteActor, activity: unknown) => remote.send(who, `${h.url}/inbox`, activity);
  const postOf = (id: number) => db().selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const reactionsBy = async (m: MemberRow) => db().selectFrom('reactions').selectAll().where('member_id', '=', m.id).execute();
  const followers = async () => ((await (await fetch(`${h.url}/@bikeshop/followers`, AS)).json()) as { totalItems: number }).totalItems;
  const followerIds = async () => (await h.hearth.federation!.apex.store.getStream(`${h.url}/@bikeshop/followers`, null)).map((f: { actor: { id: string }[] }) => f.actor[0]!.id);

  /** Zoe-like engagement: follows the community, replies, reacts, boosts, votes on an idea and a poll, RSVPs. */
  async function engage(who: RemoteActor, n: number, rsvp: 'join' | 'maybe'): Promise<MemberRow> {
    const v = { actor: who.id, name: who.name, origin: remote.origin, hearthHost: h.host };
    const ok = async (activity: Record<string, any>) => expect((await send(who, activity)).status).to.equal(202);
    await ok({ ...fixture('mastodon/follow', { actor: who.id, target: `${h.url}/@bikeshop` }), id: `${who.id}#follows/${n}` });
    await ok(fixture('mastodon/create-reply', { ...v, inReplyTo: `${h.url}/p/${thread.id}`, mentioned: `${h.url}/@ana` }));
    await ok({ ...fixture('mastodon/like', { actor: who.id, object: `${h.url}/p/${thread.id}` }), id: `${who.id}#likes/1` });
    await ok({ ...fixture('fep-c0e0/emoji-react', { ...v, object: `${h.url}/p/${other.id}`, author: `${h.url}/@ana` }), id: `${who.id}#reacts/1` });
    await ok({ ...fixture('mastodon/announce', { actor: who.id, object: `${h.url}/p/${other.id}`, author: `${h.url}/@ana` }), id: `${who.id}/statuses/2002/activity` });
    await ok({ ...fixture('lemmy/vote', { ...v, object: `${h.url}/p/${idea.id}`, group: `${h.url}/@wishes` }), id: `${who.id}#votes/idea` });
    await ok({
      '@context': 'https://www.w3.org/ns/activitystreams', id: `${who.id}#votes/1/activity`, type: 'Create', actor: who.id, to: [`${h.url}/@ana`],
      object: { id: `${who.id}#votes/1`, type: 'Note', name: 'Evenings', attributedTo: who.id, inReplyTo: `${h.url}/p/${poll.id}`, to: [`${h.url}/@ana`] },
    });
    const join = rsvp === 'join'
      ? { '@context': 'https://www.w3.org/ns/activitystreams', id: `${who.id}#join/${n}`, type: 'Join', actor: who.id, object: `${h.url}/events/${event.id}` }
      : { '@context': 'https://www.w3.org/ns/activitystreams', id: `${who.id}#maybe/${n}`, type: 'TentativeAccept', actor: who.id, object: `${h.url}/events/${event.id}` };
    await ok(join);
    await settle(h);
    await settleDomain(h.hearth);
    return (await h.hearth.services.remote.findAuthor(who.id))!;
  }

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    const owner = await makeMember(h.hearth, { handle: 'olga', role: 'owner' });
    ana = await makeMember(h.hearth, { handle: 'ana' });
    bob = await makeMember(h.hearth, { handle: 'bob' });
    const general = await h.hearth.services.spaces.getVisible(null, 'general');
    board = await h.hearth.services.spaces.create(owner, { slug: 'wishes', name: 'Wishes', description: '', visibility: 'public', kind: 'ideas' });
    thread = await h.hearth.services.posts.createThread(ana, general, { title: 'Sunday ride', body: 'Who is in?' });
    other = await h.hearth.services.posts.createThread(ana, general, { title: 'Chain wax', body: 'Hot or drip?' });
    idea = await h.hearth.services.ideas.propose(ana, board, { title: 'Tubeless service', body: 'Please.' });
    poll = await h.hearth.services.polls.createThread(ana, general, { title: 'Opening hours?', body: 'Choose.' }, { options: ['Mornings', 'Evenings'], multiple: false, closesInHours: 24, results: 'after_vote' });
    event = await h.hearth.services.events.create(owner, {
      spaceId: general.id, title: 'Repair café', description: '', startsLocal: soon(5, '18:00'), endsLocal: soon(5, '20:00'), timezone: 'UTC', address: '', onlineUrl: '', capacity: 1,
    });
    await settle(h);
    await settleDomain(h.hearth);
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('withdraws everything live in one transaction: a failure midway changes nothing, and the retry applies it', async () => {
    const crasher = remote.actor('crasher');
    const member = await engage(crasher, 1, 'maybe');
    const reply = (await h.hearth.services.remote.findPost(`${crasher.id}/statuses/1001`))!;
    const events = h.hearth.services.events;
    const withdrawAll = events.withdrawAll;
    events.withdrawAll = async () => {
      throw new Error('the disk is full');
    };
    try {
      remote.gone.add(crasher.id);
      const failed = await send(crasher, fixture('mastodon/delete-actor', { actor: crasher.id }));
      expect(failed.status).to.equal(500);
    } finally {
      events.withdrawAll = withdrawAll;
    }
    expect((await postOf(reply.id)).deleted_at).to.equal(null);
    expect(await reactionsBy(member)).to.have.length(2);
    expect((await postOf(other.id)).share_count).to.equal(1);
    expect(await h.hearth.services.ideas.view(idea.id, null)).to.deep.include({ up: 1 });
    expect((await h.hearth.services.polls.view(poll.id, null))!.votersCount).to.equal(1);
    expect((await events.rsvpOf(event.id, member.id))?.status).to.equal('maybe');
    expect((await h.hearth.services.remote.findAuthor(crasher.id))!.status).to.equal('active');
    expect(await followerIds()).to.include(crasher.id);

    // The failed delivery was not kept: the sender's retry applies it.
    const retry = await send(crasher, fixture('mastodon/delete-actor', { actor: crasher.id }));
    expect(JSON.parse(retry.body)).to.deep.equal({ outcome: 'applied' });
    expect((await postOf(reply.id)).deleted_at).to.be.a('string');
    expect(await reactionsBy(member)).to.have.length(0);
    expect((await postOf(other.id)).share_count).to.equal(0);
    expect(await h.hearth.services.ideas.view(idea.id, null)).to.deep.include({ up: 0 });
    expect((await h.hearth.services.polls.view(poll.id, null))!.votersCount).to.equal(0);
    expect((await events.rsvpOf(event.id, member.id))?.status).to.equal('not_going');
    expect(await followerIds()).not.to.include(crasher.id);
  });

  it('leaves placeholders, corrected counts, the next in line seated, no follower, and the awards taken back', async () => {
    const earnedBefore = await h.hearth.services.standing.earned(ana.id);
    const followersBefore = await followers();
    const leaver = remote.actor('leaver');
    const member = await engage(leaver, 2, 'join');
    expect((await h.hearth.services.events.rsvpOf(event.id, member.id))?.status).to.equal('going');
    expect(await h.hearth.services.events.rsvp(bob, event.id, 'going')).to.equal('waiting');
    const reply = (await h.hearth.services.remote.findPost(`${leaver.id}/statuses/1001`))!;
    expect(await h.hearth.services.standing.earned(ana.id)).to.be.greaterThan(earnedBefore);
    expect(await followers()).to.equal(followersBefore + 1);
    const repliesBefore = (await postOf(thread.id)).reply_count;

    remote.gone.add(leaver.id);
    const res = await send(leaver, fixture('mastodon/delete-actor', { actor: leaver.id }));
    expect(res.status).to.equal(202);
    expect(JSON.parse(res.body)).to.deep.equal({ outcome: 'applied' });
    await settle(h);
    await settleDomain(h.hearth);

    const page = await (await fetch(`${h.url}/p/${thread.id}`)).text();
    expect(page).not.to.include('Count me in for Sunday!');
    expect(page).to.include('Deleted by its author.');
    expect((await postOf(reply.id)).body_html).to.equal('');
    expect((await postOf(thread.id)).reply_count).to.equal(repliesBefore - 1);
    expect(await reactionsBy(member)).to.deep.equal([]);
    expect((await postOf(other.id)).share_count).to.equal(0);
    expect(await h.hearth.services.ideas.view(idea.id, null)).to.deep.include({ up: 0, down: 0 });
    expect((await h.hearth.services.polls.view(poll.id, null))!.votersCount).to.equal(0);
    expect((await h.hearth.services.events.rsvpOf(event.id, member.id))?.status).to.equal('not_going');
    expect((await h.hearth.services.events.rsvpOf(event.id, bob.id))?.status).to.equal('going');
    const told = await db().selectFrom('notifications').select('kind').where('member_id', '=', bob.id).execute();
    expect(told).to.have.length(1);
    expect(await followers()).to.equal(followersBefore);
    expect(await followerIds()).not.to.include(leaver.id);
    const gone = (await h.hearth.services.remote.findAuthor(leaver.id))!;
    expect(gone).to.include({ status: 'deleted', bio: '', avatar_url: null });
    // What its like and its reply earned Ana is taken back, as a removal takes it back.
    expect(await h.hearth.services.standing.earned(ana.id)).to.equal(earnedBefore);
    const live = await db().selectFrom('achievements').select('source').where('revoked', '=', 0).where('source', 'like', `%:${member.id}`).execute();
    expect(live).to.deep.equal([]);
  });

  it('does not come back: a later activity from the same actor is refused, even with a live actor document', async () => {
    const ghost = remote.actor('ghost');
    await engage(ghost, 3, 'maybe');
    remote.gone.add(ghost.id);
    expect((await send(ghost, fixture('mastodon/delete-actor', { actor: ghost.id }))).status).to.equal(202);
    // The server brings the actor back (same id, a live document): still nothing is taken.
    remote.gone.delete(ghost.id);
    const like = await send(ghost, { ...fixture('mastodon/like', { actor: ghost.id, object: `${h.url}/p/${thread.id}` }), id: `${ghost.id}#likes/2` });
    expect(like.status).to.equal(403);
    expect(like.body).to.include('deleted');
    const follow = await send(ghost, { ...fixture('mastodon/follow', { actor: ghost.id, target: `${h.url}/@bikeshop` }), id: `${ghost.id}#follows/again` });
    expect(follow.status).to.equal(403);
    const member = (await h.hearth.services.remote.findAuthor(ghost.id))!;
    expect(member.status).to.equal('deleted');
    expect(await reactionsBy(member)).to.deep.equal([]);
    expect(await followerIds()).not.to.include(ghost.id);
    // A second Delete is harmless.
    const again = await send(ghost, { ...fixture('mastodon/delete-actor', { actor: ghost.id }), id: `${ghost.id}#delete-again` });
    expect(JSON.parse(again.body)).to.deep.equal({ outcome: 'ignored' });
  });
});
