/**
 * Codes kept in the data, in the community's words for people. Templates never print a
 * status, role or kind as stored: they pass it through `label(group, code)` (the nunjucks
 * filter `{{ m.role | label('role') }}`). An unknown code reads as words (underscores and
 * dots become spaces), never as the code itself.
 */
export const LABELS = {
  role: { owner: 'Owner', admin: 'Admin', moderator: 'Moderator', member: 'Member' },
  memberStatus: { active: 'Active', pending: 'Waiting for approval', suspended: 'Suspended', rejected: 'Declined', deleted: 'Account deleted' },
  spaceVisibility: { public: 'public', members: 'members only' },
  reportSource: { remote: 'from another server', member: 'from a member here' },
  storyStatus: { submitted: 'waiting for the editors', approved: 'accepted, to be published', rejected: 'not accepted', published: 'published' },
  rsvp: { going: 'going', maybe: 'maybe', not_going: 'not going', waiting: 'waiting list' },
  eventStatus: { scheduled: 'planned', cancelled: 'cancelled' },
  reportStatus: { open: 'open', resolved: 'resolved' },
} as const satisfies Record<string, Record<string, string>>;

export type LabelGroup = keyof typeof LABELS;

/** The words for `code` in `group`; unknown codes become plain words ("under_review" → "under review"). */
export function label(group: LabelGroup, code: string | null | undefined): string {
  if (!code) return '';
  const words = (LABELS[group] as Record<string, string> | undefined)?.[code];
  return words ?? code.replace(/[._]+/g, ' ');
}
