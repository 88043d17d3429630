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
    bus.on('badge.awarded', (e) => this.pending.track(this.add(e.memberId, 'badge', `You earned the badge “${e.name}”.`, '/wallet#badges')));
  }

  /** Resolves when every notification started so far is written. */
  idle(): Promise<void> {
    return this.pending.idle();
  }

  async add(memberId: number, kind: string, text: string, link: string | null): Promise<void> {
    await this.db.insertInto('notifications').values({ member_id: memberId, kind, text, link, created_at: nowIso() }).execute();
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
