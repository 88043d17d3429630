import { isolateText } from '../core/format.js';
import type { EventBus } from '../core/event-bus.js';
import { DomainError, FieldErrors, notFound } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import { isTimeZone } from '../core/timezone.js';
import type { Db } from '../db/schema.js';
import { INVITE_PROBLEMS, type InviteService } from './invite.service.js';
import type { MemberRow, MemberStatus } from './member.table.js';
import {
  BIO_MAX,
  DISPLAY_NAME_MAX,
  checkConfirm,
  checkHandle,
  checkPassword,
  cleanLine,
  cleanText,
  normalizeHandle,
} from './member.rules.js';
import type { PasswordHasher } from './password.js';
import { type Role, isRole } from './roles.js';
import type { SessionService } from './session.service.js';

export type MembershipMode = 'open' | 'approval' | 'invite';

export interface SignUpInput {
  handle: string;
  displayName?: string;
  password: string;
  /** The password typed again, when the form asks for it: checked with the other fields. */
  confirm?: string;
  inviteCode?: string;
}

export interface MemberServiceDeps {
  db: Db;
  bus: EventBus;
  hasher: PasswordHasher;
  sessions: SessionService;
  invites: InviteService;
  communityHandle: string;
  membershipMode: () => MembershipMode;
}

/** Accounts: sign-up under the membership mode, authentication, profiles, passwords. */
export class MemberService {
  /** Verified against when a handle is unknown, so a wrong handle costs as long as a wrong password. */
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: MemberServiceDeps) {}

  async signUp(input: SignUpInput): Promise<MemberRow> {
    const mode = this.deps.membershipMode();
    const errors = new FieldErrors();
    const handle = normalizeHandle(input.handle);
    checkHandle(handle, errors, this.deps.communityHandle);
    checkPassword(input.password, errors);
    if (input.confirm !== undefined) checkConfirm(input.password, input.confirm, errors);
    const displayName = cleanLine(input.displayName ?? '') || handle;
    if (displayName.length > DISPLAY_NAME_MAX) errors.add('displayName', `Display name must be at most ${DISPLAY_NAME_MAX} characters.`);
    const inviteCode = (input.inviteCode ?? '').trim();
    if (mode === 'invite' && !inviteCode) errors.add('inviteCode', 'This community is invite-only: enter your invite code.');
    // Said with the other fields, so one try shows every problem; consume() below still decides.
    if (inviteCode) {
      const state = await this.deps.invites.state(inviteCode);
      if (state !== 'valid') errors.add('inviteCode', INVITE_PROBLEMS[state]);
    }
    errors.throwIfAny();

    const passwordHash = await this.deps.hasher.hash(input.password);
    let invitedBy: number | undefined;
    const member = await this.deps.db.transaction().execute(async (trx) => {
      if (await this.handleTaken(handle, trx)) throw new DomainError('handle_taken', 409, 'That handle is already taken.');
      let status: MemberStatus = mode === 'approval' ? 'pending' : 'active';
      if (inviteCode) {
        // A valid invite also lets its holder skip the approval queue.
        invitedBy = await this.deps.invites.consume(trx, inviteCode);
        status = 'active';
      }
      return this.insert(trx, { handle, displayName, passwordHash, role: 'member', status });
    });
    this.deps.bus.emit('member.joined', { memberId: member.id, status: member.status === 'pending' ? 'pending' : 'active', invitedBy });
    return member;
  }

  /** For the command line and first-run setup: no membership mode applies. */
  async create(input: { handle: string; displayName?: string; password: string; role: Role }): Promise<MemberRow> {
    const errors = new FieldErrors();
    const handle = normalizeHandle(input.handle);
    checkHandle(handle, errors, this.deps.communityHandle);
    checkPassword(input.password, errors);
    if (!isRole(input.role)) errors.add('role', 'Role must be owner, admin, moderator or member.');
    const displayName = cleanLine(input.displayName ?? '') || handle;
    if (displayName.length > DISPLAY_NAME_MAX) errors.add('displayName', `Display name must be at most ${DISPLAY_NAME_MAX} characters.`);
    errors.throwIfAny();
    const passwordHash = await this.deps.hasher.hash(input.password);
    const member = await this.deps.db.transaction().execute(async (trx) => {
      if (await this.handleTaken(handle, trx)) throw new DomainError('handle_taken', 409, 'That handle is already taken.');
      return this.insert(trx, { handle, displayName, passwordHash, role: input.role, status: 'active' });
    });
    this.deps.bus.emit('member.joined', { memberId: member.id, status: 'active' });
    return member;
  }

  /** Checks a handle and password. Pending and suspended members are told why they cannot log in. */
  async authenticate(rawHandle: string, password: string): Promise<MemberRow> {
    const member = await this.findByHandle(normalizeHandle(rawHandle));
    if (!member) {
      this.dummyHash ??= this.deps.hasher.hash('not a real password');
      await this.deps.hasher.verify(password, await this.dummyHash);
      throw wrongCredentials();
    }
    if (!(await this.deps.hasher.verify(password, member.password_hash)) || member.domain !== null) throw wrongCredentials();
    if (member.status === 'pending') throw new DomainError('pending', 403, 'Your membership is waiting for an admin to approve it.');
    // The reason is told here, after the password: a suspended member cannot open their
    // notifications to read it, and only the account's holder gets this far.
    const why = member.status_reason ? `: ${isolateText(member.status_reason)}${/[.!?…]$/u.test(member.status_reason) ? '' : '.'}` : '.';
    if (member.status === 'rejected') throw new DomainError('rejected', 403, `Your membership request was declined${why}`);
    if (member.status === 'suspended') throw new DomainError('suspended', 403, `This account is suspended${why} A moderator can lift the suspension; ask the community's staff.`);
    return member;
  }

  /**
   * Display name, bio and (when given) the member's time zone: an IANA name, or '' for the
   * community's. Throws ValidationError naming every bad field.
   */
  async updateProfile(memberId: number, input: { displayName: string; bio: string; timeZone?: string }): Promise<MemberRow> {
    const errors = new FieldErrors();
    const displayName = cleanLine(input.displayName);
    const bio = cleanText(input.bio);
    const timeZone = input.timeZone?.trim();
    if (!displayName) errors.add('displayName', 'Display name cannot be empty.');
    else if (displayName.length > DISPLAY_NAME_MAX) errors.add('displayName', `Display name must be at most ${DISPLAY_NAME_MAX} characters.`);
    if (bio.length > BIO_MAX) errors.add('bio', `Bio must be at most ${BIO_MAX} characters.`);
    if (timeZone && !isTimeZone(timeZone)) errors.add('timeZone', 'Choose a time zone such as Europe/Berlin.');
    errors.throwIfAny();
    await this.deps.db
      .updateTable('members')
      .set({ display_name: displayName, bio, ...(timeZone === undefined ? {} : { timezone: timeZone || null }), updated_at: nowIso() })
      .where('id', '=', memberId)
      .execute();
    this.deps.bus.emit('member.updated', { memberId });
    return this.getById(memberId);
  }

  /** Whether follows from other servers wait for the member's approval (manuallyApprovesFollowers). */
  async setApproveFollowers(memberId: number, on: boolean): Promise<void> {
    await this.deps.db.updateTable('members').set({ approve_followers: on ? 1 : 0, updated_at: nowIso() }).where('id', '=', memberId).execute();
    this.deps.bus.emit('member.updated', { memberId });
  }

  /** Records a new avatar file name and returns the old one, for the caller to delete. */
  async setAvatar(memberId: number, file: string | null): Promise<string | null> {
    const before = await this.getById(memberId);
    await this.deps.db.updateTable('members').set({ avatar_file: file, updated_at: nowIso() }).where('id', '=', memberId).execute();
    this.deps.bus.emit('member.updated', { memberId });
    return before.avatar_file;
  }

  /** Records a new header (profile banner) file name and returns the old one, for the caller to delete. */
  async setHeader(memberId: number, file: string | null): Promise<string | null> {
    const before = await this.getById(memberId);
    await this.deps.db.updateTable('members').set({ header_file: file, updated_at: nowIso() }).where('id', '=', memberId).execute();
    this.deps.bus.emit('member.updated', { memberId });
    return before.header_file;
  }

  /**
   * Changes the password and ends every other session, as a stolen session should not survive it.
   * `confirm`, when given, is the new password typed again; every field's problem is reported at once.
   */
  async changePassword(memberId: number, input: { current: string; password: string; confirm?: string }, keepSessionId?: string): Promise<void> {
    const member = await this.getById(memberId);
    const next = input.password;
    const errors = new FieldErrors();
    if (!(await this.deps.hasher.verify(input.current, member.password_hash))) errors.add('current', 'Your current password is not right.');
    checkPassword(next, errors, 'password');
    if (input.confirm !== undefined) checkConfirm(next, input.confirm, errors);
    errors.throwIfAny();
    const hash = await this.deps.hasher.hash(next);
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('members').set({ password_hash: hash, updated_at: nowIso() }).where('id', '=', memberId).execute();
      await this.deps.sessions.revokeAll(memberId, keepSessionId, trx);
    });
  }

  /** Sets a new password without knowing the old one (command line only). */
  async resetPassword(memberId: number, next: string): Promise<void> {
    const errors = new FieldErrors();
    checkPassword(next, errors);
    errors.throwIfAny();
    const hash = await this.deps.hasher.hash(next);
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('members').set({ password_hash: hash, updated_at: nowIso() }).where('id', '=', memberId).execute();
      await this.deps.sessions.revokeAll(memberId, undefined, trx);
    });
  }

  /** Members and spaces share one address space on the fediverse (@name@domain), so a space's address takes a handle too. */
  private async handleTaken(handle: string, db: Pick<Db, 'selectFrom'>): Promise<boolean> {
    if (await this.findByHandle(handle, db)) return true;
    return (await db.selectFrom('spaces').select('id').where('slug', '=', handle).executeTakeFirst()) !== undefined;
  }

  findByHandle(handle: string, db: Pick<Db, 'selectFrom'> = this.deps.db): Promise<MemberRow | undefined> {
    return db.selectFrom('members').selectAll().where('handle', '=', normalizeHandle(handle)).executeTakeFirst();
  }

  async getByHandle(handle: string): Promise<MemberRow> {
    const member = await this.findByHandle(handle);
    if (!member) throw notFound('That member');
    return member;
  }

  async getById(id: number): Promise<MemberRow> {
    const member = await this.deps.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
    if (!member) throw notFound('That member');
    return member;
  }

  list(filter: { status?: MemberStatus } = {}): Promise<MemberRow[]> {
    // People from other servers are authors, not members: lists of members leave them out.
    let q = this.deps.db.selectFrom('members').selectAll().where('domain', 'is', null).orderBy('id');
    if (filter.status) q = q.where('status', '=', filter.status);
    return q.execute();
  }

  async ownerExists(): Promise<boolean> {
    const row = await this.deps.db.selectFrom('members').select('id').where('role', '=', 'owner').executeTakeFirst();
    return row !== undefined;
  }

  private async insert(
    trx: Pick<Db, 'insertInto'>,
    m: { handle: string; displayName: string; passwordHash: string; role: Role; status: MemberStatus },
  ): Promise<MemberRow> {
    const now = nowIso();
    return trx
      .insertInto('members')
      .values({
        handle: m.handle,
        display_name: m.displayName,
        bio: '',
        avatar_file: null,
        role: m.role,
        status: m.status,
        status_reason: null,
        password_hash: m.passwordHash,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}

const wrongCredentials = () => new DomainError('wrong_credentials', 401, 'That handle and password do not match.');
