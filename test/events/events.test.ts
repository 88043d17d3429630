import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import type { EventInput } from '../../src/events/event.rules.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { type TestHearth, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';
import { withoutIsolates } from '../helpers/isolates.js';

const soon = (days: number, time = '19:30') => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;

describe('events and RSVPs', () => {
  let h: TestHearth;
  let organiser: MemberRow;
  let input: (over?: Partial<EventInput>) => Promise<EventInput>;
  beforeEach(async () => {
    h = await makeHearth();
    organiser = await makeMember(h, { role: 'moderator', handle: 'organiser' });
    const general = await generalSpace(h);
    input = async (over = {}) => ({
      spaceId: general.id, title: 'Latte art night', description: 'Bring a **cup**.', startsLocal: soon(7), endsLocal: soon(7, '21:30'),
      timezone: 'Europe/Paris', address: '12 Rue du Café, Lyon', onlineUrl: '', capacity: 2, ...over,
    });
  });
  afterEach(() => h.destroy());
  const settle = async () => {
    await h.services.earning.idle();
    await h.services.notificationSubscribers.idle();
  };

  it('plans in the organiser’s time zone and refuses bad input, naming each field', async () => {
    const event = await h.services.events.create(organiser, await input({ startsLocal: '2026-12-05T19:30', endsLocal: '2026-12-05T21:00' }));
    expect(event.starts_at).to.equal('2026-12-05T18:30:00.000Z');
    const err = await h.services.events.create(organiser, await input({ title: '', startsLocal: soon(3, '20:00'), endsLocal: soon(3, '19:00'), capacity: '0', timezone: 'Mars/Olympus', onlineUrl: 'javascript:alert(1)' })).catch((e) => e);
    expect(err.fields).to.have.keys('title', 'endsLocal', 'capacity', 'timezone', 'onlineUrl');
    const member = await makeMember(h);
    expect(await h.services.events.create(member, await input()).catch((e) => e.code)).to.equal('forbidden');
  });

  it('keeps to capacity with a waiting list, and moves the first in line up when a seat frees', async () => {
    const event = await h.services.events.create(organiser, await input());
    const [ana, bob, cy, dee] = await Promise.all(['ana', 'bob', 'cy', 'dee'].map((handle) => makeMember(h, { handle })));
    expect(await h.services.events.rsvp(ana!, event.id, 'going')).to.equal('going');
    expect(await h.services.events.rsvp(bob!, event.id, 'going')).to.equal('going');
    expect(await h.services.events.rsvp(cy!, event.id, 'going')).to.equal('waiting');
    expect(await h.services.events.rsvp(dee!, event.id, 'going')).to.equal('waiting');
    expect(await h.services.events.counts(event.id)).to.deep.equal({ going: 2, maybe: 0, waiting: 2 });
    await h.services.events.rsvp(ana!, event.id, 'not_going');
    expect((await h.services.events.rsvpOf(event.id, cy!.id))?.status).to.equal('going'); // first in line
    expect((await h.services.events.rsvpOf(event.id, dee!.id))?.status).to.equal('waiting');
    // More seats: the rest of the line moves up.
    await h.services.events.update(organiser, event.id, await input({ capacity: 5 }));
    expect(await h.services.events.counts(event.id)).to.deep.equal({ going: 3, maybe: 0, waiting: 0 });
    await settle();
    const cyNotes = await h.services.notifications.list(cy!.id);
    expect(cyNotes.items.map((n) => withoutIsolates(n.text))).to.include('A seat freed up: you are going to “Latte art night”.');
    const organiserNotes = await h.services.notifications.list(organiser.id);
    expect(organiserNotes.items.map((n) => withoutIsolates(n.text))).to.include('@ana is going to “Latte art night”.');
  });

  it('tells everyone coming when it is cancelled, and takes no more answers', async () => {
    const event = await h.services.events.create(organiser, await input());
    const ana = await makeMember(h, { handle: 'ana' });
    await h.services.events.rsvp(ana, event.id, 'maybe');
    expect(await h.services.events.cancel(organiser, event.id, '').catch((e) => e.code)).to.equal('invalid_input');
    await h.services.events.cancel(organiser, event.id, 'The espresso machine broke');
    await settle();
    expect(withoutIsolates((await h.services.notifications.list(ana.id)).items[0]?.text ?? '')).to.equal('“Latte art night” was cancelled: The espresso machine broke');
    expect(await h.services.events.rsvp(ana, event.id, 'going').catch((e) => e.code)).to.equal('gone');
  });

  it('lets staff check people in, which pays them once', async () => {
    // Check-in opens shortly before the start (issue 13, fault 10): this one starts in half an hour.
    const at = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 16);
    const event = await h.services.events.create(organiser, await input({ startsLocal: at(30 * 60_000), endsLocal: at(150 * 60_000), timezone: 'UTC' }));
    const ana = await makeMember(h, { handle: 'ana' });
    await h.services.events.rsvp(ana, event.id, 'going');
    await h.services.events.checkIn(organiser, event.id, ana.id);
    // Issue 13, fault 5: checking in again is done, not refused (and below, paid once).
    expect(await h.services.events.checkIn(organiser, event.id, ana.id).catch((e) => e.code)).to.equal(undefined);
    expect(await h.services.events.checkIn(ana, event.id, ana.id).catch((e) => e.code)).to.equal('forbidden');
    await settle();
    expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(10);
  });

  describe('pages', () => {
    it('creates an event from the form, takes RSVPs and shows the online link only to people going', async () => {
      const staff = await loggedInAgent(h, 'organiser');
      const form = await staff.get('/events/new').expect(200);
      const bad = await staff.post('/events').type('form').send({ _csrf: csrfFrom(form.text), ...(await input({ endsLocal: soon(7, '18:00'), capacity: '0' })), spaceId: String((await generalSpace(h)).id) }).expect(422);
      expect(bad.text).to.contain('The event must end after it starts.').and.contain('Capacity must be a whole number of at least 1');
      const fields = { ...(await input({ onlineUrl: 'https://meet.example/latte' })), spaceId: String((await generalSpace(h)).id), capacity: '1' };
      const created = await staff.post('/events').type('form').send({ _csrf: csrfFrom(form.text), ...fields }).expect(303);
      const url = created.headers.location!;

      const visitor = await request(h.app).get(url).expect(200);
      expect(visitor.text).to.contain('Latte art night').and.contain('in Europe/Paris)').and.contain('The link is shown to people who are going.').and.not.contain('meet.example');
      await makeMember(h, { handle: 'ana' });
      await makeMember(h, { handle: 'bob' });
      const ana = await loggedInAgent(h, 'ana');
      const page = await ana.get(url).expect(200);
      await ana.post(`${url}/rsvp`).type('form').send({ _csrf: csrfFrom(page.text), status: 'going' }).expect(303);
      expect((await ana.get(url)).text).to.contain('https://meet.example/latte').and.contain('1 of 1 taken');
      const bob = await loggedInAgent(h, 'bob');
      const bobPage = await bob.get(url);
      await bob.post(`${url}/rsvp`).type('form').send({ _csrf: csrfFrom(bobPage.text), status: 'going' }).expect(303);
      expect((await bob.get(url)).text).to.contain('you are on the waiting list').and.not.contain('https://meet.example/latte');
      await bob.post(`${url}/rsvp`).type('form').send({ _csrf: csrfFrom(bobPage.text), status: 'sometimes' }).expect(422);

      // Calendar files: the event for attendees (with the link), the public feed (without).
      const ics = await ana.get(`${url}.ics`).expect(200);
      expect(ics.headers['content-type']).to.match(/^text\/calendar/);
      expect(ics.text).to.contain('BEGIN:VEVENT').and.contain('SUMMARY:Latte art night').and.contain('LOCATION:12 Rue du Café\\, Lyon').and.contain('meet.example');
      const feed = await request(h.app).get('/events.ics').expect(200);
      expect(feed.text).to.contain('SUMMARY:Latte art night').and.not.contain('meet.example');
      expect(feed.text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).to.equal(true);
      const home = await request(h.app).get('/').expect(200);
      expect(home.text).to.contain('<link rel="alternate" type="text/calendar" href="/events.ics"');
    });

    it('leaves no trace when the module is off', async () => {
      await h.destroy();
      h = await makeHearth({ modules: { events: false } });
      const staff = await makeMember(h, { role: 'owner', handle: 'boss' });
      const event = await h.services.events.create(staff, await input({ spaceId: (await generalSpace(h)).id }));
      const home = await request(h.app).get('/').expect(200);
      expect(home.text).not.to.contain('text/calendar').and.not.contain('href="/events"');
      for (const path of ['/events', '/events.ics', `/events/${event.id}`, `/events/${event.id}.ics`, '/events/new']) await request(h.app).get(path).expect(404);
    });
  });
});
