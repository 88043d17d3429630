import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { EventRow } from '../../src/events/event.table.js';
import { hiddenFields } from '../helpers/forms.js';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember, submit } from '../helpers/hearth.js';

const soon = (days: number, time = '19:30') => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;

// Issue 13, faults 5 and 9 for events: an RSVP or a cancellation sent twice acts once and shows
// the result; cancelling (which cannot be undone) asks first, saying who will be told.
describe('event forms sent twice, and cancelling', () => {
  let h: TestHearth;
  let organiser: MemberRow;
  let ana: MemberRow;
  let event: EventRow;
  beforeEach(async () => {
    h = await makeHearth();
    organiser = await makeMember(h, { role: 'moderator', handle: 'organiser' });
    ana = await makeMember(h, { handle: 'ana' });
    event = await h.services.events.create(organiser, {
      spaceId: (await generalSpace(h)).id, title: 'Latte art night', description: 'Bring a cup.', startsLocal: soon(7), endsLocal: soon(7, '21:30'),
      timezone: 'Europe/Paris', address: '12 Rue du Café', onlineUrl: '', capacity: 5,
    });
  });
  afterEach(() => h.destroy());
  const settle = () => h.services.notificationSubscribers.idle();

  it('an RSVP sent twice is one answer, shown as given', async () => {
    const agent = await loggedInAgent(h, 'ana');
    const page = (await agent.get(`/events/${event.id}`).expect(200)).text;
    const body = { ...hiddenFields(page, `/events/${event.id}/rsvp`), status: 'going' };
    const first = await agent.post(`/events/${event.id}/rsvp`).type('form').send(body);
    const second = await agent.post(`/events/${event.id}/rsvp`).type('form').send(body);
    expect([first.status, second.status]).to.deep.equal([303, 303]);
    expect(await h.services.events.counts(event.id)).to.deep.equal({ going: 1, maybe: 0, waiting: 0 });
    const shown = await agent.get(`/events/${event.id}`).expect(200);
    expect(shown.text).to.match(/aria-pressed="true">\s*Going/);
    await settle();
    const told = (await h.services.notifications.list(organiser.id)).items.filter((n) => n.text.includes('is going'));
    expect(told).to.have.length(1);
  });

  it('cancelling asks first, naming who will be told, and cancels nothing until confirmed', async () => {
    await h.services.events.rsvp(ana, event.id, 'going');
    const staff = await loggedInAgent(h, 'organiser');
    const asked = await submit(staff, `/events/${event.id}`, `/events/${event.id}/cancel`, { reason: 'The machine broke' });
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain('Cancel “<bdi>Latte art night</bdi>”?').and.contain('1 person who said they would come is told').and.contain('cannot be undone');
    expect((await h.services.events.getVisible(organiser, event.id)).status).to.equal('scheduled');
    // Without a reason, it says so before asking.
    const noReason = await submit(staff, `/events/${event.id}`, `/events/${event.id}/cancel`, { reason: ' ' });
    expect(noReason.status).to.equal(422);
    // Confirmed twice (a double click): cancelled once, attendees told once, no error.
    const confirm = hiddenFields(asked.text, `/events/${event.id}/cancel`);
    const first = await staff.post(`/events/${event.id}/cancel`).type('form').send(confirm);
    const second = await staff.post(`/events/${event.id}/cancel`).type('form').send(confirm);
    expect([first.status, second.status]).to.deep.equal([303, 303]);
    expect((await h.services.events.getVisible(organiser, event.id)).status).to.equal('cancelled');
    await settle();
    expect((await h.services.notifications.list(ana.id)).items.filter((n) => n.text.includes('was cancelled'))).to.have.length(1);
  });
});
