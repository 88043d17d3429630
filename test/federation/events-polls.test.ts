import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type Delivery, type RemoteActor, RemoteServer } from './helpers/remote.js';

const soon = (days: number, time: string) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;

describe('events and polls on the fediverse', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let organiser: MemberRow;
  let zoe: RemoteActor;
  let yan: RemoteActor;

  const of = (type: string, pred: (d: Delivery) => boolean = () => true) => remote.received.filter((d) => d.body.type === type && pred(d));
  const general = () => h.hearth.services.spaces.getVisible(null, 'general');
  const newEvent = async (capacity: number | null) =>
    h.hearth.services.events.create(organiser, {
      spaceId: (await general()).id, title: 'Repair café', description: 'Bring a bike.', startsLocal: soon(5, '18:00'), endsLocal: soon(5, '20:00'),
      timezone: 'Europe/Berlin', address: 'Hof 3, Berlin', onlineUrl: 'https://call.example/secret', capacity,
    });

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    organiser = await makeMember(h.hearth, { handle: 'organiser', role: 'moderator' });
    zoe = remote.actor('zoe');
    yan = remote.actor('yan');
    await remote.send(zoe, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: zoe.id, target: `${h.url}/@bikeshop` }), id: `${zoe.id}#follows/1` });
    await settle(h);
  });
  beforeEach(() => {
    remote.received.length = 0;
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('an event leaves as a Mobilizon Event from the Group, with the date and place in its text, never the online link', async () => {
    const event = await newEvent(2);
    await settle(h);
    const create = of('Create', (d) => d.body.object?.type === 'Event')[0]!;
    expect(create.body.actor).to.equal(`${h.url}/@bikeshop`);
    const doc = create.body.object;
    expect(doc).to.include({
      id: `${h.url}/events/${event.id}`, name: 'Repair café', timezone: 'Europe/Berlin', joinMode: 'free',
      maximumAttendeeCapacity: 2, remainingAttendeeCapacity: 2, participantCount: 0, isOnline: false, 'ical:status': 'CONFIRMED',
      startTime: event.starts_at, endTime: event.ends_at,
    });
    expect(doc.location).to.deep.include({ type: 'Place', name: 'Hof 3, Berlin' });
    expect(doc.content).to.contain('(Europe/Berlin)').and.contain('Hof 3, Berlin');
    expect(JSON.stringify(create.body)).not.to.contain('call.example');
    const fetched: any = await (await fetch(`${h.url}/events/${event.id}`, { headers: { accept: 'application/activity+json' } })).json();
    expect(fetched).to.include({ type: 'Event', participantCount: 0 });
    expect(JSON.stringify(fetched['@context'])).to.contain('https://joinmobilizon.org/ns#');

    await h.hearth.services.events.cancel(organiser, event.id, 'Rain');
    await settle(h);
    const update = of('Update', (d) => d.body.object?.type === 'Event')[0]!;
    expect(update.body.object['ical:status']).to.equal('CANCELLED');
  });

  it('answers a remote Join with Accept while there are seats and Reject when full; Leave frees the seat', async () => {
    const event = await newEvent(1);
    const iri = `${h.url}/events/${event.id}`;
    const joinOf = (who: RemoteActor, n: number) => ({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${who.id}#join/${n}`, type: 'Join', actor: who.id, object: iri });
    expect((await remote.send(zoe, `${h.url}/inbox`, joinOf(zoe, 1))).status).to.equal(202);
    await settle(h);
    const accept = await remote.waitFor((d) => d.body.type === 'Accept' && d.body.object?.id === `${zoe.id}#join/1`);
    expect(accept.body.actor).to.equal(`${h.url}/@bikeshop`);
    expect(await h.hearth.services.events.counts(event.id)).to.deep.equal({ going: 1, maybe: 0, waiting: 0 });

    await remote.send(yan, `${h.url}/inbox`, joinOf(yan, 1));
    await settle(h);
    await remote.waitFor((d) => d.body.type === 'Reject' && d.body.object?.id === `${yan.id}#join/1`);
    expect(await h.hearth.services.events.counts(event.id)).to.deep.equal({ going: 1, maybe: 0, waiting: 0 });

    // A local member waits in line; Zoe leaves and the seat goes to them.
    const ana = await makeMember(h.hearth, { handle: 'ana' });
    expect(await h.hearth.services.events.rsvp(ana, event.id, 'going')).to.equal('waiting');
    await remote.send(zoe, `${h.url}/inbox`, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${zoe.id}#leave/1`, type: 'Leave', actor: zoe.id, object: iri });
    await settle(h);
    expect((await h.hearth.services.events.rsvpOf(event.id, ana.id))?.status).to.equal('going');
    const page = await (await fetch(`${h.url}/events/${event.id}`)).text();
    expect(page).not.to.contain('@zoe');
  });

  it('a thread with a poll leaves as a Question, and a Mastodon vote counts once', async () => {
    const post = await h.hearth.services.polls.createThread(organiser, await general(), { title: 'Opening hours?', body: 'Help us choose.' }, {
      options: ['Mornings', 'Evenings'], multiple: false, closesInHours: 24, results: 'after_vote',
    });
    await settle(h);
    // Zoe follows the community: the Group's Announce carries the organiser's Create of the Question.
    const question = of('Announce', (d) => d.body.object?.object?.type === 'Question')[0]!.body.object.object;
    expect(question.oneOf.map((o: { name: string }) => o.name)).to.deep.equal(['Mornings', 'Evenings']);
    expect(question).to.have.property('endTime');
    expect(question.content).to.contain('<strong>Opening hours?</strong>');
    const qid = `${h.url}/p/${post.id}`;
    const vote = (n: number, name: string) => ({
      '@context': 'https://www.w3.org/ns/activitystreams', id: `${zoe.id}#votes/${n}/activity`, type: 'Create', actor: zoe.id, to: [`${h.url}/@organiser`],
      object: { id: `${zoe.id}#votes/${n}`, type: 'Note', name, attributedTo: zoe.id, inReplyTo: qid, to: [`${h.url}/@organiser`] },
    });
    expect((await remote.send(zoe, `${h.url}/inbox`, vote(1, 'Evenings'))).status).to.equal(202);
    await remote.send(zoe, `${h.url}/inbox`, vote(2, 'Mornings')); // a second vote: not counted
    await settle(h);
    const fetched: any = await (await fetch(qid, { headers: { accept: 'application/activity+json' } })).json();
    expect(fetched).to.include({ type: 'Question', votersCount: 1 });
    expect(fetched.oneOf.map((o: { replies: { totalItems: number } }) => o.replies.totalItems)).to.deep.equal([0, 1]);
    // The vote is not a reply in the thread.
    expect((await h.hearth.services.postViews.thread(post.id, null))!.replies).to.have.length(0);
  });

  it('sends and takes nothing of a module that is switched off', async () => {
    const off = await serveHearth({ community: { handle: 'quiet' }, modules: { events: false, polls: false } });
    try {
      const boss = await makeMember(off.hearth, { handle: 'boss', role: 'owner' });
      const space = await off.hearth.services.spaces.getVisible(null, 'general');
      await remote.send(zoe, `${off.url}/inbox`, { ...fixture('mastodon/follow', { actor: zoe.id, target: `${off.url}/@quiet` }), id: `${zoe.id}#follows/quiet` });
      await settle(off);
      remote.received.length = 0;
      const event = await off.hearth.services.events.create(boss, {
        spaceId: space.id, title: 'Hidden', description: '', startsLocal: soon(2, '10:00'), endsLocal: soon(2, '11:00'), timezone: 'UTC', address: '', onlineUrl: '', capacity: null,
      });
      await off.hearth.services.polls.createThread(boss, space, { body: 'Quiet poll' }, { options: ['A', 'B'], multiple: false, closesInHours: 24, results: 'after_vote' });
      const join = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${zoe.id}#join/quiet`, type: 'Join', actor: zoe.id, object: `${off.url}/events/${event.id}` };
      await remote.send(zoe, `${off.url}/inbox`, join);
      await settle(off);
      expect(remote.received.some((d) => JSON.stringify(d.body).includes('"Event"') || JSON.stringify(d.body).includes('Question') || d.body.type === 'Accept' || d.body.type === 'Reject')).to.equal(false);
      expect(of('Announce')).to.have.length(1); // the poll thread went out as a plain post
      expect((await fetch(`${off.url}/events/${event.id}`, { headers: { accept: 'application/activity+json' } })).status).to.equal(404);
      expect(await off.hearth.services.events.counts(event.id)).to.deep.equal({ going: 0, maybe: 0, waiting: 0 });
    } finally {
      await off.close();
    }
  });
});
