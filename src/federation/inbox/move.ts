import { nowIso } from '../../core/time.js';
import { firstId } from '../convert.js';
import type { InboxHandler } from './context.js';
import { APPLIED, ignored } from './outcome.js';

/**
 * A follower moved to a new account (Mastodon's Move). If the new account names the old
 * one in `alsoKnownAs`, its follows of our actors move with it, as Mastodon moves followers.
 */
export const move: InboxHandler = async ({ activity, sender, fed }) => {
  const oldIri = fed.objectId(activity);
  const newIri = firstId(activity.target);
  if (oldIri !== sender.id || !newIri) return ignored('move not made by the account itself');
  const moved = await fed.apex.resolveObject(newIri, false, true).catch(() => null);
  const aka: unknown[] = moved?.alsoKnownAs ?? [];
  if (!moved || !aka.some((a) => firstId(a) === oldIri)) return ignored(`move to ${newIri} not confirmed by alsoKnownAs`);
  const rows = await fed.follows.followsBy(oldIri);
  for (const row of rows) {
    const local = await fed.actors.findByIri(row.collection.replace(/\/followers$/, ''));
    if (!local) continue;
    const follow = {
      id: `${newIri}#follows/${encodeURIComponent(local.name)}/${Date.now()}`,
      type: 'Follow', actor: [newIri], object: [fed.actors.iri(local.name)], published: [nowIso()],
      _meta: { collection: [row.collection] },
    };
    await fed.apex.store.saveActivity(follow);
    await fed.follows.removed(row.id, oldIri);
  }
  return APPLIED;
};
