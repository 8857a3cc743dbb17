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

/**
 * A map bounded by an estimate of the bytes its values hold (`weigh`), oldest out first: for
 * caches whose entries vary in size (decrypted records, verified trees), so memory stays flat
 * whatever a ward's records hold. An entry heavier than the whole budget is not kept.
 */
export class ByteBoundedCache<K, V> {
  private readonly map = new Map<K, { value: V; bytes: number }>();
  private held = 0;

  constructor(
    readonly maxBytes: number,
    private readonly weigh: (value: V) => number,
  ) {}

  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = Math.max(1, this.weigh(value));
    if (bytes > this.maxBytes) return;
    for (const [oldest, e] of this.map) {
      if (this.held + bytes <= this.maxBytes) break;
      this.map.delete(oldest);
      this.held -= e.bytes;
    }
    this.map.set(key, { value, bytes });
    this.held += bytes;
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.held -= e.bytes;
  }

  clear(): void {
    this.map.clear();
    this.held = 0;
  }

  get size(): number {
    return this.map.size;
  }

  /** The estimate of the bytes held. */
  get bytes(): number {
    return this.held;
  }
}
