import type { EventBus } from '../core/event-bus.js';
import { PendingWork } from '../core/pending.js';
import { nowIso } from '../core/time.js';
import type { Db } from '../db/schema.js';
import type { NotificationRow } from './notification.table.js';

const PAGE = 30;

/**
 * In-app notifications: written from domain events (this module subscribes; nobody calls
 * it to notify), listed newest first, with an unread count for the bell.
 */
export class NotificationService {
  private readonly pending = new PendingWork('notifications: writing one');

  constructor(private readonly db: Db) {}

  attach(bus: EventBus): void {
    const track = (work: Promise<unknown>) => this.pending.track(work);
    bus.on('badge.awarded', (e) => track(this.add(e.memberId, 'badge', `You earned the badge “${e.name}”.`, '/wallet#badges')));
    bus.on('rsvp.changed', (e) => track(this.rsvpChanged(e.eventId, e.memberId, e.status, e.promoted === true)));
    bus.on('event.cancelled', (e) => track(this.eventCancelled(e.eventId, e.reason, e.attendeeIds)));
  }

  private async rsvpChanged(eventId: number, memberId: number, status: string, promoted: boolean): Promise<void> {
    const event = await this.db.selectFrom('events').select(['title', 'created_by']).where('id', '=', eventId).executeTakeFirst();
    if (!event) return;
    const link = `/events/${eventId}`;
    if (promoted) return this.add(memberId, 'rsvp', `A seat freed up: you are going to “${event.title}”.`, link);
    if (event.created_by === memberId) return;
    const who = await this.db.selectFrom('members').select(['handle', 'domain']).where('id', '=', memberId).executeTakeFirst();
    if (!who) return;
    const words: Record<string, string> = { going: 'is going to', maybe: 'might come to', not_going: 'is not going to', waiting: 'is on the waiting list for' };
    await this.add(event.created_by, 'rsvp', `@${who.handle}${who.domain ? `@${who.domain}` : ''} ${words[status] ?? 'answered'} “${event.title}”.`, link);
  }

  private async eventCancelled(eventId: number, reason: string, attendeeIds: number[]): Promise<void> {
    const event = await this.db.selectFrom('events').select('title').where('id', '=', eventId).executeTakeFirst();
    if (!event) return;
    for (const id of attendeeIds) await this.add(id, 'rsvp', `“${event.title}” was cancelled: ${reason}`, `/events/${eventId}`);
  }

  /** Resolves when every notification started so far is written. */
  idle(): Promise<void> {
    return this.pending.idle();
  }

  /** Writes one notification for a local member (people on other servers are told by federation, not here). */
  async add(memberId: number, kind: string, text: string, link: string | null): Promise<void> {
    const member = await this.db.selectFrom('members').select('domain').where('id', '=', memberId).executeTakeFirst();
    if (!member || member.domain !== null) return;
    await this.db.insertInto('notifications').values({ member_id: memberId, kind, text: text.slice(0, 500), link, created_at: nowIso() }).execute();
  }

  async list(memberId: number, before?: number): Promise<{ items: NotificationRow[]; next: number | null }> {
    let q = this.db.selectFrom('notifications').selectAll().where('member_id', '=', memberId).orderBy('id', 'desc').limit(PAGE + 1);
    if (before) q = q.where('id', '<', before);
    const rows = await q.execute();
    const items = rows.slice(0, PAGE);
    return { items, next: rows.length > PAGE ? items[items.length - 1]!.id : null };
  }

  async unread(memberId: number): Promise<number> {
    const row = await this.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('member_id', '=', memberId)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async markAllRead(memberId: number): Promise<void> {
    await this.db.updateTable('notifications').set({ read_at: nowIso() }).where('member_id', '=', memberId).where('read_at', 'is', null).execute();
  }
}
