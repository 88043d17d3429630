import type { FieldErrors } from '../core/errors.js';
import type { MemberStatus } from './member.table.js';

/** What staff do to a member's standing. */
export type MemberMove = 'approve' | 'reject' | 'suspend' | 'unsuspend';

/**
 * The membership transition table: which moves each status allows. The moderation service
 * refuses (or, for a repeat, ignores) any other, and the admin page offers only these.
 * A deleted account stays deleted; a declined request is not suspended, it was never in.
 */
export const MEMBER_MOVES: Record<MemberStatus, readonly MemberMove[]> = {
  pending: ['approve', 'reject'],
  active: ['suspend'],
  suspended: ['unsuspend'],
  rejected: [],
  deleted: [],
};
/** Whether MEMBER_MOVES allows `move` from `status` (the moderation service and the admin page both ask). */
export const canMove = (status: MemberStatus, move: MemberMove): boolean => MEMBER_MOVES[status].includes(move);

/** Handles and passwords are checked the same way by sign-up, setup and the command line. */
export const HANDLE_MAX = 30;
export const HANDLE_PATTERN = /^[a-z0-9_]{2,30}$/;
export const RESERVED_HANDLES = new Set([
  'admin', 'administrator', 'api', 'about', 'community', 'help', 'hearth', 'login', 'logout',
  'moderator', 'owner', 'root', 'settings', 'setup', 'signup', 'static', 'support', 'system', 'uploads',
]);
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;
export const DISPLAY_NAME_MAX = 60;
export const BIO_MAX = 1000;

export const normalizeHandle = (raw: string): string => raw.trim().replace(/^@/, '').toLowerCase();

export function checkHandle(handle: string, errors: FieldErrors, communityHandle: string): void {
  if (!HANDLE_PATTERN.test(handle)) errors.add('handle', 'Handle must be 2 to 30 characters: letters, digits and _.');
  else if (RESERVED_HANDLES.has(handle) || handle === communityHandle) errors.add('handle', 'That handle is reserved.');
}

export function checkPassword(password: string, errors: FieldErrors, field = 'password'): void {
  if (password.length < PASSWORD_MIN) errors.add(field, `Password must be at least ${PASSWORD_MIN} characters.`);
  else if (password.length > PASSWORD_MAX) errors.add(field, `Password must be at most ${PASSWORD_MAX} characters.`);
}

/** A password typed twice must match; the error sits beside the second box (`confirm`). */
export function checkConfirm(password: string, confirm: string, errors: FieldErrors, field = 'confirm'): void {
  if (password !== confirm) errors.add(field, 'The two passwords are not the same.');
}

/** Collapses whitespace and strips control characters: a display name is one line. */
export const cleanLine = (raw: string): string => raw.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
/** Multi-line plain text (bios, reasons): keeps newlines, drops other control characters. */
export const cleanText = (raw: string): string => raw.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim();
