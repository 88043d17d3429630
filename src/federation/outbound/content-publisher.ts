import { accountAddress } from '../../community/handle.js';
import type { Apex, ApDoc } from 'activitypub-express';
import type { Config } from '../../config.js';
import type { EventBus } from '../../core/event-bus.js';
import { PendingWork } from '../../core/pending.js';
import type { Services } from '../../services.js';
import type { ActorDirectory } from '../actors.js';
import { PUBLIC } from '../convert.js';
import { reviewIri, reviewToNote, storyToArticle } from '../content-convert.js';

/**
 * Reviews and published stories on the fediverse. A review leaves as its author's Note
 * (Create, then Update on each edit, Delete when gone) and the community's Group shares it
 * with its followers; a published story leaves as the Group's own Article. Each module
 * that is off publishes nothing.
 */
export class ContentPublisher {
  private readonly pending = new PendingWork('federation: publishing a review or story');

  constructor(
    private readonly apex: Apex,
    private readonly actors: ActorDirectory,
    private readonly services: Services,
    private readonly modules: Config['modules'],
  ) {}

  attach(bus: EventBus): void {
    if (this.modules.reviews) {
      bus.on('review.saved', (e) => this.pending.track(this.reviewSaved(e.reviewId, e.created)));
      bus.on('review.deleted', (e) => this.pending.track(this.reviewDeleted(e.reviewId, e.memberId)));
    }
    if (this.modules.submissions) {
      bus.on('story.decided', (e) => (e.status === 'published' ? this.pending.track(this.storyPublished(e.storyId)) : undefined));
    }
  }

  idle(): Promise<void> {
    return this.pending.idle();
  }

  /** A review as a Note, or null when there is none (or reviews are off). */
  async reviewDocument(reviewId: number): Promise<Record<string, unknown> | null> {
    if (!this.modules.reviews) return null;
    return (await this.review(reviewId))?.note ?? null;
  }

  /** A published story as an Article, or null. */
  async storyDocument(storyId: number): Promise<Record<string, unknown> | null> {
    if (!this.modules.submissions) return null;
    return (await this.story(storyId))?.article ?? null;
  }

  /** The community's Group, only while the general space is public (nothing leaves a members-only one). */
  private async group(): Promise<ApDoc | null> {
    const general = (await this.services.spaces.listAll()).find((s) => s.slug === 'general');
    return general?.visibility === 'public' ? this.actors.forSpace(general) : null;
  }

  private async review(reviewId: number) {
    const review = await this.services.reviews.get(reviewId);
    const group = await this.group();
    if (!review || !group) return null;
    const member = await this.services.members.getById(review.member_id);
    if (member.domain !== null) return null;
    const actor = await this.actors.forMember(member);
    const product = await this.services.reviews.product(review.product_id);
    const note = reviewToNote(review, product, { baseUrl: this.actors.baseUrl, authorIri: actor.id, authorFollowers: actor.followers[0], groupIri: group.id });
    return { note, actor, group };
  }

  private async reviewSaved(reviewId: number, created: boolean): Promise<void> {
    const built = await this.review(reviewId);
    if (!built) return;
    const { note, actor, group } = built;
    const activity = await this.apex.buildActivity(created ? 'Create' : 'Update', actor.id, note.to as string[], { object: note, cc: note.cc, audience: group.id });
    if (created) await this.apex.store.saveObject(activity.object[0]);
    else await this.apex.store.updateObject(activity.object[0], actor.id, true);
    await this.apex.addToOutbox(actor, activity);
    await this.announce(group, activity);
  }

  private async reviewDeleted(reviewId: number, memberId: number): Promise<void> {
    const group = await this.group();
    const member = await this.services.members.getById(memberId).catch(() => null);
    if (!group || !member || member.domain !== null) return;
    const actor = await this.actors.forMember(member);
    const tombstone = { id: reviewIri(this.actors.baseUrl, reviewId), type: 'Tombstone', formerType: 'Note', deleted: new Date().toISOString() };
    const del = await this.apex.buildActivity('Delete', actor.id, [PUBLIC], { object: tombstone, cc: [actor.followers[0], group.id], audience: group.id });
    await this.apex.addToOutbox(actor, del);
    await this.announce(group, del);
  }

  /** A published story as the Group's Article, with the Group; null while unpublished. */
  private async story(storyId: number) {
    const story = await this.services.stories.getFor(null, storyId).catch(() => null);
    const group = await this.group();
    if (!story || !group) return null;
    const author = story.author_id === null ? null : await this.services.members.getById(story.author_id).catch(() => null);
    const host = new URL(this.actors.baseUrl).host;
    const article = storyToArticle(story, {
      baseUrl: this.actors.baseUrl, groupIri: group.id, groupFollowers: group.followers[0],
      authorIri: author ? this.actors.iri(author.handle) : null, authorAddress: author ? accountAddress(author.handle, host) : null,
    });
    return { article, group };
  }

  private async storyPublished(storyId: number): Promise<void> {
    const built = await this.story(storyId);
    if (!built) return;
    const { article, group } = built;
    const create = await this.apex.buildActivity('Create', group.id, article.to as string[], { object: article, cc: article.cc, audience: group.id });
    await this.apex.store.saveObject(create.object[0]);
    await this.apex.addToOutbox(group, create);
  }

  /** FEP-1b12: the Group shares its members' activity with its followers. */
  private async announce(group: ApDoc, object: ApDoc): Promise<void> {
    const announce = await this.apex.buildActivity('Announce', group.id, [PUBLIC], { object, cc: [group.followers[0]], audience: group.id });
    await this.apex.addToOutbox(group, announce);
  }
}
