import { accountAddress } from '../../community/handle.js';
import type { Apex, ApDoc } from 'activitypub-express';
import { REACTIONS } from '../../community/reaction.service.js';
import type { PostRow } from '../../community/post.table.js';
import type { Config } from '../../config.js';
import type { EventBus } from '../../core/event-bus.js';
import { logger } from '../../core/logger.js';
import { preparedQuery } from '../../db/prepared.js';
import type { Db } from '../../db/schema.js';
import type { Services } from '../../services.js';
import type { ActorDirectory } from '../actors.js';
import { PUBLIC, postIri, postToNote, withPoll } from '../convert.js';
import { extractHashtags, extractMentions } from '../../community/mentions.js';
import type { WebFingerClient } from '../mentions.js';

/**
 * Outbound federation, driven by domain events after the member's write has committed,
 * so a slow or dead remote server never fails a local action. Each handler builds the
 * activity, stores it in the actor's outbox (apex) and queues deliveries; our worker sends.
 * Nothing from a members-only space ever leaves: every handler checks the space first.
 */
export class Publisher {
  private readonly running = new Set<Promise<unknown>>();
  /** Every post, reaction and edit starts here: compiled once. */
  private readonly postById: (p: { id: number }) => Promise<PostRow[]>;

  constructor(
    private readonly apex: Apex,
    private readonly actors: ActorDirectory,
    private readonly services: Services,
    private readonly db: Db,
    private readonly webfinger: WebFingerClient,
    private readonly modules: Config['modules'],
  ) {
    this.postById = preparedQuery(db, (p: { id: number }) => db.selectFrom('posts').selectAll().where('id', '=', p.id));
  }

  attach(bus: EventBus): void {
    bus.on('post.created', (e) => this.track(e.remote ? this.announceRemote(e.postId) : this.postCreated(e.postId)));
    bus.on('post.updated', (e) => (e.remote ? undefined : this.track(this.postUpdated(e.postId))));
    bus.on('post.deleted', (e) => (e.remote ? undefined : this.track(this.postGone(e.postId))));
    bus.on('post.removed', (e) => this.track(this.postGone(e.postId)));
    bus.on('reaction.added', (e) => (e.remote ? undefined : this.track(this.reaction(e.memberId, e.postId, e.kind, true))));
    bus.on('reaction.removed', (e) => (e.remote ? undefined : this.track(this.reaction(e.memberId, e.postId, e.kind, false))));
    bus.on('member.updated', (e) => this.track(this.profileChanged(e.memberId)));
    if (this.modules.ideas) bus.on('idea.voted', (e) => (e.remote ? undefined : this.track(this.ideaVote(e.memberId, e.postId, e.value, e.previous))));
  }

  /** Resolves when every activity started so far is queued (tests and shutdown wait on it). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<unknown>): void {
    const p: Promise<unknown> = work.catch((err) => logger.error('federation: could not publish an activity', err)).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** The post, its space and its author, if the post may leave the server at all. */
  private async federated(postId: number): Promise<{ post: PostRow; group: ApDoc; space: Awaited<ReturnType<Services['spaces']['getById']>> } | null> {
    const [post] = await this.postById({ id: postId });
    if (!post) return null;
    const space = await this.services.spaces.getById(post.space_id);
    if (space.visibility !== 'public') return null;
    return { post, space, group: await this.actors.forSpace(space) };
  }

  private async postCreated(postId: number): Promise<void> {
    const found = await this.federated(postId);
    if (!found) return;
    const { post, group } = found;
    const author = await this.services.members.getById(post.author_id);
    if (author.domain !== null) return;
    const actor = await this.actors.forMember(author);
    const note = await this.note(post, actor, group);
    const create = await this.apex.buildActivity('Create', actor.id, note.to, { object: note, cc: note.cc, audience: group.id });
    await this.apex.store.saveObject(create.object[0]);
    await this.apex.addToOutbox(actor, create);
    await this.announce(group, create);
  }

  /** A post from another server in one of our spaces: the space's Group shares it with its followers. */
  private async announceRemote(postId: number): Promise<void> {
    const found = await this.federated(postId);
    if (!found?.post.ap_id) return;
    await this.announce(found.group, found.post.ap_id);
  }

  private async postUpdated(postId: number): Promise<void> {
    const found = await this.federated(postId);
    if (!found || found.post.ap_id) return;
    const { post, group } = found;
    const actor = await this.actors.forMember(await this.services.members.getById(post.author_id));
    const note = await this.note(post, actor, group);
    const update = await this.apex.buildActivity('Update', actor.id, note.to, { object: note, cc: note.cc, audience: group.id });
    await this.apex.store.updateObject(update.object[0], actor.id, true);
    await this.apex.addToOutbox(actor, update);
    await this.announce(group, update);
  }

  /** Deletion by the author and removal by a moderator both reach other servers as the author's Delete. */
  private async postGone(postId: number): Promise<void> {
    const found = await this.federated(postId);
    if (!found || found.post.ap_id) return;
    const { post, group } = found;
    const actor = await this.actors.forMember(await this.services.members.getById(post.author_id));
    const id = postIri(this.actors.baseUrl, post.id);
    const tombstone = { id, type: 'Tombstone', formerType: post.title ? 'Article' : 'Note', deleted: new Date().toISOString() };
    const del = await this.apex.buildActivity('Delete', actor.id, [PUBLIC], { object: tombstone, cc: [actor.followers[0], group.id], audience: group.id });
    await this.apex.store.updateObject(del.object[0], actor.id, true);
    await this.apex.addToOutbox(actor, del);
    await this.announce(group, del);
  }

  /**
   * A reaction: `Like` for the like, `EmojiReact` (FEP-c0e0, as Misskey and Pleroma send
   * it) with the emoji for the others. The activity id is fixed per member, post and
   * kind, so the Undo can name the very activity it takes back.
   */
  private async reaction(memberId: number, postId: number, kind: string, on: boolean): Promise<void> {
    const found = await this.federated(postId);
    if (!found) return;
    const { post, group } = found;
    // On an idea, Lemmy and Mastodon read a Like as a vote: only the vote itself leaves.
    if (this.modules.ideas && (await this.services.ideas.get(post.id))) return;
    const member = await this.services.members.getById(memberId);
    if (member.domain !== null) return;
    const actor = await this.actors.forMember(member);
    const author = await this.services.members.getById(post.author_id);
    const authorIri = author.actor_iri ?? this.actors.iri(author.handle);
    const objectIri = post.ap_id ?? postIri(this.actors.baseUrl, post.id);
    const likeId = this.apex.utils.activityIdToIRI(`r-${member.id}-${post.id}-${kind}`);
    const emoji = REACTIONS.find((r) => r.kind === kind)?.emoji ?? '👍';
    const audience = { cc: [group.id], audience: group.id };
    let activity: ApDoc;
    if (on) {
      const extras = kind === 'like' ? { id: likeId, object: objectIri, ...audience } : { id: likeId, object: objectIri, content: emoji, ...audience };
      activity = await this.apex.buildActivity(kind === 'like' ? 'Like' : 'EmojiReact', actor.id, [authorIri], extras);
      activity.id = likeId;
    } else {
      const like = await this.apex.store.getActivity(likeId, true);
      if (!like) return;
      activity = await this.apex.buildActivity('Undo', actor.id, [authorIri], { object: like, ...audience });
      await this.apex.store.removeActivity(like, actor.id);
    }
    await this.apex.addToOutbox(actor, activity);
    // Followers of the space learn of reactions to its own posts through the Group (as Lemmy does votes).
    if (!post.ap_id) await this.announce(group, activity);
  }

  /**
   * A vote on an idea as Lemmy sends one: `Like` up, `Dislike` down, to the author and the
   * Group without public addressing, and `Undo` of the earlier vote when it changes. Ids
   * are fixed per member, idea and direction so the Undo names the very activity.
   */
  private async ideaVote(memberId: number, postId: number, value: -1 | 0 | 1, previous: -1 | 0 | 1): Promise<void> {
    const found = await this.federated(postId);
    if (!found) return;
    const { post, group } = found;
    const member = await this.services.members.getById(memberId);
    if (member.domain !== null) return;
    const actor = await this.actors.forMember(member);
    const author = await this.services.members.getById(post.author_id);
    const to = [author.actor_iri ?? this.actors.iri(author.handle)];
    const audience = { cc: [group.id], audience: group.id };
    const voteId = (v: -1 | 1) => this.apex.utils.activityIdToIRI(`v-${member.id}-${post.id}-${v === 1 ? 'up' : 'down'}`);
    const out: ApDoc[] = [];
    if (previous !== 0) {
      const earlier = await this.apex.store.getActivity(voteId(previous), true);
      if (earlier) {
        out.push(await this.apex.buildActivity('Undo', actor.id, to, { object: earlier, ...audience }));
        await this.apex.store.removeActivity(earlier, actor.id);
      }
    }
    if (value !== 0) {
      const id = voteId(value);
      const vote = await this.apex.buildActivity(value === 1 ? 'Like' : 'Dislike', actor.id, to, { id, object: postIri(this.actors.baseUrl, post.id), ...audience });
      vote.id = id;
      out.push(vote);
    }
    for (const activity of out) {
      await this.apex.addToOutbox(actor, activity);
      await this.announce(group, activity);
    }
  }

  private async profileChanged(memberId: number): Promise<void> {
    const member = await this.services.members.getById(memberId);
    if (member.domain !== null || member.status !== 'active') return;
    const { actor, changed } = await this.actors.refresh({ kind: 'member', name: member.handle, member });
    if (!changed) return;
    const { _meta, ...publicActor } = actor;
    const update = await this.apex.buildActivity('Update', actor.id, [PUBLIC], { object: publicActor, cc: [actor.followers[0]] });
    await this.apex.addToOutbox(actor, update);
  }

  /** FEP-1b12: the Group wraps the activity in an Announce to its followers. */
  private async announce(group: ApDoc, object: ApDoc | string): Promise<void> {
    const announce = await this.apex.buildActivity('Announce', group.id, [PUBLIC], { object, cc: [group.followers[0]], audience: group.id });
    await this.apex.addToOutbox(group, announce);
  }

  private async note(post: PostRow, actor: ApDoc, group: ApDoc) {
    let inReplyTo: string | null = null;
    if (post.parent_id !== null) {
      const parent = await this.db.selectFrom('posts').select(['id', 'ap_id']).where('id', '=', post.parent_id).executeTakeFirst();
      if (parent) inReplyTo = parent.ap_id ?? postIri(this.actors.baseUrl, parent.id);
    }
    const mentions: { href: string; name: string }[] = [];
    for (const m of extractMentions(post.body_md).slice(0, 20)) {
      if (m.domain === null || m.domain === new URL(this.actors.baseUrl).host) {
        const local = await this.actors.find(m.user);
        if (local) mentions.push({ href: this.actors.iri(local.name), name: accountAddress(local.name, new URL(this.actors.baseUrl).host) });
      } else {
        const href = await this.webfinger.resolve(m.user, m.domain);
        if (href) mentions.push({ href, name: accountAddress(m.user, m.domain) });
      }
    }
    const note = postToNote(post, {
      baseUrl: this.actors.baseUrl,
      authorIri: actor.id,
      authorFollowers: actor.followers[0],
      groupIri: group.id,
      inReplyTo,
      mentions,
      hashtags: extractHashtags(post.body_md),
    }) as Record<string, unknown> & { to: string[]; cc: string[] };
    const poll = this.modules.polls && post.parent_id === null ? await this.services.polls.view(post.id, null) : null;
    return (poll ? withPoll(note, poll) : note) as typeof note;
  }
}
