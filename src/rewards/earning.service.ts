import type { Config, EarnRule } from '../config.js';
import type { EventBus } from '../core/event-bus.js';
import { PendingWork } from '../core/pending.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { WriteBatcher } from '../db/write-batcher.js';
import type { AchievementService } from './achievement.service.js';
import { ISSUING, type LedgerService, wallet } from './ledger.service.js';
import type { LedgerEntryRow } from './ledger.table.js';

const REASONS: Record<EarnRule, string> = {
  post: 'Started a thread',
  reply: 'Replied in a thread',
  reaction_received: 'Someone reacted to your post',
  accepted_answer: 'Your answer was accepted',
  event_attended: 'Attended an event',
  idea_shipped: 'Your idea shipped',
  story_published: 'Your story was published',
  invite_accepted: 'Someone joined with your invite',
};

type After = (effect: () => void) => void;

/**
 * Pays members for taking part, from domain events: no other module calls it. Each award
 * names its source (post:12, reaction:12:7...) so an event pays once; daily caps apply
 * per rule and overall; removed or deleted content takes its awards back. Nobody earns
 * from their own reactions; reactions and replies from other servers count once per
 * remote person. Events are applied in order, many to a transaction (WriteBatcher).
 */
export class EarningService {
  private readonly pending = new PendingWork('economy: an award');
  private readonly writes: WriteBatcher;

  constructor(
    db: Db,
    private readonly ledger: LedgerService,
    private readonly achievements: AchievementService,
    private readonly economy: () => Config['economy'],
  ) {
    this.writes = new WriteBatcher(db);
  }

  attach(bus: EventBus): void {
    bus.on('post.created', (e) => this.track(this.writes.submit((trx, after) => this.postCreated(trx, after, e.postId, e.spaceId, e.authorId, e.parentId, e.remote === true))));
    bus.on('reaction.added', (e) => this.track(this.writes.submit((trx, after) => this.reacted(trx, after, e.postId, e.spaceId, e.memberId, e.authorId))));
    bus.on('post.removed', (e) => this.track(this.writes.submit((trx) => this.takeBack(trx, e.postId, 'The post was removed by a moderator'))));
    bus.on('post.deleted', (e) => this.track(this.writes.submit((trx) => this.takeBack(trx, e.postId, 'The post was deleted'))));
    // A deleted account's reactions and replies stop counting for the people they reached.
    bus.on('member.deleted', (e) => this.track(this.writes.submit((trx) => this.takeBackEngagement(trx, e.memberId))));
    bus.on('member.joined', (e) => {
      if (e.invitedBy !== undefined) this.track(this.award(e.invitedBy, 'invite_accepted', `invite:${e.memberId}`));
    });
    bus.on('answer.accepted', (e) => this.track(this.award(e.authorId, 'accepted_answer', `answer:${e.postId}`, { spaceId: e.spaceId })));
    // Another answer was accepted instead (or none): what this one earned goes back.
    bus.on('answer.unaccepted', (e) => this.track(this.writes.submit((trx) => this.takeBackSources(trx, [`answer:${e.postId}`], 'Another answer was accepted instead'))));
    bus.on('event.attended', (e) => this.track(this.award(e.memberId, 'event_attended', `attended:${e.eventId}:${e.memberId}`, { spaceId: e.spaceId })));
    bus.on('event.unattended', (e) => this.track(this.writes.submit((trx) => this.takeBackSources(trx, [`attended:${e.eventId}:${e.memberId}`], 'The check-in was taken back'))));
    bus.on('idea.shipped', (e) => this.track(this.award(e.authorId, 'idea_shipped', `idea:${e.postId}`, { spaceId: e.spaceId })));
    bus.on('story.published', (e) => this.track(this.award(e.authorId, 'story_published', `story:${e.storyId}`)));
  }

  /** Resolves when every award started so far is written (tests and shutdown wait on it). */
  async idle(): Promise<void> {
    await this.pending.idle();
    await this.writes.idle();
  }

  private track(work: Promise<unknown>): void {
    this.pending.track(work);
  }

  /**
   * Counts an achievement for a local member and credits the rule's amount within the
   * day's caps; null when nothing was paid (already counted, capped, rule at 0). Badges
   * the achievement completes are given in the same transaction.
   */
  award(memberId: number, rule: EarnRule, source: string, opts: { spaceId?: number | null; reason?: string } = {}): Promise<LedgerEntryRow | null> {
    return this.writes.submit((trx, after) => this.awardIn(trx, after, memberId, rule, source, opts));
  }

  private async awardIn(trx: DbOrTx, after: After, memberId: number, rule: EarnRule, source: string, opts: { spaceId?: number | null; reason?: string }): Promise<LedgerEntryRow | null> {
    const economy = this.economy();
    if (!economy.enabled) return null;
    // Only an active local member achieves (and so earns) anything: record() checks it.
    if (!(await this.achievements.record(trx, memberId, rule, source, opts.spaceId ?? null))) return null;
    const badges = await this.achievements.check(trx, memberId, rule);
    if (badges.length) after(() => this.achievements.announce(memberId, badges));
    const amount = economy.earn[rule];
    if (amount <= 0) return null;
    const day = nowIso().slice(0, 10);
    const earned = await trx
      .selectFrom('ledger_entries')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('all'),
        eb.fn.coalesce(eb.fn.sum<number>(eb.case().when('rule', '=', rule).then(eb.ref('amount')).else(0).end()), eb.lit(0)).as('rule'),
      ])
      .where('member_id', '=', memberId)
      .where('day', '=', day)
      .where('kind', '=', 'award')
      .executeTakeFirstOrThrow();
    const due = Math.min(amount, economy.cap[rule] - Number(earned.rule), economy.daily_cap - Number(earned.all));
    if (due <= 0) return null;
    return this.ledger.record(trx, { debit: ISSUING, credit: wallet(memberId), amount: due, kind: 'award', rule, source, reason: opts.reason ?? REASONS[rule], memberId });
  }

  private async postCreated(trx: DbOrTx, after: After, postId: number, spaceId: number, authorId: number, parentId: number | null, remote: boolean): Promise<void> {
    if (!remote) await this.awardIn(trx, after, authorId, parentId === null ? 'post' : 'reply', `post:${postId}`, { spaceId });
    // A reply from another server is engagement the parent's author earned, once per person.
    if (parentId === null || !remote) return;
    const parent = await trx.selectFrom('posts').select('author_id').where('id', '=', parentId).executeTakeFirst();
    if (parent && parent.author_id !== authorId) {
      await this.awardIn(trx, after, parent.author_id, 'reaction_received', `remote-reply:${parentId}:${authorId}`, { spaceId, reason: 'Someone on another server replied to your post' });
    }
  }

  private async reacted(trx: DbOrTx, after: After, postId: number, spaceId: number, reactorId: number, authorId: number): Promise<void> {
    if (reactorId === authorId) return;
    // One award per person and post, whatever the kind and however often it is toggled.
    await this.awardIn(trx, after, authorId, 'reaction_received', `reaction:${postId}:${reactorId}`, { spaceId });
  }

  /** Removed or deleted content takes back what it earned (its own award and the reactions to it) and stops counting. */
  private async takeBack(trx: DbOrTx, postId: number, reason: string): Promise<number> {
    return this.takeBackSources(trx, await this.earnedBy(trx, postId), reason);
  }

  /** The sources a post still holds awards for: its own, the reactions and remote replies to it, an accepted answer. */
  private async earnedBy(db: DbOrTx, postId: number): Promise<string[]> {
    const rows = await db
      .selectFrom('achievements')
      .select('source')
      .where('revoked', '=', 0)
      .where((eb) => eb.or([eb('source', '=', `post:${postId}`), eb('source', 'like', `reaction:${postId}:%`), eb('source', 'like', `remote-reply:${postId}:%`), eb('source', '=', `answer:${postId}`)]))
      .execute();
    return rows.map((r) => r.source);
  }

  /** What a person's reactions and remote replies earned others (reaction:<post>:<them>, remote-reply:<post>:<them>). */
  private async takeBackEngagement(trx: DbOrTx, memberId: number): Promise<void> {
    const rows = await trx
      .selectFrom('achievements')
      .select('source')
      .where('revoked', '=', 0)
      .where((eb) => eb.or([eb('source', 'like', `reaction:%:${memberId}`), eb('source', 'like', `remote-reply:%:${memberId}`)]))
      .execute();
    await this.takeBackSources(trx, rows.map((r) => r.source), 'The account that reacted or replied was deleted');
  }

  /**
   * A moderator's removal takes back what the post earned inside the removal's own
   * transaction (ModerationService's RemovalCosts), so the author can be told the amount.
   * Answers the amount taken back (0: nothing, or the wallet was already empty).
   */
  takeBackPost(trx: DbOrTx, postId: number, reason: string): Promise<number> {
    return this.takeBack(trx, postId, reason);
  }

  /**
   * What `takeBackPost` would take now, for the removal's confirmation step: the awards not
   * yet reversed, at most what the author's wallet holds (each reversal stops at an empty
   * wallet, so together they stop there too). Reads only.
   */
  async postEarnings(db: DbOrTx, postId: number): Promise<number> {
    const sources = await this.earnedBy(db, postId);
    if (!sources.length) return 0;
    const awards = await db
      .selectFrom('ledger_entries as e')
      .select(['e.amount', 'e.credit'])
      .where('e.source', 'in', sources)
      .where('e.kind', '=', 'award')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('ledger_entries as r').select('r.id').whereRef('r.reverses', '=', 'e.id'))))
      .execute();
    if (!awards.length) return 0;
    const total = awards.reduce((sum, a) => sum + a.amount, 0);
    return Math.min(total, await this.ledger.balance(awards[0]!.credit, db));
  }

  private async takeBackSources(trx: DbOrTx, sources: string[], reason: string): Promise<number> {
    await this.achievements.revoke(trx, sources);
    let taken = 0;
    for (const source of sources) taken += (await this.ledger.reverse(trx, source, reason))?.amount ?? 0;
    return taken;
  }
}
