import { type Viewer, atLeast } from './roles.js';

/**
 * Who may see WHO took part, as opposed to how many: the ONE rule for every list of people
 * behind an action — an event's attendees, who reacted, who voted in a poll or on an idea.
 * Counts stay public; names are for members; staff (moderators and up) also see the
 * record they act on (check-ins). Pages and services ask here, never decide themselves.
 *
 * - 'counts': visitors (and other servers reading our documents) see numbers only.
 * - 'people': signed-in members see who, with what they answered.
 * - 'everything': staff also see check-in times and the like.
 */
export type PeopleView = 'counts' | 'people' | 'everything';

/** What `viewer` (null: a visitor) may see of the people behind a count: visitors 'counts', members 'people', moderators and up 'everything'. */
export function peopleView(viewer: Viewer): PeopleView {
  if (viewer === null) return 'counts';
  return atLeast(viewer.role, 'moderator') ? 'everything' : 'people';
}
