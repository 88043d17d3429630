import type { Apex, ApDoc } from 'activitypub-express';
import type { MemberRow } from '../../community/member.table.js';
import type { PostRow } from '../../community/post.table.js';
import { supportOf } from '../../community/support.js';
import { preparedQuery } from '../../db/prepared.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/schema.js';
import type { Services } from '../../services.js';
import type { ActorDirectory, LocalActor } from '../actors.js';
import { wellKnownActorFields } from '../actor-fields.js';
import { firstId } from '../convert.js';
import type { FollowService } from '../follows.js';
import { hostOf } from '../host.js';
import type { Handled } from './outcome.js';

/** What every inbox handler gets: the verified activity, who sent it, and our side. */
export interface InboxContext {
  activity: ApDoc;
  /** The signer's actor document; the activity's actor is checked to be the same. */
  sender: ApDoc;
  /** The local actor whose inbox was posted to; null for the shared inbox. */
  recipient: LocalActor | null;
  fed: FederationCore;
  /** The sender as an author here, as read in this activity's transaction; null if never seen. */
  author: MemberRow | null;
}

/** Applies one activity type; answers whether it was applied or ignored (and why). */
export type InboxHandler = (ctx: InboxContext) => Promise<Handled>;

/** The pieces of the server handlers use, with the lookups they share. */
export class FederationCore {
  constructor(
    readonly apex: Apex,
    readonly actors: ActorDirectory,
    readonly services: Services,
    readonly follows: FollowService,
    readonly db: Db,
    /** Optional modules that are on: a switched-off one takes nothing from other servers. */
    readonly modules: Config['modules'],
  ) {
    this.localPost = preparedQuery(db, (p: { id: number }) => db.selectFrom('posts').selectAll().where('id', '=', p.id).where('ap_id', 'is', null));
  }

  /**
   * The remote person as an author here, created or refreshed from their actor document
   * (its well-known fields, read as every server writes them; see actor-fields.ts).
   */
  async author(actor: ApDoc, known?: MemberRow | null): Promise<MemberRow> {
    const fields = wellKnownActorFields(actor);
    return this.services.remote.upsertAuthor({
      actorIri: actor.id,
      username: fields.preferredUsername ?? actor.id.split('/').pop() ?? 'someone',
      domain: hostOf(actor.id) ?? 'unknown',
      displayName: fields.name ?? '',
      summary: fields.summary ?? '',
      avatarUrl: fields.icon,
      profileUrl: fields.url,
    }, known);
  }

  private readonly localPost: (p: { id: number }) => Promise<PostRow[]>;

  /** One of our posts (local, by its /p/:id IRI) or a remote post we hold, by IRI. */
  async postByIri(iri: string | null): Promise<PostRow | undefined> {
    if (!iri) return undefined;
    const local = new RegExp(`^${escapeRe(this.actors.baseUrl)}/p/(\\d+)$`, 'i').exec(iri);
    const post = local ? (await this.localPost({ id: Number(local[1]) }))[0] : await this.services.remote.findPost(iri);
    // Other servers only ever see public spaces: a guessed id in a members-only one is "not ours".
    if (!post || (await this.services.spaces.getById(post.space_id)).visibility !== 'public') return undefined;
    return post;
  }

  /** The event's Group answers a Join: Accept with a seat, Reject without. */
  async answerJoin(event: { space_id: number }, join: ApDoc, actorIri: string, accepted: boolean): Promise<void> {
    const group = await this.actors.forSpace(await this.services.spaces.getById(event.space_id));
    const object = { id: join.id, type: 'Join', actor: actorIri, object: firstId(join.object) };
    const answer = await this.apex.buildActivity(accepted ? 'Accept' : 'Reject', group.id, [actorIri], { object });
    await this.apex.addToOutbox(group, answer);
  }

  /** Whether the post takes ▲/▼ votes rather than reactions (an idea, while idea boards are on; see support.ts). */
  async isIdea(postId: number): Promise<boolean> {
    return (await supportOf(this.db, postId, this.modules.ideas)) === 'votes';
  }

  objectId(activity: ApDoc): string | null {
    return firstId(activity.object);
  }

  /**
   * The embedded object, or the one the IRI names (from our store, else fetched through
   * the guard). Asked once per activity: `prefetch` asks it before the activity's
   * transaction begins, so the handler's ask inside it never waits on another server.
   */
  object(activity: ApDoc): Promise<ApDoc | null> {
    let found = this.objects.get(activity);
    if (!found) {
      const o = activity.object?.[0];
      found =
        o && typeof o === 'object' && typeof o.id === 'string' && o.type
          ? Promise.resolve(o as ApDoc)
          : typeof o === 'string'
            ? this.apex.resolveObject(o).catch(() => null)
            : Promise.resolve(null);
      this.objects.set(activity, found);
    }
    return found;
  }

  private readonly objects = new WeakMap<ApDoc, Promise<ApDoc | null>>();

  /** What handlers of this activity's type read from other servers, read now (see `object`). */
  async prefetch(activity: ApDoc): Promise<void> {
    if (READS_ITS_OBJECT.has(activity.type)) await this.object(activity);
  }

}

/** Activity types whose handler reads `object(activity)`. */
const READS_ITS_OBJECT = new Set(['Create']);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
