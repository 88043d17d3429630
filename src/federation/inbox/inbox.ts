import type { ApDoc } from 'activitypub-express';
import { DomainError } from '../../core/errors.js';
import { logger } from '../../core/logger.js';
import type { LocalActor } from '../actors.js';
import type { FederationPolicy } from '../policy.js';
import { acceptOrReject } from './accept.js';
import { announce } from './announce.js';
import { block } from './block.js';
import type { FederationCore, InboxHandler } from './context.js';
import { create } from './create.js';
import { del } from './delete.js';
import { flag } from './flag.js';
import { follow } from './follow.js';
import { join, leave } from './join.js';
import { like } from './like.js';
import { move } from './move.js';
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
  Join: join,
  Leave: leave,
  Reject: acceptOrReject,
};

export type InboxOutcome = 'applied' | 'duplicate' | 'ignored';

/**
 * Applies a verified activity. The activity is stored first (apex's streams, keyed by
 * its id), which makes a second delivery of the same activity a no-op; a handler that
 * fails unexpectedly un-stores it, so the sender's retry applies it again.
 */
export class InboxProcessor {
  constructor(
    private readonly fed: FederationCore,
    private readonly policy: FederationPolicy,
  ) {}

  async process(activity: ApDoc, sender: ApDoc, recipient: LocalActor | null): Promise<InboxOutcome> {
    if (typeof activity?.id !== 'string' || typeof activity.type !== 'string') throw new DomainError('invalid', 400, 'The body is not an activity.');
    // The actor may come as an IRI or embedded; either way it must be the signer.
    if (!Array.isArray(activity.actor) || !activity.actor.length || this.fed.apex.actorIdFromActivity(activity) !== sender.id) {
      throw new DomainError('actor_mismatch', 403, 'The activity’s actor is not the signer.');
    }
    if (!this.policy.allowsActor(sender.id)) throw new DomainError('blocked', 403, 'This server does not accept activities from you.');
    if (new URL(activity.id).host !== new URL(sender.id).host) throw new DomainError('foreign_id', 403, 'The activity id is not on the sender’s server.');
    const handler = HANDLERS[activity.type];
    if (!handler) {
      logger.debug(`inbox: ${activity.type} not handled`);
      return 'ignored';
    }
    const apex = this.fed.apex;
    const inbox = recipient ? apex.utils.nameToActorStreams(recipient.name).inbox : `${apex.baseUrl}/inbox`;
    const { _meta, ...clean } = activity;
    if (!(await apex.store.saveActivity({ ...clean, _meta: { collection: [inbox] } }))) return 'duplicate';
    try {
      await handler({ activity: clean as ApDoc, sender, recipient, fed: this.fed });
      return 'applied';
    } catch (err) {
      if (!(err instanceof DomainError) || err.status >= 500) await apex.store.removeActivity({ id: activity.id }, sender.id).catch(() => undefined);
      throw err;
    }
  }
}
