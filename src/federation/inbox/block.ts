import { nowIso } from '../../core/time.js';
import type { InboxHandler } from './context.js';
import { APPLIED, ignored } from './outcome.js';

/** A remote person blocks one of ours: recorded, and their follow of ours ends. */
export const block: InboxHandler = async ({ activity, sender, fed }) => {
  const targetIri = fed.objectId(activity);
  const local = targetIri ? await fed.actors.findByIri(targetIri) : null;
  if (!targetIri || !local) return ignored(`block of ${targetIri ?? 'nothing'}, not one of our actors`);
  await fed.db
    .insertInto('remote_blocks')
    .values({ activity_id: activity.id, actor_iri: sender.id, target_iri: targetIri, created_at: nowIso() })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const followers = fed.apex.utils.nameToActorStreams(local.name).followers;
  const follow = await fed.apex.store.findActivityByCollectionAndActorId(followers, sender.id, true);
  if (follow) await fed.follows.removed(follow.id, sender.id);
  return APPLIED;
};
