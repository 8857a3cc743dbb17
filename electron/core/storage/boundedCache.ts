/**
 * A map that keeps at most `capacity` entries and drops the oldest one first (insertion order;
 * a hit does not move an entry: reads stay a plain lookup, which matters at thousands per window).
 * Every cache in the store is bounded this way, by size, never by the ward's history.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  /** @param onEvict told of each entry dropped to make room or by clear() (e.g. to zero a key) */
  constructor(
    readonly capacity: number,
    private readonly onEvict?: (value: V) => void,
  ) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (!this.map.has(key) && this.map.size >= this.capacity) {
      const oldest = this.map.keys().next().value as K;
      const dropped = this.map.get(oldest)!;
      this.map.delete(oldest);
      this.onEvict?.(dropped);
    }
    this.map.set(key, value);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    if (this.onEvict) for (const v of this.map.values()) this.onEvict(v);
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
