import { sql } from 'kysely';
import { preparedQuery } from '../../db/prepared.js';
import type { Db } from '../../db/schema.js';

/** What a request is signed with: the key id the actor publishes, and its PEM private key. */
export interface SigningKey {
  /** The actor's `publicKey.id` (`<actor IRI>#main-key` for our actors). */
  keyId: string;
  /** PKCS#8 PEM, exactly as stored. */
  privateKeyPem: string;
}

/**
 * Local actors' signing keys, found by the actor's IRI. The one copy of an actor's private
 * key is its stored document's `_meta.privateKey` (ap_objects.meta, written by
 * ActorDirectory, never served): queued deliveries keep only the actor's IRI and the key
 * is looked up here when a request is signed. So no queued row holds a secret, and a
 * delivery waiting while the actor's key is replaced is signed with the current key.
 *
 * Each call is one primary-key read; parsing the PEM is cached by signRequest (keyed by
 * the PEM, so a replaced key is parsed afresh).
 */
export class ActorKeys {
  private readonly byId: (p: { id: string }) => Promise<{ pem: string | null; key_id: string | null }[]>;

  constructor(db: Db) {
    this.byId = preparedQuery(db, (p: { id: string }) =>
      db
        .selectFrom('ap_objects')
        .select([
          sql<string | null>`json_extract(meta, '$.privateKey')`.as('pem'),
          // apex stores compacted documents: publicKey is an array of one.
          sql<string | null>`coalesce(json_extract(doc, '$.publicKey[0].id'), json_extract(doc, '$.publicKey.id'))`.as('key_id'),
        ])
        .where('id', '=', p.id),
    );
  }

  /** The current key of a local actor, or null when the actor is unknown or not ours (no private key). */
  async forActor(actorId: string): Promise<SigningKey | null> {
    const [row] = await this.byId({ id: actorId });
    if (typeof row?.pem !== 'string' || row.pem === '') return null;
    return { keyId: typeof row.key_id === 'string' ? row.key_id : `${actorId}#main-key`, privateKeyPem: row.pem };
  }
}
