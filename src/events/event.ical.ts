import { markdownToPlainText } from '../community/markdown.js';
import type { EventRow } from './event.table.js';

/** RFC 5545 text: backslash, semicolon, comma and newlines escaped. */
const text = (s: string): string => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** 20261205T183000Z */
const stamp = (iso: string): string => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** Lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > (out.length ? 74 : 75)) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

export interface IcalEvent extends Pick<EventRow, 'id' | 'title' | 'description_md' | 'starts_at' | 'ends_at' | 'address' | 'status' | 'updated_at' | 'created_at'> {
  url: string;
  /** The online link, only in an attendee's own copy. */
  onlineUrl?: string | null;
}

/**
 * A calendar (one event, or the feed of upcoming ones). Times are written in UTC, which
 * every calendar converts to the reader's zone; the planned zone is in the event page.
 */
export function toIcal(events: IcalEvent[], opts: { name: string; host: string }): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:-//Hearth//${text(opts.host)}//EN`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${text(opts.name)}`];
  for (const e of events) {
    // DESCRIPTION is plain text (RFC 5545 3.8.1.5): the Markdown as read, not as typed.
    const description = [markdownToPlainText(e.description_md), e.onlineUrl ? `Online: ${e.onlineUrl}` : '', e.url].filter(Boolean).join('\n\n');
    lines.push(
      'BEGIN:VEVENT',
      `UID:event-${e.id}@${opts.host}`,
      `DTSTAMP:${stamp(e.updated_at)}`,
      `CREATED:${stamp(e.created_at)}`,
      `LAST-MODIFIED:${stamp(e.updated_at)}`,
      `DTSTART:${stamp(e.starts_at)}`,
      `DTEND:${stamp(e.ends_at)}`,
      `SUMMARY:${text(e.title)}`,
      `DESCRIPTION:${text(description)}`,
      `URL:${e.url}`,
      `STATUS:${e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
    );
    if (e.address) lines.push(`LOCATION:${text(e.address)}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
