import type { PostInput, PostService } from '../community/post.service.js';
import type { PostRow } from '../community/post.table.js';
import { type Actor, type Viewer, atLeast } from '../community/roles.js';
import type { SpaceRow } from '../community/space.table.js';
import { DomainError, forbidden, notFound } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import type { QuestionRow } from './question.table.js';

export interface QuestionView {
  postId: number;
  acceptedId: number | null;
  /** Whether the viewer may accept an answer (the asker, an expert here, staff). */
  canAccept: boolean;
}

/**
 * Questions and answers. A question is a thread marked as one; its direct replies are its
 * answers. The asker, an expert in the space or a moderator accepts one answer, which
 * pages show first; accepting another moves the mark (and what it earned) to the new one.
 */
export class QuestionService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly posts: PostService,
    /** Experts are the economy's to decide (reputation or appointment). */
    private readonly isExpert: (spaceId: number, memberId: number) => Promise<boolean>,
  ) {}

  async ask(author: Actor, space: SpaceRow, input: PostInput): Promise<PostRow> {
    return this.posts.createThread(author, space, input, async (trx, post) => {
      await trx.insertInto('questions').values({ post_id: post.id, accepted_id: null, accepted_by: null, accepted_at: null }).execute();
    });
  }

  async get(postId: number, db: DbOrTx = this.db): Promise<QuestionRow | undefined> {
    return db.selectFrom('questions').selectAll().where('post_id', '=', postId).executeTakeFirst();
  }

  async view(postId: number, viewer: Viewer): Promise<QuestionView | null> {
    const question = await this.get(postId);
    if (!question) return null;
    const post = await this.db.selectFrom('posts').select(['author_id', 'space_id']).where('id', '=', postId).executeTakeFirstOrThrow();
    return { postId, acceptedId: question.accepted_id, canAccept: viewer !== null && (await this.mayAccept(viewer, post)) };
  }

  /** Marks a direct answer as the accepted one (replacing any other). */
  async accept(actor: Actor, answerId: number): Promise<void> {
    const { post: answer, space } = await this.posts.getVisible(actor, answerId);
    if (answer.parent_id === null || answer.parent_id !== answer.root_id) throw new DomainError('not_answer', 409, 'Only a direct answer to a question can be accepted.');
    await this.posts.getOpen(actor, answerId);
    const question = await this.db.selectFrom('posts').selectAll().where('id', '=', answer.parent_id).executeTakeFirstOrThrow();
    if (!(await this.mayAccept(actor, question))) throw forbidden('Only the person who asked, an expert here or a moderator can accept an answer.');
    const previous = await this.db.transaction().execute(async (trx) => {
      const row = await this.get(question.id, trx);
      if (!row) throw new DomainError('not_question', 409, 'That thread is not a question.');
      if (row.accepted_id === answer.id) return undefined;
      await trx.updateTable('questions').set({ accepted_id: answer.id, accepted_by: actor.id, accepted_at: nowIso() }).where('post_id', '=', question.id).execute();
      return row.accepted_id;
    });
    if (previous === undefined) return;
    if (previous !== null) await this.unaccepted(previous, space.id, actor.id);
    // Accepting one's own answer marks it for readers but earns nothing.
    if (answer.author_id !== question.author_id) this.bus.emit('answer.accepted', { postId: answer.id, authorId: answer.author_id, spaceId: space.id, by: actor.id });
  }

  /** Takes the mark off the accepted answer. */
  async unaccept(actor: Actor, questionId: number): Promise<void> {
    const { post: question, space } = await this.posts.getOpen(actor, questionId);
    if (!(await this.mayAccept(actor, question))) throw forbidden('Only the person who asked, an expert here or a moderator can change the accepted answer.');
    const previous = await this.db.transaction().execute(async (trx) => {
      const row = await this.get(question.id, trx);
      if (!row) throw notFound('That question');
      await trx.updateTable('questions').set({ accepted_id: null, accepted_by: null, accepted_at: null }).where('post_id', '=', question.id).execute();
      return row.accepted_id;
    });
    if (previous !== null) await this.unaccepted(previous, space.id, actor.id);
  }

  private async unaccepted(answerId: number, spaceId: number, by: number): Promise<void> {
    const answer = await this.db.selectFrom('posts').select('author_id').where('id', '=', answerId).executeTakeFirst();
    if (answer) this.bus.emit('answer.unaccepted', { postId: answerId, authorId: answer.author_id, spaceId, by });
  }

  private async mayAccept(actor: Actor, question: Pick<PostRow, 'author_id' | 'space_id'>): Promise<boolean> {
    return actor.id === question.author_id || atLeast(actor.role, 'moderator') || this.isExpert(question.space_id, actor.id);
  }
}
