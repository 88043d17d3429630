import { formatTime } from '../core/format.js';
import { logger } from '../core/logger.js';
import { nowIso } from '../core/time.js';
import { isTimeZone } from '../core/timezone.js';
import type { Db } from '../db/schema.js';
import type { Mailer } from './mailer.js';

const DAY_MS = 86_400_000;

/**
 * The daily e-mail digest: once a day at most, each member who asked for it gets the
 * notifications they have not read that arrived since their last digest. Nothing is sent
 * when there is nothing new, and nothing at all when e-mail is off.
 */
export class DigestService {
  constructor(
    private readonly db: Db,
    private readonly mailer: Mailer | null,
    /** timezone: the community's IANA zone, for members who chose none. */
    private readonly community: { name: string; url: string; timezone: string },
  ) {}

  get available(): boolean {
    return this.mailer !== null;
  }

  /** Sends the digests that are due; answers how many went out. */
  async run(now = new Date()): Promise<number> {
    if (!this.mailer) return 0;
    const due = await this.db
      .selectFrom('notification_settings as s')
      .innerJoin('members as m', 'm.id', 's.member_id')
      .select(['s.member_id', 's.email', 's.last_digest_at', 'm.display_name', 'm.status', 'm.timezone'])
      .where('s.digest', '=', 1)
      .where('s.email', 'is not', null)
      .where('m.status', '=', 'active')
      .where((eb) => eb.or([eb('s.last_digest_at', 'is', null), eb('s.last_digest_at', '<=', new Date(now.getTime() - DAY_MS).toISOString())]))
      .execute();
    let sent = 0;
    for (const member of due) {
      const since = member.last_digest_at ?? new Date(now.getTime() - DAY_MS).toISOString();
      const items = await this.db
        .selectFrom('notifications')
        .select(['text', 'link', 'created_at'])
        .where('member_id', '=', member.member_id)
        .where('read_at', 'is', null)
        .where('created_at', '>', since)
        .orderBy('id')
        .limit(50)
        .execute();
      if (!items.length) continue;
      // Each line says when, on the member's own clock, in the pages' style.
      const zone = member.timezone && isTimeZone(member.timezone) ? member.timezone : this.community.timezone;
      const lines = items.map((n) => `- ${formatTime(n.created_at, zone)}: ${n.text}${n.link ? `\n  ${this.community.url}${n.link}` : ''}`);
      try {
        await this.mailer.send({
          to: member.email!,
          subject: `${this.community.name}: ${items.length} new ${items.length === 1 ? 'notification' : 'notifications'}`,
          text: `Hello ${member.display_name},\n\nWhat happened in ${this.community.name} since your last digest:\n\n${lines.join('\n')}\n\nChoose what you hear about, or stop these e-mails: ${this.community.url}/settings/notifications\n`,
        });
        sent++;
        await this.db.updateTable('notification_settings').set({ last_digest_at: now.toISOString(), updated_at: nowIso() }).where('member_id', '=', member.member_id).execute();
      } catch (err) {
        // The address stays due and is tried on the next run; the reason is logged without the address.
        logger.warn(`digest: could not send to member ${member.member_id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return sent;
  }
}
