/**
 * A Map that holds at most `max` entries: adding a new key past that forgets the oldest
 * one (insertion order). For in-memory caches and negative caches fed by other servers'
 * input, which must not grow without end.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  /** @param max the most entries kept (a positive integer). */
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}
