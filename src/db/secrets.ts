import { randomBytes } from 'node:crypto';
import { nowIso } from '../core/time.js';
import type { Db } from './schema.js';

/** Returns the named secret, creating 32 random bytes for it the first time it is asked for. */
export async function serverSecret(db: Db, name: string): Promise<Uint8Array> {
  await db
    .insertInto('server_secrets')
    .values({ name, value: randomBytes(32).toString('base64url'), created_at: nowIso() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return new Uint8Array(Buffer.from(row.value, 'base64url'));
}
