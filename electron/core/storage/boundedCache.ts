/**
 * A map that keeps at most `capacity` entries and drops the oldest one first (insertion order;
 * a hit does not move an entry: reads stay a plain lookup, which matters at thousands per window).
 * Every cache in the store is bounded this way, by size, never by the ward's history.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (!this.map.has(key) && this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
