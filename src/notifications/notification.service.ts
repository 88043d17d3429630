import { sql } from 'kysely';
import { FieldErrors } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { NotificationRow } from './notification.table.js';

const PAGE = 30;

/** What members can hear about, each of which they can mute. */
export const KINDS = ['reply', 'mention', 'reaction', 'rsvp', 'idea', 'answer', 'badge', 'submission'] as const;
export type NotificationKind = (typeof KINDS)[number];
export const KIND_LABELS: Record<NotificationKind, string> = {
  reply: 'Replies to my posts',
  mention: 'Mentions of me',
  reaction: 'Reactions to my posts',
  rsvp: 'RSVPs and changes to events I go to',
  idea: 'Status changes of ideas I voted on',
  answer: 'My answers accepted',
  badge: 'Badges I earn',
  submission: 'Decisions on stories I sent',
};

export interface NotificationSettings {
  muted: NotificationKind[];
  email: string | null;
  digest: boolean;
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/**
 * In-app notifications: stored per member, listed newest first, with an unread count for
 * the bell; each member mutes the kinds they do not want. Written by the subscribers in
 * notification.subscribers.ts, never called by other modules.
 */
export class NotificationService {
  constructor(private readonly db: Db) {}

  /**
   * Writes one notification for a local member who has not muted its kind. `text` names
   * its subject and `link` leads to it. 'moderation' (a staff action on the member) cannot
   * be muted: a member is always told what was done to them and why.
   */
  async add(memberId: number, kind: NotificationKind | 'moderation', text: string, link: string | null, db: DbOrTx = this.db): Promise<void> {
    // One statement, the check and the write together (every reply and reaction notifies
    // someone): nothing is written for people on other servers, who hear through
    // federation, nor for a kind the member muted (a JSON list in their settings).
    await db
      .insertInto('notifications')
      .columns(['member_id', 'kind', 'text', 'link', 'created_at'])
      .expression(
        db
          .selectFrom('members as m')
          .leftJoin('notification_settings as s', 's.member_id', 'm.id')
          .select([sql<number>`${memberId}`.as('member_id'), sql<string>`${kind}`.as('kind'), sql<string>`${text.slice(0, 500)}`.as('text'), sql<string | null>`${link}`.as('link'), sql<string>`${nowIso()}`.as('created_at')])
          .where('m.id', '=', memberId)
          .where('m.domain', 'is', null)
          // json_each is SQLite's; PostgreSQL reads the same JSON array with jsonb_array_elements_text(s.muted::jsonb).
          .where(sql<boolean>`(s.muted is null or not exists (select 1 from json_each(s.muted) where value = ${kind}))`),
      )
      .execute();
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

  /**
   * Marks the given notifications of this member as read (the ones a page just showed);
   * ids of other members' notifications are ignored.
   */
  async markRead(memberId: number, ids: readonly number[]): Promise<void> {
    if (!ids.length) return;
    await this.db.updateTable('notifications').set({ read_at: nowIso() }).where('member_id', '=', memberId).where('id', 'in', [...ids]).where('read_at', 'is', null).execute();
  }

  async markAllRead(memberId: number): Promise<void> {
    await this.db.updateTable('notifications').set({ read_at: nowIso() }).where('member_id', '=', memberId).where('read_at', 'is', null).execute();
  }

  async settings(memberId: number): Promise<NotificationSettings> {
    const row = await this.db.selectFrom('notification_settings').selectAll().where('member_id', '=', memberId).executeTakeFirst();
    return { muted: row ? (JSON.parse(row.muted) as NotificationKind[]) : [], email: row?.email ?? null, digest: row?.digest === 1 };
  }

  /** Saves what a member wants; a digest needs an address (and e-mail switched on by the owner). */
  async saveSettings(memberId: number, input: { muted: string[]; email: string; digest: boolean }, emailAvailable: boolean): Promise<void> {
    const errors = new FieldErrors();
    const email = input.email.trim().toLowerCase() || null;
    if (email && (email.length > 254 || !EMAIL.test(email))) errors.add('email', 'Give an address such as name@example.com.');
    if (input.digest && !email) errors.add('email', 'Give the address the digest goes to.');
    if (input.digest && !emailAvailable) errors.add('digest', 'E-mail is off on this server.');
    errors.throwIfAny();
    const muted = JSON.stringify(KINDS.filter((k) => input.muted.includes(k)));
    const values = { muted, email, digest: input.digest ? 1 : 0, updated_at: nowIso() };
    await this.db
      .insertInto('notification_settings')
      .values({ member_id: memberId, ...values })
      .onConflict((oc) => oc.column('member_id').doUpdateSet(values))
      .execute();
  }
}
