import type { Apex, ApDoc } from 'activitypub-express';
import { formatHandle } from '../community/handle.js';
import { type Actor, atLeast } from '../community/roles.js';
import { forbidden, notFound } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Db } from '../db/schema.js';
import type { ActorDirectory, LocalActor } from './actors.js';

export interface FollowRequestView {
  followId: string;
  localActor: string;
  followerIri: string;
  /** The follower as formatHandle writes them, or their actor IRI when we know nothing more. */
  followerHandle: string;
  createdAt: string;
}

/**
 * Remote follows of our actors: accepted at once, or held for approval when the member
 * or space asks for it (manuallyApprovesFollowers), then accepted or rejected from the
 * web UI. The followers collection is apex's (Follow activities in the actor's
 * followers stream); the queue of waiting requests is ours.
 */
export class FollowService {
  constructor(
    private readonly apex: Apex,
    private readonly actors: ActorDirectory,
    private readonly db: Db,
  ) {}

  /** An inbound Follow: accepted, or queued when the actor approves followers by hand. */
  async received(local: LocalActor, follow: ApDoc): Promise<'accepted' | 'pending'> {
    const actor = await this.actors.ensure(local);
    if (actor.manuallyApprovesFollowers?.[0] === true) {
      await this.db
        .insertInto('follow_requests')
        .values({ follow_id: follow.id, local_actor: local.name, follower_iri: follow.actor[0], created_at: nowIso() })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return 'pending';
    }
    await this.accept(actor, follow);
    return 'accepted';
  }

  async accept(actor: ApDoc, follow: ApDoc): Promise<void> {
    // apex's acceptFollow also returns a task that broadcasts the followers collection; we drop it (defect).
    await this.apex.acceptFollow(actor, follow);
    const accept = await this.apex.buildActivity('Accept', actor.id, follow.actor, { object: publicFollow(follow) });
    await this.apex.addToOutbox(actor, accept);
    await this.db.deleteFrom('follow_requests').where('follow_id', '=', follow.id).execute();
  }

  async reject(actor: ApDoc, follow: ApDoc): Promise<void> {
    if ((follow._meta?.collection ?? []).includes(actor.followers[0])) {
      await this.apex.store.updateActivityMeta(follow, 'collection', actor.followers[0], true);
    }
    const reject = await this.apex.buildActivity('Reject', actor.id, follow.actor, { object: publicFollow(follow) });
    await this.apex.addToOutbox(actor, reject);
    await this.db.deleteFrom('follow_requests').where('follow_id', '=', follow.id).execute();
  }

  /** An Undo of a Follow (or a Block): the follower is gone, and so is any waiting request. */
  async removed(followId: string, followerIri: string): Promise<void> {
    await this.apex.store.removeActivity({ id: followId }, followerIri);
    await this.db.deleteFrom('follow_requests').where('follow_id', '=', followId).execute();
  }

  /** A remote actor's follows of our actors: each Follow's id and the followers collection it is in. */
  followsBy(actorIri: string): Promise<{ id: string; collection: string }[]> {
    return this.db
      .selectFrom('ap_streams as s')
      .innerJoin('ap_stream_collections as c', 'c.seq', 's.seq')
      .innerJoin('ap_stream_actors as a', 'a.seq', 's.seq')
      .select(['s.id', 'c.collection'])
      .where('a.actor', '=', actorIri)
      .where('s.type', '=', 'Follow')
      .where('c.collection', 'like', `${this.actors.baseUrl}/@%/followers`)
      .execute();
  }

  /** A remote account that is gone: its follows of our actors end and its waiting requests go. Returns how many follows ended. */
  async forget(actorIri: string): Promise<number> {
    const follows = await this.followsBy(actorIri);
    for (const f of follows) await this.removed(f.id, actorIri);
    await this.db.deleteFrom('follow_requests').where('follower_iri', '=', actorIri).execute();
    return follows.length;
  }

  /** Requests the viewer may decide: their own, and every space's for moderators and up. */
  async pendingFor(viewer: Actor & { handle: string }): Promise<FollowRequestView[]> {
    const names = [viewer.handle];
    if (atLeast(viewer.role, 'moderator')) {
      for (const s of await this.spacesNames()) names.push(s);
    }
    const rows = await this.db
      .selectFrom('follow_requests as f')
      .leftJoin('members as m', 'm.actor_iri', 'f.follower_iri')
      .select(['f.follow_id', 'f.local_actor', 'f.follower_iri', 'f.created_at', 'm.handle', 'm.domain'])
      .where('f.local_actor', 'in', names)
      .orderBy('f.created_at')
      .execute();
    return rows.map((r) => ({ followId: r.follow_id, localActor: r.local_actor, followerIri: r.follower_iri, followerHandle: r.handle ? formatHandle({ handle: r.handle, domain: r.domain }) : r.follower_iri, createdAt: r.created_at }));
  }

  async decide(viewer: Actor & { handle: string }, followId: string, approve: boolean): Promise<void> {
    const request = await this.db.selectFrom('follow_requests').selectAll().where('follow_id', '=', followId).executeTakeFirst();
    if (!request) throw notFound('That follow request');
    const local = await this.actors.find(request.local_actor);
    if (!local) throw notFound('That follow request');
    const mayDecide = local.kind === 'member' ? local.member.id === viewer.id : atLeast(viewer.role, 'moderator');
    if (!mayDecide) throw forbidden('You cannot decide on that follow request.');
    const follow = await this.apex.store.getActivity(followId, true);
    const actor = await this.actors.ensure(local);
    if (!follow) {
      await this.db.deleteFrom('follow_requests').where('follow_id', '=', followId).execute();
      return;
    }
    await (approve ? this.accept(actor, follow) : this.reject(actor, follow));
  }

  async followerCount(local: LocalActor): Promise<number> {
    return this.apex.store.getStreamCount(this.apex.utils.nameToActorStreams(local.name).followers);
  }

  /** Whether the remote actor follows ours (a post addressed to a space is taken only from followers). */
  async isFollower(local: LocalActor, followerIri: string): Promise<boolean> {
    const followers = this.apex.utils.nameToActorStreams(local.name).followers;
    return (await this.apex.store.findActivityByCollectionAndActorId(followers, followerIri)) !== null;
  }

  private async spacesNames(): Promise<string[]> {
    const rows = await this.db.selectFrom('spaces').select('slug').where('visibility', '=', 'public').execute();
    return rows.map((r) => this.actors.spaceName(r));
  }
}

/** The Follow as other servers need it inside an Accept or Reject: no private fields. */
function publicFollow(follow: ApDoc): Record<string, unknown> {
  return { id: follow.id, type: 'Follow', actor: follow.actor, object: follow.object };
}
