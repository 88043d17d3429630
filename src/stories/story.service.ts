import { renderWithMentions } from '../community/markdown.js';
import { cleanLine, cleanText } from '../community/member.rules.js';
import { type Actor, atLeast } from '../community/roles.js';
import { formatNumber } from '../core/format.js';
import { DomainError, FieldErrors, ValidationError, forbidden, notFound } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import { once } from '../core/once.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { StoryRow, StoryStatus } from './story.table.js';

export const TITLE_MAX = 200;
export const NAME_MAX = 80;
export const NOTE_MAX = 2000;
/** A loose check: the editors answer by e-mail, so it needs an @ and a dot in the domain. */
const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]+\.[^\s@<>"]{2,}$/;

/** What editors do to a story in the queue. */
export type StoryMove = 'edit' | 'approve' | 'reject' | 'publish';

/**
 * The editorial transition table: what editors may do from each status. The service's
 * conditional updates start only from these statuses, and the editing page offers only
 * these moves (a rejected or published story has none).
 */
export const STORY_MOVES: Record<StoryStatus, readonly StoryMove[]> = {
  submitted: ['edit', 'approve', 'reject'],
  approved: ['edit', 'publish', 'reject'],
  rejected: [],
  published: [],
};

/** The statuses a move may start from (read off STORY_MOVES). */
const movableFrom = (move: StoryMove): StoryStatus[] => (Object.keys(STORY_MOVES) as StoryStatus[]).filter((s) => STORY_MOVES[s].includes(move));

/** Who sends a story: a member, or a visitor who leaves a name and an e-mail address. */
export type Submitter = { member: Actor } | { visitor: { name: string; email: string } };

export interface StoryInput {
  title: string;
  body: string;
  /**
   * The one-time key of the form that sends it (`submissionKey`, the `_once` field): the
   * same form sent again answers the story the first send made, and editors hear once.
   */
  key?: string | null;
}

export interface StoryView extends StoryRow {
  /** The author as the byline shows them: a member's handle and name, or the visitor's name. */
  byline: { handle: string | null; name: string };
}

/** The story an earlier send of the same form made (by this member, or by a visitor when `authorId` is null), if any. */
async function submitted(db: DbOrTx, authorId: number | null, key: string | null): Promise<StoryRow | undefined> {
  if (!key) return undefined;
  const q = db.selectFrom('stories').selectAll().where('submission_key', '=', key);
  return (authorId === null ? q.where('author_id', 'is', null) : q.where('author_id', '=', authorId)).executeTakeFirst();
}

/**
 * "Send us your story": members (and visitors, where the owner allows it) send stories to
 * an editorial queue. Editors (moderators and up) edit them, approve them with a note or
 * reject them with a reason, and publish approved ones as the community's own articles.
 * Each step is a conditional update on the status it starts from, so two editors acting
 * at once cannot both succeed.
 */
export class StoryService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly limits: () => { maxPostChars: number; visitors: boolean },
  ) {}

  async submit(from: Submitter, input: StoryInput): Promise<StoryRow> {
    const errors = new FieldErrors();
    let visitor: { name: string; email: string } | null = null;
    if ('visitor' in from) {
      if (!this.limits().visitors) throw new DomainError('login_required', 401, 'Log in to send a story.');
      visitor = { name: cleanLine(from.visitor.name), email: from.visitor.email.trim().toLowerCase() };
      if (!visitor.name) errors.add('name', 'Tell us your name, as the byline should show it.');
      else if (visitor.name.length > NAME_MAX) errors.add('name', `Keep your name under ${NAME_MAX} characters.`);
      if (!EMAIL.test(visitor.email) || visitor.email.length > 254) errors.add('email', 'Give an e-mail address the editors can answer, like ana@example.com.');
    }
    const text = await this.checkText(input, errors);
    errors.throwIfAny();
    const now = nowIso();
    const authorId = 'member' in from ? from.member.id : null;
    const key = input.key ?? null;
    const { row: story, fresh } = await once(
      () => this.db.transaction().execute(async (trx) => {
        const prior = await submitted(trx, authorId, key);
        if (prior) return { row: prior, fresh: false };
        const row = await trx
          .insertInto('stories')
          .values({
            author_id: authorId, visitor_name: visitor?.name ?? null, visitor_email: visitor?.email ?? null,
            ...text, decided_by: null, decided_at: null, edited_by: null, published_at: null, created_at: now, updated_at: now, submission_key: key,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { row, fresh: true };
      }),
      () => submitted(this.db, authorId, key),
    );
    if (fresh) this.bus.emit('story.submitted', { storyId: story.id });
    return story;
  }

  /** What waits for the editors: new stories first in line (oldest first), then approved ones. */
  async queue(editor: Actor): Promise<{ submitted: StoryView[]; approved: StoryView[] }> {
    this.mustEdit(editor);
    const [submitted, approved] = await Promise.all([this.withBylines('submitted', 'asc'), this.withBylines('approved', 'asc')]);
    return { submitted, approved };
  }

  async published(limit = 50): Promise<StoryView[]> {
    return this.withBylines('published', 'desc', limit);
  }

  /** A story for its author, an editor, or anyone once published; 404 to everyone else. */
  async getFor(viewer: Actor | null, id: number): Promise<StoryView> {
    const [story] = await this.bylines(await this.db.selectFrom('stories').selectAll().where('id', '=', id).execute());
    const mayRead = story && (story.status === 'published' || (viewer && (story.author_id === viewer.id || atLeast(viewer.role, 'moderator'))));
    if (!story || !mayRead) throw notFound('That story');
    return story;
  }

  /** A member's own stories, newest first, with where each stands. */
  async mine(memberId: number): Promise<StoryRow[]> {
    return this.db.selectFrom('stories').selectAll().where('author_id', '=', memberId).orderBy('id', 'desc').limit(50).execute();
  }

  /** The author takes back a story the editors have not decided on yet. */
  async withdraw(member: Actor, id: number): Promise<void> {
    const gone = await this.db.deleteFrom('stories').where('id', '=', id).where('author_id', '=', member.id).where('status', '=', 'submitted').executeTakeFirst();
    if (Number(gone.numDeletedRows) > 0) return;
    const story = await this.db.selectFrom('stories').select(['author_id', 'status']).where('id', '=', id).executeTakeFirst();
    if (!story || story.author_id !== member.id) throw notFound('That story');
    throw new DomainError('bad_transition', 409, `The editors have already decided on this story (it is ${story.status}), so it cannot be withdrawn.`);
  }

  async edit(editor: Actor, id: number, input: StoryInput): Promise<StoryRow> {
    this.mustEdit(editor);
    const errors = new FieldErrors();
    const text = await this.checkText(input, errors);
    errors.throwIfAny();
    return this.move(id, movableFrom('edit'), { ...text, edited_by: editor.id }, 'Only stories still in the queue can be edited.');
  }

  async approve(editor: Actor, id: number, rawNote: string): Promise<StoryRow> {
    this.mustEdit(editor);
    const note = this.checkNote(rawNote, 'note', false);
    const story = await this.move(id, movableFrom('approve'), { status: 'approved', editor_note: note, decided_by: editor.id, decided_at: nowIso() }, 'Only a new story can be approved.');
    this.bus.emit('story.decided', { storyId: id, status: 'approved', by: editor.id });
    return story;
  }

  /**
   * Checks a reject or publish without writing it, for the confirmation step
   * (src/web/confirm.ts): the same refusals as the move itself (editors only; a reason to
   * reject; 404 for no story; 409 when the story's status does not allow the move). Answers the story.
   */
  async checkMove(editor: Actor, id: number, move: 'reject' | 'publish', rawReason = ''): Promise<StoryView> {
    this.mustEdit(editor);
    if (move === 'reject') this.checkNote(rawReason, 'reason', true);
    const story = await this.getFor(editor, id);
    if (!STORY_MOVES[story.status].includes(move)) {
      const refusal = move === 'reject' ? 'Only a story in the queue can be rejected.' : 'Approve a story before publishing it.';
      throw new DomainError('bad_transition', 409, `${refusal} This one is ${story.status}.`);
    }
    return story;
  }

  async reject(editor: Actor, id: number, rawReason: string): Promise<StoryRow> {
    this.mustEdit(editor);
    const reason = this.checkNote(rawReason, 'reason', true);
    const story = await this.move(id, movableFrom('reject'), { status: 'rejected', reject_reason: reason, decided_by: editor.id, decided_at: nowIso() }, 'Only a story in the queue can be rejected.');
    this.bus.emit('story.decided', { storyId: id, status: 'rejected', by: editor.id });
    return story;
  }

  /** An approved story becomes the community's article; its member author is credited and paid. */
  async publish(editor: Actor, id: number): Promise<StoryRow> {
    this.mustEdit(editor);
    const story = await this.move(id, movableFrom('publish'), { status: 'published', published_at: nowIso() }, 'Approve a story before publishing it.');
    this.bus.emit('story.decided', { storyId: id, status: 'published', by: editor.id });
    if (story.author_id !== null) this.bus.emit('story.published', { storyId: id, authorId: story.author_id });
    return story;
  }

  private async move(id: number, from: StoryStatus[], set: Partial<Omit<StoryRow, 'id'>>, refusal: string): Promise<StoryRow> {
    const story = await this.db
      .updateTable('stories')
      .set({ ...set, updated_at: nowIso() })
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    if (story) return story;
    const exists = await this.db.selectFrom('stories').select('status').where('id', '=', id).executeTakeFirst();
    if (!exists) throw notFound('That story');
    throw new DomainError('bad_transition', 409, `${refusal} This one is ${exists.status}.`);
  }

  private mustEdit(actor: Actor): void {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only editors (moderators and admins) can do that.');
  }

  private async checkText(input: StoryInput, errors: FieldErrors): Promise<{ title: string; body_md: string; body_html: string }> {
    const title = cleanLine(input.title);
    const body = input.body.replace(/\r\n?/g, '\n').trim();
    const max = this.limits().maxPostChars;
    if (!title) errors.add('title', 'Give your story a title.');
    else if (title.length > TITLE_MAX) errors.add('title', `Keep the title under ${TITLE_MAX} characters.`);
    if (!body) errors.add('body', 'Write your story first: it is empty.');
    else if (body.length > max) errors.add('body', `A story can be at most ${formatNumber(max)} characters; this one has ${formatNumber(body.length)}.`);
    const html = body ? await renderWithMentions(this.db, body) : '';
    if (body && !html) errors.add('body', 'The story has no visible text.');
    return { title, body_md: body, body_html: html };
  }

  private checkNote(raw: string, field: string, required: boolean): string {
    const note = cleanText(raw);
    if (required && !note) throw new ValidationError({ [field]: 'Tell the author why, so they can send a better one.' });
    if (note.length > NOTE_MAX) throw new ValidationError({ [field]: `Keep it under ${NOTE_MAX} characters.` });
    return note;
  }

  private async withBylines(status: StoryStatus, order: 'asc' | 'desc', limit = 200): Promise<StoryView[]> {
    const rows = await this.db.selectFrom('stories').selectAll().where('status', '=', status).orderBy(status === 'published' ? 'published_at' : 'id', order).limit(limit).execute();
    return this.bylines(rows);
  }

  private async bylines(rows: StoryRow[]): Promise<StoryView[]> {
    const ids = [...new Set(rows.map((r) => r.author_id).filter((id): id is number => id !== null))];
    const members = ids.length ? await this.db.selectFrom('members').select(['id', 'handle', 'display_name']).where('id', 'in', ids).execute() : [];
    const byId = new Map(members.map((m) => [m.id, m]));
    return rows.map((r) => {
      const m = r.author_id === null ? undefined : byId.get(r.author_id);
      return { ...r, byline: m ? { handle: m.handle, name: m.display_name || m.handle } : { handle: null, name: r.visitor_name ?? 'A visitor' } };
    });
  }
}
