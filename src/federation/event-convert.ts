import { formatTime } from '../core/format.js';
import type { EventCounts } from '../events/event.service.js';
import type { EventRow } from '../events/event.table.js';
import { absoluteLinks, PUBLIC } from './convert.js';

export const eventIri = (baseUrl: string, id: number): string => `${baseUrl}/events/${id}`;

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
// Read by people on other servers, who have no zone setting here: the event's own clock,
// labelled, in the style the pages use.
const when = (iso: string, tz: string): string => `${formatTime(iso, tz)} (${tz})`;

/**
 * An event as Mobilizon federates it: an `Event` from the space's Group with Mobilizon's
 * fields (join mode, capacity and seats left, participants, online or not, time zone,
 * iCal status). Servers without events (Mastodon) show it as a post: its `content`
 * starts with the date and the place. The online link never leaves (it is for attendees).
 */
export function eventToAp(event: EventRow, counts: EventCounts, opts: { baseUrl: string; groupIri: string; groupFollowers: string }): Record<string, unknown> {
  const id = eventIri(opts.baseUrl, event.id);
  const lines = [`<strong>${escape(when(event.starts_at, event.timezone))}</strong>`];
  if (event.address) lines.push(escape(event.address));
  else if (event.online_url) lines.push('Online');
  if (event.status === 'cancelled') lines.unshift(`<strong>Cancelled</strong>: ${escape(event.cancel_reason ?? '')}`);
  const doc: Record<string, unknown> = {
    id,
    type: 'Event',
    name: event.title,
    content: `<p>${lines.join('<br>')}</p>${absoluteLinks(event.description_html, opts.baseUrl)}`,
    mediaType: 'text/html',
    startTime: event.starts_at,
    endTime: event.ends_at,
    timezone: event.timezone,
    published: event.created_at,
    updated: event.updated_at,
    url: id,
    attributedTo: opts.groupIri,
    audience: opts.groupIri,
    to: [PUBLIC],
    cc: [opts.groupFollowers],
    joinMode: 'free',
    participantCount: counts.going,
    isOnline: Boolean(event.online_url) && !event.address,
    anonymousParticipationEnabled: false,
    repliesModerationOption: 'allow_all',
    'ical:status': event.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
  };
  if (event.capacity !== null) {
    doc.maximumAttendeeCapacity = event.capacity;
    doc.remainingAttendeeCapacity = Math.max(0, event.capacity - counts.going);
  }
  if (event.address) doc.location = { type: 'Place', name: event.address, address: { type: 'PostalAddress', streetAddress: event.address } };
  return doc;
}

/** The event a Join or Leave names, by its IRI on this server. */
export function eventIdFromIri(baseUrl: string, iri: string | null): number | null {
  if (!iri?.startsWith(`${baseUrl}/events/`)) return null;
  const rest = iri.slice(baseUrl.length + '/events/'.length);
  return /^\d{1,15}$/.test(rest) ? Number(rest) : null;
}
