/**
 * Gives memory back when the workstation goes quiet after a big piece of work (a long history
 * opened, a large export), instead of holding it until V8 next needs room.
 *
 * Why: opening a 40,000-record history allocates some hundreds of MB of short-lived objects
 * (decoded records, reply JSON). Most of it dies at once, but V8 collects its old generation only
 * when that generation reaches a limit it raised while the open ran, so an idle process kept the
 * dead objects, and the pages they sit on, resident (docs/benchmarks.md, "First opens and memory
 * after opens: memory idle": the serve process's old space 214 MB of which 209 MB counted used,
 * 20-80 MB of it live after a full collection; unchanged 8 s after the open, nothing collected it).
 *
 * What: every `checkMs` the heap's used bytes are compared with what was used after the last full
 * collection, and its committed bytes with what was committed then; when either grew by at least
 * `growthBytes` and the event loop was nearly idle over the last interval (event-loop utilization
 * below `idleUtilization`: no open or ingest running), one full, compacting collection runs.
 * Committed as well as used: V8's own full collection at the end of an open frees the dead objects
 * but keeps the pages they sat on, so used bytes are back near the baseline while 100 MB or more
 * stays committed (seen on the growth bench's 40,000-record open in about one run of three: the
 * core's heap 53-67 MB used of 163-171 MB committed 8 and 30 s later, against 86 MB committed in
 * the other runs; docs/storage.md, "Memory of a running ward"). Its cost is one compacting
 * mark-compact (not timed in serve; 0.5 s on Node 20 for a 311 MB heap with 19 MB live), at most
 * once per `growthBytes` of garbage and only while nothing else runs; a busy process is left to V8.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleCollectorOptions {
  /** How often to look (ms). */
  checkMs: number;
  /** Collect once the heap's used bytes grew this much since the last full collection. */
  growthBytes: number;
  /** The event loop counts as idle below this utilization over the last interval (0..1). */
  idleUtilization: number;
  /** The full collection; the heap's used bytes, read after it, become the new baseline. */
  collect: () => void;
  usedBytes?: () => number;
  /** The heap's committed bytes (V8 keeps pages a non-compacting collection freed). */
  committedBytes?: () => number;
  /** The event loop's utilization since the last call (perf_hooks by default). */
  utilization?: () => number;
}

export const IDLE_COLLECTOR: Omit<IdleCollectorOptions, 'collect'> = { checkMs: 2000, growthBytes: 48 * 2 ** 20, idleUtilization: 0.05 };

export class IdleCollector {
  private baseline: number;
  private committedBaseline: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly usedBytes: () => number;
  private readonly committedBytes: () => number;
  private readonly utilization: () => number;
  /** Full collections run so far (tests read it). */
  collections = 0;

  constructor(private readonly options: IdleCollectorOptions) {
    this.usedBytes = options.usedBytes ?? (() => getHeapStatistics().used_heap_size);
    this.committedBytes = options.committedBytes ?? (() => getHeapStatistics().total_heap_size);
    let last: EventLoopUtilization = performance.eventLoopUtilization();
    this.utilization =
      options.utilization ??
      (() => {
        const now = performance.eventLoopUtilization();
        const u = performance.eventLoopUtilization(now, last).utilization;
        last = now;
        return u;
      });
    this.baseline = this.usedBytes();
    this.committedBaseline = this.committedBytes();
  }

  start(): void {
    if (this.timer) return;
    this.utilization(); // the first interval starts now
    this.timer = setInterval(() => this.check(), this.options.checkMs);
    this.timer.unref(); // never keeps a stopping process alive
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look: collects when the heap's used or committed bytes grew enough and the loop was idle. Returns whether it collected. */
  check(): boolean {
    const idle = this.utilization() < this.options.idleUtilization;
    const used = this.usedBytes();
    const committed = this.committedBytes();
    // A young-generation or V8's own full collection may have brought them below the baselines.
    if (used < this.baseline) this.baseline = used;
    if (committed < this.committedBaseline) this.committedBaseline = committed;
    const grew = used - this.baseline >= this.options.growthBytes || committed - this.committedBaseline >= this.options.growthBytes;
    if (!idle || !grew) return false;
    this.options.collect();
    this.collections++;
    this.baseline = this.usedBytes();
    this.committedBaseline = this.committedBytes();
    return true;
  }
}

/**
 * A full, synchronous, compacting collection of this thread's heap, or null where it cannot be
 * had. Node exposes `gc` only with --expose-gc; setting that flag at run time and reading `gc` from
 * a new context gives it to this module alone (globalThis.gc stays undefined), as jest's leak
 * detector does (jestjs/jest packages/jest-leak-detector/src/index.ts). The flag is set back at once.
 * Setting V8 flags after start needs V8's flags unfrozen: Node passes --no-freeze-flags-after-init,
 * and so does Electron for its main process (electron/electron#42414 keeps it when --js-flags are
 * bad); checked on Node 20 and 24 here (test/unit/platform/idleCollector.test.ts), not in Electron,
 * which cannot be launched on this machine.
 *
 * Compacting, because a plain full collection frees objects but keeps the pages they sat on
 * (measured: heap 338 MB committed, 311 MB used, 19 MB live: 324 MB still committed after `gc()` on
 * Node 20). V8 12 and later (Electron's Node 24) take `flavor: 'last-resort'` (the collection V8
 * runs before giving up on memory: it compacts and releases pages); V8 11 (Node 20) ignores it
 * and does not collect at all with an options object, so there the compaction flag is set around
 * a plain `gc()` (338 -> 53 MB committed, RSS 395 -> 109 MB, 0.5 s for 311 MB of garbage).
 */
export function fullCollection(): (() => void) | null {
  let gc: unknown;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc');
    setFlagsFromString('--no-expose-gc');
  } catch {
    return null;
  }
  if (typeof gc !== 'function') return null;
  const collect = gc as (options?: object) => void;
  if (Number(process.versions.v8.split('.')[0]) >= 12) return () => collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return () => {
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      collect();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}

/** The core's collector (serve, the desktop shell and the chain's thread), or null when no full collection is available. */
export function startIdleCollector(options: Partial<Omit<IdleCollectorOptions, 'collect'>> = {}): IdleCollector | null {
  const collect = fullCollection();
  if (!collect) return null;
  const c = new IdleCollector({ ...IDLE_COLLECTOR, ...options, collect });
  c.start();
  return c;
}
