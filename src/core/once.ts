/** What a keyed submission made, and whether this call made it (false: an earlier send of the same form did). */
export interface Once<T> {
  row: T;
  fresh: boolean;
}

/**
 * Runs the write of a form submission that carries a one-time key (the `_once` field), so
 * the same form sent twice makes one row. `write` looks the key up inside its transaction
 * and answers the earlier row (fresh: false) or writes a new one with the key (fresh: true);
 * when a racing request writes between that lookup and the insert, the unique index on
 * `submission_key` (migration 0028) refuses the insert and `prior` reads the winner's row.
 * Any other error, or a refusal with no row to find, is thrown as it came.
 */
export async function once<T>(write: () => Promise<Once<T>>, prior: () => Promise<T | undefined>): Promise<Once<T>> {
  try {
    return await write();
  } catch (err) {
    // SQLite: "UNIQUE constraint failed: posts.author_id, posts.submission_key";
    // PostgreSQL: 'duplicate key value violates unique constraint "posts_submission_key"'.
    const text = String(err);
    if (!/unique/i.test(text) || !text.includes('submission_key')) throw err;
    const row = await prior();
    if (!row) throw err;
    return { row, fresh: false };
  }
}
