/**
 * Shapes of what apex stores. After apex's JSON-LD compaction every property but `id` and
 * `type` is an array (`actor: ['https://…']`, `object: ['iri' | {…}]`); `_meta` holds
 * server-side data (collections an activity is in, an actor's private key) and must
 * never be served.
 */
export interface ApMeta {
  collection?: string[];
  privateKey?: string;
  [key: string]: unknown;
}

export interface ApDocument {
  id: string;
  type?: string;
  _meta?: ApMeta;
  [key: string]: unknown;
}

export const asArray = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/** The document without `_meta`, and `_meta` on its own. */
export function splitMeta<T extends ApDocument>(doc: T): { body: Omit<T, '_meta'>; meta: ApMeta | undefined } {
  const { _meta, ...body } = doc;
  return { body, meta: _meta ?? undefined };
}

/**
 * An activity's `object` with every embedded copy stripped of `_meta`: a Create embeds
 * the object it made, and a copy must never carry a private key out through a read.
 */
export function withoutEmbeddedMeta(activity: Record<string, unknown>): Record<string, unknown> {
  if (!('object' in activity)) return activity;
  const object = asArray(activity.object).map((o) => (o && typeof o === 'object' && '_meta' in o ? splitMeta(o as ApDocument).body : o));
  return { ...activity, object: Array.isArray(activity.object) ? object : object[0] };
}

const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined;

/** The actor IRIs of an activity (strings, or ids of embedded actors). */
export const actorIds = (activity: Record<string, unknown>): string[] => asArray(activity.actor).map(idOf).filter((x): x is string => !!x);

/** The objects of an activity: by IRI (embedded = false) or as embedded copies. */
export const objectRefs = (activity: Record<string, unknown>): { id: string; embedded: boolean }[] =>
  asArray(activity.object)
    .map((o) => ({ id: idOf(o), embedded: typeof o !== 'string' }))
    .filter((r): r is { id: string; embedded: boolean } => !!r.id);

/** Mongo-style partial update, as apex expects: null values remove keys, others replace them; `id` never changes. */
export function applyPartial<T extends Record<string, unknown>>(target: T, changes: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'id') continue;
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out as T;
}
