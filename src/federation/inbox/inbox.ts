import type { ApDoc } from 'activitypub-express';
import { DomainError } from '../../core/errors.js';
import { UnitBatcher } from '../../db/unit-of-work.js';
import { logger } from '../../core/logger.js';
import type { LocalActor } from '../actors.js';
import type { FederationPolicy } from '../policy.js';
import { acceptOrReject } from './accept.js';
import { announce } from './announce.js';
import { block } from './block.js';
import type { FederationCore, InboxHandler } from './context.js';
import type { Handled } from './outcome.js';
import { create } from './create.js';
import { del } from './delete.js';
import { flag } from './flag.js';
import { follow } from './follow.js';
import { like } from './like.js';
import { move } from './move.js';
import { rsvp } from './rsvp.js';
import { undo } from './undo.js';
import { update } from './update.js';

/** One handler per activity type (as GoToSocial and Ghost keep theirs). */
const HANDLERS: Record<string, InboxHandler> = {
  Follow: follow,
  Undo: undo,
  Like: like,
  Dislike: like,
  EmojiReact: like,
  Announce: announce,
  Create: create,
  Update: update,
  Delete: del,
  Flag: flag,
  Block: block,
  Move: move,
  Accept: acceptOrReject,
  TentativeAccept: acceptOrReject,
  Reject: acceptOrReject,
  Join: rsvp,
  Leave: rsvp,
};

/** An absolute http(s) IRI, as every activity id must be (ActivityPub §3.1). */
function isWebIri(id: string): boolean {
  try {
    const url = new URL(id);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export type InboxOutcome = 'applied' | 'duplicate' | 'ignored';

/** Thrown inside an activity's unit of work to roll it back when its handler changed nothing. */
class Ignored extends Error {}

/**
 * Activities whose handler waits on other servers (Move reads the new account): the rest
 * run in one transaction, which must not be held open across a fetch.
 */
const NEEDS_THE_NETWORK = new Set(['Move']);

/**
 * Applies a verified activity and says what became of it: "applied", "duplicate" (seen
 * before) or "ignored" (not for us, or not the sender's to do; see `Handled`). The
 * activity is stored (apex's streams, keyed by its id: a second delivery of the same
 * activity is a no-op) and applied in ONE transaction (a unit of work,
 * src/db/unit-of-work.ts; activities arriving together share it, each in its own
 * savepoint, and are answered after its commit): a failure anywhere leaves nothing of
 * the activity written, so the sender's retry is tried again. An ignored activity is
 * rolled back the same way, so only what took effect is kept. A refusal (a DomainError
 * under 500, such as a post attributed to someone else) rolls back what the handler did
 * but keeps the activity, so its redelivery is a duplicate. Domain events the handler's
 * services emit go out once the transaction has committed. What needs the network (an
 * object given by IRI) is fetched before the transaction begins.
 * An account deleted here (its self-Delete) is not brought back by a later activity
 * from the same actor: like Mastodon, which keeps a deleted account's URI gone, anything
 * but another Delete is refused with 403.
 */
export class InboxProcessor {
  /** Activities arriving together share a transaction, each in its own savepoint (see UnitBatcher). */
  private readonly units: UnitBatcher;

  constructor(
    private readonly fed: FederationCore,
    private readonly policy: FederationPolicy,
  ) {
    this.units = new UnitBatcher(fed.db);
  }

  async process(activity: ApDoc, sender: ApDoc, recipient: LocalActor | null): Promise<InboxOutcome> {
    if (typeof activity?.id !== 'string' || typeof activity.type !== 'string' || !isWebIri(activity.id)) {
      throw new DomainError('invalid', 400, 'The body is not an activity: it needs a type and an absolute https id.');
    }
    // The actor may come as an IRI or embedded; either way it is one actor, the signer (an
    // answer goes to every actor named: a second one would be a third party never asked).
    if (!Array.isArray(activity.actor) || activity.actor.length !== 1 || this.fed.apex.actorIdFromActivity(activity) !== sender.id) {
      throw new DomainError('actor_mismatch', 403, 'The activity’s actor is not the signer.');
    }
    if (!this.policy.allowsActor(sender.id)) throw new DomainError('blocked', 403, 'This server does not accept activities from you.');
    if (new URL(activity.id).host !== new URL(sender.id).host) throw new DomainError('foreign_id', 403, 'The activity id is not on the sender’s server.');
    // Own properties only: a type such as "constructor" or "__proto__" is not a handler.
    const handler = Object.hasOwn(HANDLERS, activity.type) ? HANDLERS[activity.type] : undefined;
    if (!handler) {
      if ((await this.fed.services.remote.findAuthor(sender.id))?.status === 'deleted' && activity.type !== 'Delete') throw gone();
      logger.debug(`inbox: ${activity.type} not handled`);
      return 'ignored';
    }
    const apex = this.fed.apex;
    const inbox = recipient ? apex.utils.nameToActorStreams(recipient.name).inbox : `${apex.baseUrl}/inbox`;
    const { _meta, ...clean } = activity;
    const stored = { ...clean, _meta: { collection: [inbox] } };
    await this.fed.prefetch(clean as ApDoc);
    let saved = false;
    const apply = async (): Promise<InboxOutcome> => {
      // Read once, inside the transaction; the handlers take it from here (InboxContext.author).
      const author = await this.fed.services.remote.findAuthor(sender.id);
      if (activity.type !== 'Delete' && author?.status === 'deleted') throw gone();
      if (!(await apex.store.saveActivity(stored))) return 'duplicate';
      saved = true;
      const handled = await handler({ activity: clean as ApDoc, sender, recipient, fed: this.fed, author: author ?? null });
      if (handled.outcome === 'ignored') throw new Ignored();
      return 'applied';
    };
    if (NEEDS_THE_NETWORK.has(activity.type)) return this.applyInSteps(apply, () => saved, activity.id, sender.id);
    try {
      return await this.units.submit(apply);
    } catch (err) {
      if (err instanceof Ignored) return 'ignored';
      // A refusal keeps the activity (as it kept it before), so its redelivery is a duplicate.
      if (saved && err instanceof DomainError && err.status < 500) await apex.store.saveActivity(stored).catch(() => undefined);
      throw err;
    }
  }

  /** The same steps, each committing on its own: an ignored or failed activity is un-stored afterwards. */
  private async applyInSteps(apply: () => Promise<InboxOutcome>, saved: () => boolean, id: string, senderId: string): Promise<InboxOutcome> {
    try {
      return await apply();
    } catch (err) {
      const unstore = saved() && (err instanceof Ignored || !(err instanceof DomainError) || err.status >= 500);
      if (unstore) await this.fed.apex.store.removeActivity({ id }, senderId).catch(() => undefined);
      if (err instanceof Ignored) return 'ignored';
      throw err;
    }
  }
}

const gone = () => new DomainError('account_deleted', 403, 'This account was deleted; it cannot take part here again.');
