/**
 * Caches bounded by size, never by the ward's history: every cache in the store and the record
 * services is one of these. The oldest entry goes first (insertion order; a hit does not move an
 * entry: reads stay a plain lookup, which matters at thousands per window; setting a key again
 * makes it the newest).
 *
 * Eviction follows a queue of insertions, not an iteration of the Map from its start: a Map whose
 * oldest entries keep being deleted leaves holes at its front that every such iteration walks
 * again (10 µs a set at 15,000 entries, measured), so a full cache got slower with every entry.
 */
export class ByteBoundedCache<K, V> {
  private readonly map = new Map<K, { value: V; bytes: number; seq: number }>();
  /** Keys in insertion order with the sequence number they were set with (stale once set again or deleted). */
  private order: Array<{ key: K; seq: number }> = [];
  private head = 0;
  private seq = 0;
  private held = 0;

  /**
   * @param maxBytes the budget: the sum of `weigh` over the entries stays within it
   * @param weigh an estimate of the bytes a value holds (an entry heavier than the budget is not kept)
   * @param onEvict told of each entry dropped to make room or by clear() (e.g. to zero a key)
   */
  constructor(
    readonly maxBytes: number,
    private readonly weigh: (value: V) => number,
    private readonly onEvict?: (value: V) => void,
  ) {}

  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = Math.max(1, this.weigh(value));
    if (bytes > this.maxBytes) return;
    while (this.held + bytes > this.maxBytes && this.head < this.order.length) {
      const { key: oldest, seq } = this.order[this.head++]!;
      const e = this.map.get(oldest);
      if (!e || e.seq !== seq) continue;
      this.map.delete(oldest);
      this.held -= e.bytes;
      this.onEvict?.(e.value);
    }
    // Keep the queue within twice the live entries (keys set again or deleted leave stale places).
    if (this.order.length - this.head > 2 * this.map.size + 1024) {
      this.order = this.order.slice(this.head).filter(({ key: k, seq }) => this.map.get(k)?.seq === seq);
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    const s = ++this.seq;
    this.map.set(key, { value, bytes, seq: s });
    this.order.push({ key, seq: s });
    this.held += bytes;
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.held -= e.bytes;
  }

  clear(): void {
    if (this.onEvict) for (const e of this.map.values()) this.onEvict(e.value);
    this.map.clear();
    this.order = [];
    this.head = 0;
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

/** A cache of at most `capacity` entries (each weighs one). */
export class BoundedCache<K, V> extends ByteBoundedCache<K, V> {
  constructor(
    readonly capacity: number,
    onEvict?: (value: V) => void,
  ) {
    super(capacity, () => 1, onEvict);
  }
}
