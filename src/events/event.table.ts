import type { Generated, Selectable } from 'kysely';

export type EventStatus = 'scheduled' | 'cancelled';
export type RsvpStatus = 'going' | 'maybe' | 'not_going' | 'waiting';

export interface EventTable {
  id: Generated<number>;
  space_id: number;
  title: string;
  description_md: Generated<string>;
  description_html: Generated<string>;
  starts_at: string;
  ends_at: string;
  timezone: string;
  address: string | null;
  online_url: string | null;
  capacity: number | null;
  status: Generated<EventStatus>;
  cancel_reason: string | null;
  created_by: number;
  created_at: string;
  updated_at: string;
  /** The one-time key of the form that made it (`_once`, migration 0028); unique per organiser. */
  submission_key: Generated<string | null>;
}
export type EventRow = Selectable<EventTable>;

export interface EventRsvpTable {
  event_id: number;
  member_id: number;
  status: RsvpStatus;
  waitlisted_at: string | null;
  checked_in_at: string | null;
  checked_in_by: number | null;
  /** The remote RSVP activity (Join, Accept, TentativeAccept...) whose answer stands; an Undo of it withdraws the answer. */
  join_ap_id: string | null;
  /** What a remote participant wrote with their answer (Mobilizon's participationMessage), plain text. */
  message: Generated<string | null>;
  created_at: string;
  updated_at: string;
}
export type EventRsvpRow = Selectable<EventRsvpTable>;
