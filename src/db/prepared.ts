import type { Compilable, CompiledQuery, Kysely } from 'kysely';

const SLOT = '\u0000hearth-slot:';

/**
 * A kysely query built and compiled once, then run many times with new parameter values.
 * Building and compiling a select with joins costs about 100 µs in kysely, more than
 * SQLite takes to run it, so the hottest page reads (home, space, member lists) use this.
 *
 * `build` receives a stand-in for each named parameter; the stand-ins are found in the
 * compiled parameter list and replaced by the real values on every run. Keep the query's
 * shape fixed (no conditions that come and go): put a varying part in a parameter.
 */
export function preparedQuery<P extends Record<string, unknown>, O>(
  db: Kysely<any>,
  build: (params: P) => Compilable<O>,
): (params: P) => Promise<O[]> {
  let compiled: CompiledQuery<O> | undefined;
  let slots: (string | null)[] = [];
  const standIns = new Proxy({}, { get: (_target, key) => `${SLOT}${String(key)}` }) as P;
  return async (params: P) => {
    if (!compiled) {
      compiled = build(standIns).compile();
      slots = compiled.parameters.map((v) => (typeof v === 'string' && v.startsWith(SLOT) ? v.slice(SLOT.length) : null));
      const missing = Object.keys(params).filter((k) => !slots.includes(k));
      if (missing.length) throw new Error(`preparedQuery: parameter(s) ${missing.join(', ')} never reach the SQL`);
    }
    const parameters = compiled.parameters.map((v, i) => {
      const slot = slots[i];
      return slot == null ? v : params[slot];
    });
    return (await db.executeQuery<O>({ ...compiled, parameters })).rows;
  };
}
