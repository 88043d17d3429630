import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { EventRow } from '../../src/events/event.table.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer } from './helpers/remote.js';

const soon = (days: number, time: string) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;

/**
 * Every RSVP vocabulary maps to one answer with the same rules: Mobilizon's Join and
 * Leave, Friendica's Accept / TentativeAccept / Reject of the Event (by IRI), Hubzilla's
 * (with the Event embedded), and the Undo of any of them.
 */
describe('RSVPs from other servers, in every vocabulary', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let organiser: MemberRow;
  let n = 0;

  const newEvent = async (capacity: number | null) =>
    h.hearth.services.events.create(organiser, {
      spaceId: (await h.hearth.services.spaces.getVisible(null, 'general')).id, title: 'Repair café', description: 'Bring a bike.',
      startsLocal: soon(5, '18:00'), endsLocal: soon(5, '20:00'), timezone: 'Europe/Berlin', address: 'Hof 3, Berlin', onlineUrl: '', capacity,
    });
  const vars = (who: RemoteActor, event: EventRow, extra: Record<string, string> = {}) => ({
    actor: who.id, name: who.name, origin: remote.origin, event: `${h.url}/events/${event.id}`, group: `${h.url}/@bikeshop`,
    guid: `f${++n}a7c3e2-1b4d-4c8e-9f00-${String(n).padStart(12, '0')}`, uuid: `b${n}d1e2f3-4a5b-4c6d-8e9f-${String(n).padStart(12, '0')}`, ...extra,
  });
  /** Sends and answers the inbox's outcome ("applied", "ignored", ...). */
  const send = async (who: RemoteActor, activity: unknown): Promise<string> => {
    const res = await remote.send(who, `${h.url}/inbox`, activity);
    expect(res.status, res.body).to.equal(202);
    return (JSON.parse(res.body) as { outcome: string }).outcome;
  };
  const statusOf = async (event: EventRow, who: RemoteActor) => {
    const member = await h.hearth.services.remote.findAuthor(who.id);
    return member ? (await h.hearth.services.events.rsvpOf(event.id, member.id))?.status : undefined;
  };
  const answersTo = (who: RemoteActor) => remote.received.filter((d) => (d.body.type === 'Accept' || d.body.type === 'Reject') && d.body.to?.includes(who.id));

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    organiser = await makeMember(h.hearth, { handle: 'organiser', role: 'moderator' });
  });
  beforeEach(() => {
    remote.received.length = 0;
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('Friendica: Accept, TentativeAccept and Reject of the Event are going, maybe and not going, and nothing is sent back', async () => {
    const event = await newEvent(null);
    const [fritz, frida, fred] = [remote.actor('fritz'), remote.actor('frida'), remote.actor('fred')];
    expect(await send(fritz, fixture('friendica/accept-event', vars(fritz, event)))).to.equal('applied');
    expect(await send(frida, fixture('friendica/tentative-accept-event', vars(frida, event)))).to.equal('applied');
    expect(await send(fred, fixture('friendica/reject-event', vars(fred, event)))).to.equal('applied');
    expect([await statusOf(event, fritz), await statusOf(event, frida), await statusOf(event, fred)]).to.deep.equal(['going', 'maybe', 'not_going']);
    expect(await h.hearth.services.events.counts(event.id)).to.deep.equal({ going: 1, maybe: 1, waiting: 0 });
    await settle(h);
    for (const who of [fritz, frida, fred]) expect(answersTo(who)).to.have.length(0);
  });

  it('Hubzilla: a TentativeAccept with the Event embedded is a maybe', async () => {
    const event = await newEvent(null);
    const hubert = remote.actor('hubert');
    expect(await send(hubert, fixture('hubzilla/tentative-accept-event', vars(hubert, event)))).to.equal('applied');
    expect(await statusOf(event, hubert)).to.equal('maybe');
  });

  it('Mobilizon: a Join keeps its participationMessage and is answered; Leave and the Undo of a Join take the seat back', async () => {
    const event = await newEvent(2);
    const [mona, milo] = [remote.actor('mona'), remote.actor('milo')];
    const join = fixture('mobilizon/join', vars(mona, event, { message: 'I will bring <b>tyre levers</b>' }));
    expect(await send(mona, join)).to.equal('applied');
    await settle(h);
    await remote.waitFor((d) => d.body.type === 'Accept' && d.body.object?.id === join.id);
    const row = await h.hearth.services.events.rsvpOf(event.id, (await h.hearth.services.remote.findAuthor(mona.id))!.id);
    expect(row).to.include({ status: 'going', message: 'I will bring <b>tyre levers</b>', join_ap_id: join.id });
    expect(await send(mona, fixture('mobilizon/leave', vars(mona, event)))).to.equal('applied');
    expect(await statusOf(event, mona)).to.equal('not_going');

    const miloJoin = fixture('mobilizon/join', vars(milo, event, { message: '' }));
    expect(await send(milo, miloJoin)).to.equal('applied');
    expect(await statusOf(event, milo)).to.equal('going');
    const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${miloJoin.id}/undo`, type: 'Undo', actor: milo.id, object: miloJoin };
    expect(await send(milo, undo)).to.equal('applied');
    expect(await statusOf(event, milo)).to.equal('not_going');
    expect(await h.hearth.services.events.counts(event.id)).to.deep.equal({ going: 0, maybe: 0, waiting: 0 });
  });

  it('the Undo of a Friendica answer withdraws it only while it is the answer that stands', async () => {
    const event = await newEvent(1);
    const [ulla, ute] = [remote.actor('ulla'), remote.actor('ute')];
    const accept = vars(ulla, event);
    expect(await send(ulla, fixture('friendica/accept-event', accept))).to.equal('applied');
    // A local member waits for the one seat; the Undo of Ulla's Accept gives it to them.
    const ana = await makeMember(h.hearth);
    expect(await h.hearth.services.events.rsvp(ana, event.id, 'going')).to.equal('waiting');
    expect(await send(ulla, fixture('friendica/undo-event-answer', { ...accept, answer: 'Accept' }))).to.equal('applied');
    expect(await statusOf(event, ulla)).to.equal('not_going');
    expect((await h.hearth.services.events.rsvpOf(event.id, ana.id))?.status).to.equal('going');

    // Ute says maybe, then no; the Undo of the maybe arrives last and changes nothing.
    const maybe = vars(ute, event);
    expect(await send(ute, fixture('friendica/tentative-accept-event', maybe))).to.equal('applied');
    const no = vars(ute, event);
    expect(await send(ute, fixture('friendica/reject-event', no))).to.equal('applied');
    expect(await send(ute, fixture('friendica/undo-event-answer', { ...maybe, answer: 'TentativeAccept' }))).to.equal('ignored');
    expect(await statusOf(event, ute)).to.equal('not_going');
    // The Undo of the Reject: nothing to take back either.
    expect(await send(ute, fixture('friendica/undo-event-answer', { ...no, answer: 'Reject' }))).to.equal('ignored');
    expect(await h.hearth.services.events.counts(event.id)).to.deep.equal({ going: 1, maybe: 0, waiting: 0 });
  });

  it('a full event refuses "going" in every vocabulary: Mobilizon gets a Reject, Friendica’s answer is recorded as nothing', async () => {
    const event = await newEvent(1);
    const [first, fritzi, hubo, max] = [remote.actor('first'), remote.actor('fritzi'), remote.actor('hubo'), remote.actor('max')];
    expect(await send(first, fixture('friendica/accept-event', vars(first, event)))).to.equal('applied');
    expect(await send(fritzi, fixture('friendica/accept-event', vars(fritzi, event)))).to.equal('ignored');
    const embedded = fixture('hubzilla/tentative-accept-event', vars(hubo, event));
    embedded.type = 'Accept';
    expect(await send(hubo, embedded)).to.equal('ignored');
    const join = fixture('mobilizon/join', vars(max, event, { message: 'Room for one more?' }));
    expect(await send(max, join)).to.equal('applied');
    await settle(h);
    await remote.waitFor((d) => d.body.type === 'Reject' && d.body.object?.id === join.id);
    expect([await statusOf(event, fritzi), await statusOf(event, hubo), await statusOf(event, max)]).to.deep.equal([undefined, undefined, undefined]);
    expect(await h.hearth.services.events.counts(event.id)).to.deep.equal({ going: 1, maybe: 0, waiting: 0 });
    // "maybe" takes no seat, so it is still welcome.
    expect(await send(fritzi, fixture('friendica/tentative-accept-event', vars(fritzi, event)))).to.equal('applied');
    expect(await statusOf(event, fritzi)).to.equal('maybe');
  });

  it('a cancelled event takes no answer: Mobilizon gets a Reject, the others change nothing', async () => {
    const event = await newEvent(null);
    await h.hearth.services.events.cancel(organiser, event.id, 'Rain');
    const [late, later] = [remote.actor('late'), remote.actor('later')];
    expect(await send(late, fixture('friendica/accept-event', vars(late, event)))).to.equal('ignored');
    expect(await send(late, fixture('friendica/tentative-accept-event', vars(late, event)))).to.equal('ignored');
    const join = fixture('mobilizon/join', vars(later, event, { message: '' }));
    expect(await send(later, join)).to.equal('applied');
    await settle(h);
    await remote.waitFor((d) => d.body.type === 'Reject' && d.body.object?.id === join.id);
    expect(await h.hearth.services.events.counts(event.id)).to.deep.equal({ going: 0, maybe: 0, waiting: 0 });
    expect(await statusOf(event, late)).to.equal(undefined);
  });

  it('an Accept or Reject of something that is not one of our events changes nothing', async () => {
    const stray = remote.actor('stray');
    const accept = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${stray.id}#accepts/1`, type: 'Accept', actor: stray.id, object: { id: `${h.url}/@bikeshop#follows/1`, type: 'Follow', actor: `${h.url}/@bikeshop`, object: stray.id } };
    expect(await send(stray, accept)).to.equal('ignored');
    expect(await send(stray, { ...accept, id: `${stray.id}#rejects/1`, type: 'Reject', object: `${h.url}/events/999999` })).to.equal('ignored');
    expect(await h.hearth.services.remote.findAuthor(stray.id)).to.equal(undefined);
  });
});
