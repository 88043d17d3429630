import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { EventRow } from '../../src/events/event.table.js';
import { CHECK_IN_OPENS_BEFORE_MS } from '../../src/events/check-in.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { codeOf, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember, settleDomain, type TestHearth } from '../helpers/hearth.js';

/** "YYYY-MM-DDTHH:MM" in UTC, `ms` from now. */
const at = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 16);
const MIN = 60_000;

/**
 * Issue 13, fault 10: attendance is paid only when it can have happened. Check-in opens
 * shortly before the start and closes at the end, is for people going (or waiting in
 * line, who then get the seat), and taking it back takes the award back as a reversal.
 */
describe('check-in pays only for attending', () => {
  let h: TestHearth;
  let organiser: MemberRow;
  let ana: MemberRow;
  let event: (startsInMs: number, lengthMs?: number, capacity?: number | null) => Promise<EventRow>;
  beforeEach(async () => {
    h = await makeHearth();
    organiser = await makeMember(h, { role: 'moderator', handle: 'organiser' });
    ana = await makeMember(h, { handle: 'ana' });
    const general = await generalSpace(h);
    event = (startsIn, length = 120 * MIN, capacity = null) =>
      h.services.events.create(organiser, {
        spaceId: general.id, title: 'Latte art night', description: '', startsLocal: at(startsIn), endsLocal: at(startsIn + length), timezone: 'UTC', address: '', onlineUrl: '', capacity,
      });
  });
  afterEach(() => h.destroy());
  const balance = async (m: MemberRow) => {
    await settleDomain(h);
    return h.services.ledger.balance(wallet(m.id));
  };

  it('opens an hour before the start: not for an event two weeks away', async () => {
    expect(CHECK_IN_OPENS_BEFORE_MS).to.equal(60 * MIN);
    const far = await event(14 * 86_400_000);
    await h.services.events.rsvp(ana, far.id, 'going');
    expect(await codeOf(h.services.events.checkIn(organiser, far.id, ana.id))).to.equal('too_early');
    const soon = await event(90 * MIN);
    await h.services.events.rsvp(ana, soon.id, 'going');
    expect(await codeOf(h.services.events.checkIn(organiser, soon.id, ana.id))).to.equal('too_early');
    expect(await balance(ana)).to.equal(0);
    const now = await event(30 * MIN);
    await h.services.events.rsvp(ana, now.id, 'going');
    await h.services.events.checkIn(organiser, now.id, ana.id);
    expect(await balance(ana)).to.equal(10);
  });

  it('is only for going and the waiting list (which it moves to going), never maybe or not going', async () => {
    const e = await event(-10 * MIN, 120 * MIN, 1);
    const [bob, cy, dee] = await Promise.all(['bob', 'cy', 'dee'].map((handle) => makeMember(h, { handle })));
    await h.services.events.rsvp(ana, e.id, 'going');
    expect(await h.services.events.rsvp(bob!, e.id, 'going')).to.equal('waiting');
    await h.services.events.rsvp(cy!, e.id, 'maybe');
    await h.services.events.rsvp(dee!, e.id, 'not_going');
    expect(await codeOf(h.services.events.checkIn(organiser, e.id, cy!.id))).to.equal('not_attending');
    expect(await codeOf(h.services.events.checkIn(organiser, e.id, dee!.id))).to.equal('not_attending');
    await h.services.events.checkIn(organiser, e.id, bob!.id);
    expect((await h.services.events.rsvpOf(e.id, bob!.id))?.status).to.equal('going');
    expect(await balance(cy!)).to.equal(0);
    expect(await balance(bob!)).to.equal(10);
  });

  it('closes at the end, and not at all for a cancelled event', async () => {
    const e = await event(-10 * MIN);
    await h.services.events.rsvp(ana, e.id, 'going');
    await h.database.db.updateTable('events').set({ ends_at: new Date(Date.now() - MIN).toISOString() }).where('id', '=', e.id).execute();
    expect(await codeOf(h.services.events.checkIn(organiser, e.id, ana.id))).to.equal('gone');
    const c = await event(-10 * MIN);
    await h.services.events.rsvp(ana, c.id, 'going');
    await h.services.events.cancel(organiser, c.id, 'Machine broke');
    expect(await codeOf(h.services.events.checkIn(organiser, c.id, ana.id))).to.equal('gone');
    expect(await balance(ana)).to.equal(0);
  });

  it('undoing a check-in takes the award back with a reversing entry, never a delete', async () => {
    const e = await event(10 * MIN);
    await h.services.events.rsvp(ana, e.id, 'going');
    await h.services.events.checkIn(organiser, e.id, ana.id);
    expect(await balance(ana)).to.equal(10);
    await h.services.events.undoCheckIn(organiser, e.id, ana.id);
    expect(await balance(ana)).to.equal(0);
    const entries = await h.database.db.selectFrom('ledger_entries').select(['kind', 'amount', 'reverses', 'reason']).where('member_id', '=', ana.id).orderBy('id').execute();
    expect(entries.map((x) => x.kind)).to.deep.equal(['award', 'reversal']);
    expect(entries[1]).to.include({ amount: 10, reason: 'The check-in was taken back' });
    expect((await h.services.events.rsvpOf(e.id, ana.id))?.checked_in_at).to.equal(null);
    // Issue 13, fault 5: the undo sent again is done, and takes nothing back twice.
    expect(await codeOf(h.services.events.undoCheckIn(organiser, e.id, ana.id))).to.equal('ok');
    expect(await balance(ana)).to.equal(0);
    expect(await codeOf(h.services.events.undoCheckIn(ana, e.id, ana.id))).to.equal('forbidden');
    expect(await h.services.ledger.audit()).to.deep.include({ mismatches: [], standing: [] });
  });

  it('the event page offers check-in only where it is allowed, and an undo once checked in', async () => {
    const far = await event(14 * 86_400_000);
    const soon = await event(10 * MIN);
    const bob = await makeMember(h, { handle: 'bob' });
    for (const e of [far, soon]) {
      await h.services.events.rsvp(ana, e.id, 'going');
      await h.services.events.rsvp(bob, e.id, 'maybe');
    }
    const staff = await loggedInAgent(h, 'organiser');
    const farPage = await staff.get(`/events/${far.id}`).expect(200);
    expect(farPage.text).not.to.contain(`action="/events/${far.id}/check-in"`);
    const page = await staff.get(`/events/${soon.id}`).expect(200);
    expect(page.text.match(new RegExp(`action="/events/${soon.id}/check-in"`, 'g'))).to.have.length(1); // ana, not bob (maybe)
    expect(page.text).to.contain(`name="memberId" value="${ana.id}"`).and.not.contain(`name="memberId" value="${bob.id}"`);
    await staff.post(`/events/${soon.id}/check-in`).type('form').send({ _csrf: csrfFrom(page.text), memberId: String(ana.id) }).expect(303);
    const after = await staff.get(`/events/${soon.id}`).expect(200);
    expect(after.text).to.contain(`action="/events/${soon.id}/check-in/undo"`);
    await staff.post(`/events/${soon.id}/check-in/undo`).type('form').send({ _csrf: csrfFrom(after.text), memberId: String(ana.id) }).expect(303);
    expect((await h.services.events.rsvpOf(soon.id, ana.id))?.checked_in_at).to.equal(null);
  });
});
