import { GoneError, assertOpen, goneReason } from '../community/interaction.js';
import { cleanText } from '../community/member.rules.js';
import { type Actor, type Viewer, atLeast } from '../community/roles.js';
import { peopleView } from '../community/people-visibility.js';
import { canSeeSpace } from '../community/space.service.js';
import { DomainError, ValidationError, forbidden, notFound } from '../core/errors.js';
import type { EventBus, PendingEvent } from '../core/event-bus.js';
import { once } from '../core/once.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { checkInRefusal } from './check-in.js';
import { type EventInput, MESSAGE_MAX, RSVP_CHOICES, cancelReason, parseEventInput } from './event.rules.js';
import type { EventRow, EventRsvpRow, RsvpStatus } from './event.table.js';

export interface EventCounts {
  going: number;
  maybe: number;
  waiting: number;
}

/** How an answer came: `remote` from another server, with the activity that gave it (`apId`) and its message. */
export interface RsvpOptions {
  remote?: boolean;
  apId?: string | null;
  /** Plain text; cleaned and cut to 1000 characters. Undefined keeps the earlier message. */
  message?: string | null;
  noWaitingList?: boolean;
}

/**
 * Events and RSVPs. Seats are counted in the same transaction as the answer that takes
 * one, so an event never holds more people than its capacity: past it, "going" waits in
 * line, and the first in line moves up when a seat frees (a change of mind, a Leave from
 * another server, a larger capacity). Organisers are moderators and up.
 */
export class EventService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {}

  /** A new event; with the form's one-time `key`, the same form sent again answers the first event and announces nothing twice. */
  async create(actor: Actor, input: EventInput, key: string | null = null): Promise<EventRow> {
    requireStaff(actor);
    const values = await parseEventInput(this.db, input);
    const now = nowIso();
    const prior = (db: DbOrTx) => (key ? db.selectFrom('events').selectAll().where('created_by', '=', actor.id).where('submission_key', '=', key).executeTakeFirst() : Promise.resolve(undefined));
    const { row: event, fresh } = await once(() => this.db.transaction().execute(async (trx) => {
      const done = await prior(trx);
      if (done) return { row: done, fresh: false };
      return { row: await trx.insertInto('events').values({ ...values, created_by: actor.id, created_at: now, updated_at: now, submission_key: key }).returningAll().executeTakeFirstOrThrow(), fresh: true };
    }), () => prior(this.db));
    if (fresh) this.bus.emit('event.created', { eventId: event.id, spaceId: event.space_id, by: actor.id });
    return event;
  }

  async update(actor: Actor, id: number, input: EventInput): Promise<EventRow> {
    requireStaff(actor);
    const values = await parseEventInput(this.db, input);
    const { event, promoted } = await this.db.transaction().execute(async (trx) => {
      const before = await this.row(trx, id);
      // A cancelled event takes no edit; a finished one may still have its record corrected.
      if (goneReason({ event: before }) === 'event_cancelled') throw new GoneError('event_cancelled');
      const event = await trx.updateTable('events').set({ ...values, updated_at: nowIso() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      return { event, promoted: await this.fillSeats(trx, event) };
    });
    this.bus.emit('event.updated', { eventId: id });
    for (const memberId of promoted) this.bus.emit('rsvp.changed', { eventId: id, memberId, status: 'going', previous: 'waiting', promoted: true });
    return event;
  }

  /**
   * Cancels the event and tells everyone who said they would come (or was waiting). An
   * event already cancelled stays as it is (a repeated form acts once, tells nobody twice).
   */
  async cancel(actor: Actor, id: number, rawReason: string): Promise<void> {
    requireStaff(actor);
    const reason = cancelReason(rawReason);
    const attendees = await this.db.transaction().execute(async (trx) => {
      const event = await this.row(trx, id);
      if (event.status === 'cancelled') return null;
      await trx.updateTable('events').set({ status: 'cancelled', cancel_reason: reason, updated_at: nowIso() }).where('id', '=', id).execute();
      const rows = await trx.selectFrom('event_rsvps').select('member_id').where('event_id', '=', id).where('status', 'in', ['going', 'maybe', 'waiting']).execute();
      return rows.map((r) => r.member_id);
    });
    if (attendees) this.bus.emit('event.cancelled', { eventId: id, by: actor.id, reason, attendeeIds: attendees });
  }

  /**
   * A member's answer. "going" to a full event waits in line; leaving a seat gives it to
   * the first in line. Answers what the member's status now is. Throws 409 `cancelled` or
   * `past`, and `full` for "going" with `noWaitingList` (other servers show no line).
   */
  async rsvp(member: Actor, id: number, status: RsvpStatus, opts: RsvpOptions = {}): Promise<RsvpStatus> {
    if (!RSVP_CHOICES.includes(status)) throw new ValidationError({ status: 'Choose going, maybe or not going.' });
    return (await this.answer(member, id, status, opts)).next;
  }

  /**
   * Another server takes back an RSVP (an Undo of the Join, Accept or TentativeAccept
   * `apId`): the person is not going any more, but only while that activity's answer still
   * stands, since a later answer may have overtaken it on the way. Answers whether it did.
   */
  async withdrawRemote(member: Actor, id: number, apId: string): Promise<boolean> {
    const { changed } = await this.answer(member, id, 'not_going', { remote: true, onlyIf: apId });
    return changed;
  }

  private async answer(member: Actor, id: number, status: RsvpStatus, opts: RsvpOptions & { onlyIf?: string }) {
    const message = opts.message === undefined ? undefined : cleanText(opts.message ?? '').slice(0, MESSAGE_MAX) || null;
    const result = await this.db.transaction().execute(async (trx) => {
      const event = await this.row(trx, id);
      assertOpen({ event });
      const before = await trx.selectFrom('event_rsvps').selectAll().where('event_id', '=', id).where('member_id', '=', member.id).executeTakeFirst();
      const unchanged = { next: before?.status ?? status, previous: before?.status ?? null, promoted: [] as number[], changed: false };
      // An Undo that a later answer overtook, or that finds nothing to take back.
      if (opts.onlyIf !== undefined && (before?.join_ap_id !== opts.onlyIf || before.status === status)) return unchanged;
      let next: RsvpStatus = status;
      if (status === 'going' && before?.status !== 'going' && event.capacity !== null) {
        const { going } = await this.countsIn(trx, id);
        if (going >= event.capacity) {
          // Other servers have no waiting list to show: a full event says no.
          if (opts.noWaitingList) throw new DomainError('full', 409, 'This event is full.');
          next = 'waiting';
        }
      }
      const apId = opts.apId ?? before?.join_ap_id ?? null;
      if (before?.status === next && before.join_ap_id === apId && (message === undefined || before.message === message)) return { ...unchanged, next };
      const now = nowIso();
      const row = { status: next, waitlisted_at: next === 'waiting' ? (before?.status === 'waiting' ? before.waitlisted_at : now) : null, join_ap_id: apId, updated_at: now, ...(message === undefined ? {} : { message }) };
      await trx
        .insertInto('event_rsvps')
        .values({ event_id: id, member_id: member.id, created_at: now, ...row })
        .onConflict((oc) => oc.columns(['event_id', 'member_id']).doUpdateSet(row))
        .execute();
      const promoted = before?.status === 'going' && next !== 'going' ? await this.fillSeats(trx, event) : [];
      return { next, previous: before?.status ?? null, promoted, changed: before?.status !== next };
    });
    if (result.changed) {
      this.bus.emit('rsvp.changed', { eventId: id, memberId: member.id, status: result.next, previous: result.previous, ...(opts.remote ? { remote: true as const } : {}) });
    }
    for (const memberId of result.promoted) this.bus.emit('rsvp.changed', { eventId: id, memberId, status: 'going', previous: 'waiting', promoted: true });
    return result;
  }

  /**
   * A deleted account's answers to events still ahead, inside the deletion's transaction:
   * each becomes "not going" and a seat it held goes to the first in line. Past and
   * cancelled events keep their record. Answers the events to emit after the commit.
   */
  async withdrawAll(trx: DbOrTx, memberId: number): Promise<PendingEvent[]> {
    const rows = await trx.selectFrom('event_rsvps as r').innerJoin('events as e', 'e.id', 'r.event_id').selectAll('e').select('r.status as answer')
      .where('r.member_id', '=', memberId).where('r.status', '!=', 'not_going').where('e.status', '=', 'scheduled').where('e.ends_at', '>=', nowIso())
      .execute();
    const out: PendingEvent[] = [];
    for (const { answer, ...event } of rows) {
      await trx.updateTable('event_rsvps').set({ status: 'not_going', waitlisted_at: null, updated_at: nowIso() }).where('event_id', '=', event.id).where('member_id', '=', memberId).execute();
      out.push({ name: 'rsvp.changed', payload: { eventId: event.id, memberId, status: 'not_going', previous: answer, remote: true } });
      const promoted = answer === 'going' ? await this.fillSeats(trx, event) : [];
      for (const id of promoted) out.push({ name: 'rsvp.changed', payload: { eventId: event.id, memberId: id, status: 'going', previous: 'waiting', promoted: true } });
    }
    return out;
  }

  /**
   * Staff mark someone present, which the economy rewards: only within the check-in window
   * and for "going" or the waiting list (moved to "going": they are here). Someone already
   * checked in stays so and nothing is paid again (the form sent twice). Throws 409
   * `gone` (cancelled, over), `too_early` or `not_attending`.
   */
  async checkIn(staff: Actor, id: number, memberId: number): Promise<void> {
    requireStaff(staff);
    const event = await this.row(this.db, id);
    const previous = await this.db.transaction().execute(async (trx) => {
      const rsvp = await trx.selectFrom('event_rsvps').selectAll().where('event_id', '=', id).where('member_id', '=', memberId).executeTakeFirst();
      // Already checked in: the same check-in sent again (a double tap at the door) is done, not refused.
      if (rsvp?.checked_in_at) return null;
      const refusal = checkInRefusal(event, rsvp, nowIso());
      if (refusal) throw refusal;
      const now = nowIso();
      await trx
        .updateTable('event_rsvps')
        .set({ status: 'going', waitlisted_at: null, checked_in_at: now, checked_in_by: staff.id, updated_at: now })
        .where('event_id', '=', id)
        .where('member_id', '=', memberId)
        .execute();
      return rsvp!.status;
    });
    if (previous === null) return;
    if (previous !== 'going') this.bus.emit('rsvp.changed', { eventId: id, memberId, status: 'going', previous });
    this.bus.emit('event.attended', { eventId: id, memberId, spaceId: event.space_id });
  }

  /** Staff take a check-in back (a mistake at the door); the economy takes its award back with it. */
  async undoCheckIn(staff: Actor, id: number, memberId: number): Promise<void> {
    requireStaff(staff);
    const event = await this.row(this.db, id);
    const r = await this.db
      .updateTable('event_rsvps')
      .set({ checked_in_at: null, checked_in_by: null, updated_at: nowIso() })
      .where('event_id', '=', id)
      .where('member_id', '=', memberId)
      .where('checked_in_at', 'is not', null)
      .executeTakeFirst();
    // Nothing to take back (the undo sent twice, or never checked in): done, nothing paid back twice.
    if (Number(r.numUpdatedRows) === 0) return;
    this.bus.emit('event.unattended', { eventId: id, memberId, spaceId: event.space_id, by: staff.id });
  }

  /** An event the viewer may see (its space decides), or 404. */
  async getVisible(viewer: Viewer, id: number): Promise<EventRow & { spaceSlug: string; spaceName: string; spaceVisibility: string }> {
    const event = await this.db
      .selectFrom('events as e')
      .innerJoin('spaces as s', 's.id', 'e.space_id')
      .selectAll('e')
      .select(['s.slug as spaceSlug', 's.name as spaceName', 's.visibility as spaceVisibility'])
      .where('e.id', '=', id)
      .executeTakeFirst();
    if (!event || !canSeeSpace(viewer, { visibility: event.spaceVisibility })) throw notFound('That event');
    return event;
  }

  /** Events that have not ended, soonest first, in spaces the viewer may see. */
  upcoming(viewer: Viewer, opts: { spaceId?: number; limit?: number; publicOnly?: boolean } = {}) {
    let q = this.db
      .selectFrom('events as e')
      .innerJoin('spaces as s', 's.id', 'e.space_id')
      .selectAll('e')
      .select(['s.slug as spaceSlug', 's.name as spaceName', 's.visibility as spaceVisibility'])
      // Found by their end (events_ends), then sorted: walking events_starts in order would
      // read every past event first, and the past only grows (issue 14).
      .where('e.id', 'in', (eb) => eb.selectFrom('events').select('events.id').where('events.ends_at', '>=', nowIso()))
      .orderBy('e.starts_at')
      .limit(opts.limit ?? 100);
    if (viewer === null || opts.publicOnly) q = q.where('s.visibility', '=', 'public');
    if (opts.spaceId !== undefined) q = q.where('e.space_id', '=', opts.spaceId);
    return q.execute();
  }

  counts(id: number): Promise<EventCounts> {
    return this.countsIn(this.db, id);
  }

  /**
   * People by answer, for the event page (remote ones with their handle and server), or
   * null when the viewer may only see the counts (peopleView 'counts': visitors). Check-in times
   * are for staff; members see who answered what.
   */
  async attendees(viewer: Viewer, id: number) {
    const view = peopleView(viewer);
    if (view === 'counts') return null;
    const rows = await this.db
      .selectFrom('event_rsvps as r')
      .innerJoin('members as m', 'm.id', 'r.member_id')
      .select(['m.id', 'm.handle', 'm.display_name as displayName', 'm.domain', 'r.status', 'r.checked_in_at as checkedInAt', 'r.waitlisted_at as waitlistedAt'])
      .where('r.event_id', '=', id)
      .where('r.status', '!=', 'not_going')
      .orderBy('r.status')
      .orderBy('r.waitlisted_at')
      .orderBy('r.created_at')
      .execute();
    return view === 'everything' ? rows : rows.map((r) => ({ ...r, checkedInAt: null }));
  }

  async rsvpOf(id: number, memberId: number): Promise<EventRsvpRow | undefined> {
    return this.db.selectFrom('event_rsvps').selectAll().where('event_id', '=', id).where('member_id', '=', memberId).executeTakeFirst();
  }

  private async countsIn(db: DbOrTx, id: number): Promise<EventCounts> {
    const rows = await db.selectFrom('event_rsvps').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('event_id', '=', id).groupBy('status').execute();
    const n = (s: RsvpStatus) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return { going: n('going'), maybe: n('maybe'), waiting: n('waiting') };
  }

  /** Moves people from the line to free seats, first come first served; answers who moved. */
  private async fillSeats(trx: DbOrTx, event: EventRow): Promise<number[]> {
    const { going } = await this.countsIn(trx, event.id);
    const free = event.capacity === null ? Infinity : event.capacity - going;
    if (free <= 0) return [];
    let q = trx.selectFrom('event_rsvps').select('member_id').where('event_id', '=', event.id).where('status', '=', 'waiting').orderBy('waitlisted_at');
    if (Number.isFinite(free)) q = q.limit(free);
    const line = await q.execute();
    const ids = line.map((r) => r.member_id);
    if (ids.length) await trx.updateTable('event_rsvps').set({ status: 'going', waitlisted_at: null, updated_at: nowIso() }).where('event_id', '=', event.id).where('member_id', 'in', ids).execute();
    return ids;
  }

  private async row(db: DbOrTx, id: number): Promise<EventRow> {
    const event = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    if (!event) throw notFound('That event');
    return event;
  }
}

const requireStaff = (actor: Actor) => {
  if (!atLeast(actor.role, 'moderator')) throw forbidden('Only moderators and admins organise events.');
};
