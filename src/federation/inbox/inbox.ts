import type { ApDoc } from 'activitypub-express';
import { DomainError } from '../../core/errors.js';
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

/**
 * Applies a verified activity and says what became of it: "applied", "duplicate" (seen
 * before) or "ignored" (not for us, or not the sender's to do; see `Handled`). The
 * activity is stored first (apex's streams, keyed by its id), which makes a second
 * delivery of the same activity a no-op; a handler that ignores it, or fails unexpectedly,
 * un-stores it, so only what took effect is kept and the sender's retry is tried again.
 * An account deleted here (its self-Delete) is not brought back by a later activity
 * from the same actor: like Mastodon, which keeps a deleted account's URI gone, anything
 * but another Delete is refused with 403.
 */
export class InboxProcessor {
  constructor(
    private readonly fed: FederationCore,
    private readonly policy: FederationPolicy,
  ) {}

  async process(activity: ApDoc, sender: ApDoc, recipient: LocalActor | null): Promise<InboxOutcome> {
    if (typeof activity?.id !== 'string' || typeof activity.type !== 'string' || !isWebIri(activity.id)) {
      throw new DomainError('invalid', 400, 'The body is not an activity: it needs a type and an absolute https id.');
    }
    // The actor may come as an IRI or embedded; either way it must be the signer.
    if (!Array.isArray(activity.actor) || !activity.actor.length || this.fed.apex.actorIdFromActivity(activity) !== sender.id) {
      throw new DomainError('actor_mismatch', 403, 'The activity’s actor is not the signer.');
    }
    if (!this.policy.allowsActor(sender.id)) throw new DomainError('blocked', 403, 'This server does not accept activities from you.');
    if (new URL(activity.id).host !== new URL(sender.id).host) throw new DomainError('foreign_id', 403, 'The activity id is not on the sender’s server.');
    if (activity.type !== 'Delete' && (await this.fed.services.remote.findAuthor(sender.id))?.status === 'deleted') {
      throw new DomainError('account_deleted', 403, 'This account was deleted; it cannot take part here again.');
    }
    // Own properties only: a type such as "constructor" or "__proto__" is not a handler.
    const handler = Object.hasOwn(HANDLERS, activity.type) ? HANDLERS[activity.type] : undefined;
    if (!handler) {
      logger.debug(`inbox: ${activity.type} not handled`);
      return 'ignored';
    }
    const apex = this.fed.apex;
    const inbox = recipient ? apex.utils.nameToActorStreams(recipient.name).inbox : `${apex.baseUrl}/inbox`;
    const { _meta, ...clean } = activity;
    if (!(await apex.store.saveActivity({ ...clean, _meta: { collection: [inbox] } }))) return 'duplicate';
    let handled: Handled;
    try {
      handled = await handler({ activity: clean as ApDoc, sender, recipient, fed: this.fed });
    } catch (err) {
      if (!(err instanceof DomainError) || err.status >= 500) await apex.store.removeActivity({ id: activity.id }, sender.id).catch(() => undefined);
      throw err;
    }
    if (handled.outcome === 'ignored') await apex.store.removeActivity({ id: activity.id }, sender.id).catch(() => undefined);
    return handled.outcome;
  }
}
