import { isolateText } from '../core/format.js';
import { formatHandle } from '../community/handle.js';
import { markdownToPlainText } from '../community/markdown.js';
import { extractMentions } from '../community/mentions.js';
import type { EventBus } from '../core/event-bus.js';
import { PendingWork } from '../core/pending.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { WriteBatcher } from '../db/write-batcher.js';
import type { IdeaService } from '../ideas/idea.service.js';
import { type CurrencyWords, noticeFor } from '../moderation/log-text.js';
import { readLogEntries } from '../moderation/log.queries.js';
import { STATUS_LABELS, type IdeaStatus } from '../ideas/idea.table.js';
import type { Mailer } from './mailer.js';
import type { NotificationService } from './notification.service.js';

/**
 * Turns domain events into notifications: replies and answers, mentions, reactions, RSVPs
 * and event changes, accepted answers, badges, idea statuses (to voters) and editorial
 * decisions on stories, and every staff action on a member (from the moderation log, with
 * its reason and cost). Each notice names its subject (the post's or thread's title, the
 * event, the idea, the story) and links to it. Nobody is told about their own actions. Like awards,
 * they are written in order, many to a transaction, so a burst of events never piles up
 * on the database connection.
 */
export class NotificationSubscribers {
  private readonly pending = new PendingWork('notifications: writing one');
  private readonly writes: WriteBatcher;

  constructor(
    private readonly db: Db,
    private readonly notes: NotificationService,
    private readonly ideas: IdeaService,
    /** Visitors who sent a story hear of the editors' decision by e-mail, when e-mail is on. */
    private readonly mail: { mailer: Mailer | null; community: string; url: string; currency?: () => CurrencyWords } = { mailer: null, community: '', url: '' },
  ) {
    this.writes = new WriteBatcher(db);
  }

  attach(bus: EventBus): void {
    const job = (run: (trx: DbOrTx) => Promise<unknown>) => this.pending.track(this.writes.submit(run));
    bus.on('post.created', (e) => job((trx) => this.postCreated(trx, e.postId, e.authorId, e.parentId, e.rootId)));
    bus.on('reaction.added', (e) => job((trx) => this.reacted(trx, e.postId, e.memberId, e.authorId)));
    bus.on('answer.accepted', (e) => job((trx) => this.answerAccepted(trx, e.postId, e.authorId)));
    bus.on('moderation.logged', (e) => job((trx) => this.moderated(trx, e.entryId)));
    bus.on('badge.awarded', (e) => job((trx) => this.notes.add(e.memberId, 'badge', `You earned the badge “${isolateText(e.name)}”.`, '/wallet#badges', trx)));
    bus.on('rsvp.changed', (e) => job((trx) => this.rsvpChanged(trx, e.eventId, e.memberId, e.status, e.promoted === true)));
    bus.on('event.cancelled', (e) => job((trx) => this.eventCancelled(trx, e.eventId, e.reason, e.attendeeIds)));
    bus.on('idea.status_changed', (e) => job((trx) => this.ideaStatus(trx, e.postId, e.authorId, e.status as IdeaStatus, e.note, e.by)));
    bus.on('story.decided', (e) => {
      job((trx) => this.storyDecided(trx, e.storyId, e.status));
      this.pending.track(this.mailVisitor(e.storyId, e.status));
    });
  }

  /** Resolves when every notification started so far is written. */
  async idle(): Promise<void> {
    await this.pending.idle();
    await this.writes.idle();
  }

  private member(db: DbOrTx, id: number) {
    return db.selectFrom('members').select(['id', 'handle', 'domain']).where('id', '=', id).executeTakeFirst();
  }

  /**
   * A post's subject for a sentence: its own title, else its thread's, else the start of
   * its text (quoted), with the link to it inside its thread.
   */
  private async subject(db: DbOrTx, postId: number): Promise<{ title: string; link: string; fromText: boolean } | null> {
    const row = await db
      .selectFrom('posts as p')
      .leftJoin('posts as r', 'r.id', 'p.root_id')
      .select(['p.id', 'p.root_id', 'p.title', 'r.title as root_title', 'p.body_md'])
      .where('p.id', '=', postId)
      .executeTakeFirst();
    if (!row) return null;
    const text = row.title ?? row.root_title ?? excerpt(row.body_md);
    const root = row.root_id ?? row.id;
    return { title: `“${isolateText(text)}”`, link: root === row.id ? `/p/${row.id}` : `/p/${root}#p-${row.id}`, fromText: !(row.title ?? row.root_title) };
  }

  private async answerAccepted(db: DbOrTx, postId: number, authorId: number): Promise<void> {
    const about = await this.subject(db, postId);
    if (about) await this.notes.add(authorId, 'answer', `Your answer to ${about.title} was accepted.`, about.link, db);
  }

  /** The member a staff action was done to hears what happened, why, and what it cost (src/moderation/log-text.ts). */
  private async moderated(db: DbOrTx, entryId: number): Promise<void> {
    const [entry] = await readLogEntries(db, { id: entryId, limit: 1 });
    if (!entry || entry.target_member_id === null || entry.target_member_id === entry.actor_id) return;
    const notice = noticeFor(entry, this.mail.currency?.() ?? { name: 'point', plural: 'points' });
    if (notice) await this.notes.add(entry.target_member_id, 'moderation', notice.text, notice.link, db);
  }

  private async postCreated(db: DbOrTx, postId: number, authorId: number, parentId: number | null, rootId: number): Promise<void> {
    const author = await this.member(db, authorId);
    if (!author) return;
    const link = `/p/${rootId}#p-${postId}`;
    const told = new Set<number>([authorId]);
    // The post's words, its parent's author and whether the parent is a question: one read.
    const post = await db
      .selectFrom('posts as p')
      .leftJoin('posts as parent', 'parent.id', 'p.parent_id')
      .leftJoin('questions as q', 'q.post_id', 'p.parent_id')
      .select(['p.body_md', 'parent.author_id as parent_author', 'q.post_id as question'])
      .where('p.id', '=', postId)
      .executeTakeFirst();
    const thread = await this.subject(db, rootId);
    const title = thread?.title ?? '';
    // What was said, as read (no Markdown marks), so the list and the e-mail digest show it;
    // not again when the thread has no title and is named by these very words.
    const said = postId === rootId && thread?.fromText ? '.' : quote(post?.body_md ?? '');
    if (parentId !== null) {
      const parentAuthor = post?.parent_author ?? null;
      if (parentAuthor !== null && !told.has(parentAuthor)) {
        told.add(parentAuthor);
        // A direct reply to a question is an answer: the asker hears of it as one.
        const question = parentId === rootId && post?.question != null;
        if (question) await this.notes.add(parentAuthor, 'answer', `${formatHandle(author)} answered your question ${title}${said}`, link, db);
        else if (parentId === rootId) await this.notes.add(parentAuthor, 'reply', `${formatHandle(author)} replied to your post ${title}${said}`, link, db);
        else await this.notes.add(parentAuthor, 'reply', `${formatHandle(author)} replied to your reply in ${title}${said}`, link, db);
      }
    }
    // Mentions of local members in what local members write (remote posts carry their own tags).
    if (author.domain !== null) return;
    const handles = extractMentions(post?.body_md ?? '').filter((m) => m.domain === null).map((m) => m.user).slice(0, 20);
    if (!handles.length) return;
    const mentioned = await db.selectFrom('members').select('id').where('handle', 'in', handles).where('domain', 'is', null).execute();
    for (const m of mentioned) {
      if (told.has(m.id)) continue;
      told.add(m.id);
      await this.notes.add(m.id, 'mention', `${formatHandle(author)} mentioned you in ${title}${said}`, link, db);
    }
  }

  private async reacted(db: DbOrTx, postId: number, reactorId: number, authorId: number): Promise<void> {
    if (reactorId === authorId) return;
    const reactor = await this.member(db, reactorId);
    const about = await this.subject(db, postId);
    if (reactor && about) await this.notes.add(authorId, 'reaction', `${formatHandle(reactor)} reacted to your post ${about.title}.`, about.link, db);
  }

  private async rsvpChanged(db: DbOrTx, eventId: number, memberId: number, status: string, promoted: boolean): Promise<void> {
    const event = await db.selectFrom('events').select(['title', 'created_by']).where('id', '=', eventId).executeTakeFirst();
    if (!event) return;
    const link = `/events/${eventId}`;
    if (promoted) return this.notes.add(memberId, 'rsvp', `A seat freed up: you are going to “${isolateText(event.title)}”.`, link, db);
    if (event.created_by === memberId) return;
    const who = await this.member(db, memberId);
    if (!who) return;
    const words: Record<string, string> = { going: 'is going to', maybe: 'might come to', not_going: 'is not going to', waiting: 'is on the waiting list for' };
    await this.notes.add(event.created_by, 'rsvp', `${formatHandle(who)} ${words[status] ?? 'answered'} “${isolateText(event.title)}”.`, link, db);
  }

  /** Everyone who voted, and the idea's author, hear where the idea stands now. */
  private async ideaStatus(db: DbOrTx, postId: number, authorId: number, status: IdeaStatus, note: string, by: number): Promise<void> {
    const post = await db.selectFrom('posts').select('title').where('id', '=', postId).executeTakeFirst();
    if (!post) return;
    const text = `The idea “${isolateText(post.title)}” is now ${STATUS_LABELS[status].toLowerCase()}${note ? `: ${isolateText(note)}` : '.'}`;
    const people = new Set([authorId, ...(await this.ideas.voters(postId, db))]);
    people.delete(by);
    // add() skips voters from other servers: they hear nothing from here.
    for (const id of people) await this.notes.add(id, 'idea', text, `/p/${postId}`, db);
  }

  private async storyDecided(db: DbOrTx, storyId: number, status: 'approved' | 'rejected' | 'published'): Promise<void> {
    const story = await db.selectFrom('stories').select(['author_id', 'title', 'editor_note', 'reject_reason']).where('id', '=', storyId).executeTakeFirst();
    if (!story || story.author_id === null) return;
    await this.notes.add(story.author_id, 'submission', storyNews(story, status), status === 'published' ? `/stories/${storyId}` : '/submit', db);
  }

  private async mailVisitor(storyId: number, status: 'approved' | 'rejected' | 'published'): Promise<void> {
    const mailer = this.mail.mailer;
    if (!mailer) return;
    const story = await this.db.selectFrom('stories').select(['visitor_email', 'visitor_name', 'title', 'editor_note', 'reject_reason']).where('id', '=', storyId).executeTakeFirst();
    if (!story?.visitor_email) return;
    const link = status === 'published' ? `\n\nRead it here: ${this.mail.url}/stories/${storyId}` : '';
    await mailer.send({
      to: story.visitor_email,
      subject: `Your story at ${this.mail.community}`,
      text: `Hello ${story.visitor_name ?? ''},\n\n${storyNews(story, status)}${link}\n\n${this.mail.community}`,
    });
  }

  private async eventCancelled(db: DbOrTx, eventId: number, reason: string, attendeeIds: number[]): Promise<void> {
    const event = await db.selectFrom('events').select('title').where('id', '=', eventId).executeTakeFirst();
    if (!event) return;
    for (const id of attendeeIds) await this.notes.add(id, 'rsvp', `“${isolateText(event.title)}” was cancelled: ${isolateText(reason)}`, `/events/${eventId}`, db);
  }
}

/** The start of a post, for a notification: ': “Thanks for the tip…”', or '.' when there is no text. */
function quote(markdown: string): string {
  const text = markdownToPlainText(markdown, { maxLength: 120, singleLine: true });
  return text ? `: “${isolateText(text)}”` : '.';
}

/** What the author of a story is told at each editorial step. */
function storyNews(story: { title: string; editor_note: string; reject_reason: string }, status: 'approved' | 'rejected' | 'published'): string {
  if (status === 'approved') return `Your story “${isolateText(story.title)}” was accepted by the editors${story.editor_note ? `: ${isolateText(story.editor_note)}` : '.'}`;
  if (status === 'rejected') return `Your story “${isolateText(story.title)}” was not accepted: ${isolateText(story.reject_reason)}`;
  return `Your story “${isolateText(story.title)}” is published.`;
}

/** The start of a post's text for a sentence, on one line (a post without a title). */
function excerpt(markdown: string): string {
  return markdownToPlainText(markdown, { maxLength: 60, singleLine: true });
}
