import { renderWithMentions } from '../community/markdown.js';
import { cleanLine, cleanText } from '../community/member.rules.js';
import { FieldErrors, ValidationError } from '../core/errors.js';
import { formatNumber } from '../core/format.js';
import { isTimeZone, zonedToUtc } from '../core/timezone.js';
import type { Db } from '../db/schema.js';
import type { RsvpStatus } from './event.table.js';

/** What an organiser fills in: wall-clock times in the event's own zone. */
export interface EventInput {
  spaceId: number;
  title: string;
  description: string;
  /** "YYYY-MM-DDTHH:MM" in `timezone`. */
  startsLocal: string;
  endsLocal: string;
  timezone: string;
  address: string;
  onlineUrl: string;
  /** Blank or null: no limit. */
  capacity: string | number | null;
}

export const RSVP_CHOICES: readonly RsvpStatus[] = ['going', 'maybe', 'not_going'];
export const MESSAGE_MAX = 1000;
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 20_000;
export const CANCEL_REASON_MAX = 500;
export const ADDRESS_MAX = 500;

/**
 * An organiser's form checked and turned into the event's columns: every field's problem
 * at once (422 `ValidationError`), wall times placed in the event's zone (UTC ISO out),
 * the description rendered from Markdown with its mentions linked.
 */
export async function parseEventInput(db: Db, input: EventInput) {
  const errors = new FieldErrors();
  const title = cleanLine(input.title);
  const description = cleanText(input.description);
  if (!title) errors.add('title', 'Give the event a title.');
  else if (title.length > TITLE_MAX) errors.add('title', `Keep the title under ${formatNumber(TITLE_MAX)} characters.`);
  if (description.length > DESCRIPTION_MAX) errors.add('description', `Keep the description under ${formatNumber(DESCRIPTION_MAX)} characters.`);
  const timezone = input.timezone.trim();
  if (!isTimeZone(timezone)) errors.add('timezone', 'Choose a time zone such as Europe/Paris.');
  // Without a valid zone the wall times cannot be placed; the zone's error says why.
  const zone = isTimeZone(timezone) ? timezone : 'UTC';
  const starts = zonedToUtc(input.startsLocal.trim(), zone);
  const ends = zonedToUtc(input.endsLocal.trim(), zone);
  if (!starts) errors.add('startsLocal', 'Give the start as a date and time.');
  if (!ends) errors.add('endsLocal', 'Give the end as a date and time.');
  if (starts && ends && ends <= starts) errors.add('endsLocal', 'The event must end after it starts.');
  const address = cleanLine(input.address) || null;
  if (address && address.length > ADDRESS_MAX) errors.add('address', `Keep the address under ${formatNumber(ADDRESS_MAX)} characters.`);
  const onlineUrl = input.onlineUrl.trim() || null;
  if (onlineUrl && !/^https?:\/\/[^\s]+$/i.test(onlineUrl)) errors.add('onlineUrl', 'Give the online link as an http(s) address.');
  const capText = typeof input.capacity === 'number' ? String(input.capacity) : (input.capacity ?? '').trim();
  let capacity: number | null = null;
  if (capText) {
    capacity = /^\d{1,7}$/.test(capText) ? Number(capText) : NaN;
    if (!Number.isSafeInteger(capacity) || capacity < 1) errors.add('capacity', 'Capacity must be a whole number of at least 1, or blank for no limit.');
  }
  const space = await db.selectFrom('spaces').select('id').where('id', '=', input.spaceId).executeTakeFirst();
  if (!space) errors.add('spaceId', 'Choose a space.');
  errors.throwIfAny();
  return {
    space_id: input.spaceId, title, description_md: description, description_html: await renderWithMentions(db, description), starts_at: starts!, ends_at: ends!, timezone,
    address, online_url: onlineUrl, capacity,
  };
}

/** The reason for cancelling an event, cleaned; 422 on `reason` when there is none (attendees are told it) or it is too long. */
export function cancelReason(raw: string): string {
  const reason = cleanText(raw);
  if (!reason) throw new ValidationError({ reason: 'Say why: attendees are told.' });
  if (reason.length > CANCEL_REASON_MAX) throw new ValidationError({ reason: `Keep the reason under ${formatNumber(CANCEL_REASON_MAX)} characters.` });
  return reason;
}
