import { expect } from 'chai';
import request from 'supertest';
import { peopleView } from '../../src/community/people-visibility.js';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';

const soon = (days: number, time = '19:30') => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;

// Issue 13, fault 11: who took part is for members (staff see everything); counts are public.
describe('who sees whom', () => {
  let h: TestHearth | undefined;
  afterEach(() => h?.destroy());

  it('decides in one place: visitors see counts, members people, staff everything', () => {
    expect(peopleView(null)).to.equal('counts');
    expect(peopleView({ id: 1, role: 'member' })).to.equal('people');
    expect(peopleView({ id: 1, role: 'moderator' })).to.equal('everything');
    expect(peopleView({ id: 1, role: 'owner' })).to.equal('everything');
    expect(peopleView(null) !== 'counts').to.equal(false);
    expect(peopleView({ id: 1, role: 'member' }) !== 'counts').to.equal(true);
  });

  it('shows a public event’s attendees to members only; visitors get the counts', async () => {
    const hearth = await makeHearth();
    h = hearth;
    const organiser = await makeMember(hearth, { role: 'moderator', handle: 'organiser' });
    const general = await generalSpace(hearth);
    const event = await hearth.services.events.create(organiser, {
      spaceId: general.id, title: 'Latte art night', description: 'Bring a cup.', startsLocal: soon(7), endsLocal: soon(7, '21:30'),
      timezone: 'Europe/Paris', address: '12 Rue du Café', onlineUrl: '', capacity: 1,
    });
    const anna = await makeMember(hearth, { handle: 'anna', displayName: 'Anna Visible' });
    const bo = await makeMember(hearth, { handle: 'bo', displayName: 'Bo Waiting' });
    await hearth.services.events.rsvp(anna, event.id, 'going');
    await hearth.services.events.rsvp(bo, event.id, 'going');
    await hearth.database.db.updateTable('event_rsvps').set({ checked_in_at: new Date().toISOString() }).where('member_id', '=', anna.id).execute();

    const visitor = (await request(hearth.app).get(`/events/${event.id}`).expect(200)).text;
    expect(visitor).to.contain('1 of 1 taken, 1 waiting').and.contain('1 going, 1 on the waiting list');
    expect(visitor).not.to.contain('Anna Visible').and.not.to.contain('Bo Waiting').and.not.to.contain('waiting list</span>');
    expect(await hearth.services.events.attendees(null, event.id)).to.equal(null);

    const member = (await (await loggedInAgent(hearth, 'bo')).get(`/events/${event.id}`).expect(200)).text;
    expect(member).to.contain('Anna Visible').and.contain('Bo Waiting');
    // The attendance record is the staff's.
    expect(member).not.to.contain('checked in');
    const staff = (await (await loggedInAgent(hearth, 'organiser')).get(`/events/${event.id}`).expect(200)).text;
    expect(staff).to.contain('Anna Visible').and.contain('checked in');
  });
});
