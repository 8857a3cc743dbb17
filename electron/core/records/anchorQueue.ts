/**
 * Anchoring records on the ward chain, sized for the chain rather than for the arrival rate.
 *
 * - Group commit: records that become durable while an anchor transaction is in flight wait and go
 *   together in the next one.
 * - Gathered by time: readings the station records unattended (bound monitors) wait up to
 *   `stationWindowMs` (or until `maxBatch` wait) before they are anchored, so one reading per bed
 *   per minute does not become one transaction per reading; they are durable (and acknowledged)
 *   before they wait. A record a person saves is anchored at once — and takes every waiting
 *   reading along — so the save-latency target is untouched.
 * - A station batch anchored whole and alone anchors its own signature tree (no second tree).
 *   A large one (`ownAnchorMin` readings or more) is always anchored that way, in a transaction of
 *   its own, never joined into a tree with other records: a second tree costs 108 bytes of store per
 *   reading (64 B of tree, 44 B of membership), a transaction about 14 KB of chain, so past about
 *   130 readings its own transaction is the cheaper. Small ones (readings arriving one at a time)
 *   are still gathered into one tree.
 *
 * Crash safety: the batch is made durable (the store's awaiting-anchor list) before its
 * transaction is sent, and its anchor is recorded in a later write. On start, `resume()` finishes
 * what a crash interrupted: a batch whose root is already on the chain is recorded as anchored
 * (never sent twice), one that is not is sent again, and records that never made it into a batch
 * are batched anew.
 */
import type { ethers } from 'ethers';
import type { WardContracts } from '../chain/wardContracts';
import { buildBatch } from '../crypto/merkle';
import { WardError } from '../model/errors';
import { failpoint } from '../platform/failpoint';
import { log } from '../platform/log';
import { leafIndexes } from '../storage/merkleTrees';
import { leafOf, type AnchorRef, type StoredRecord } from '../storage/storedRecord';
import type { WardStore } from '../storage/wardStore';
import type { RootsOnChain } from './rootsOnChain';

/** A durable record to anchor, with its place in its station batch's signature tree if it has one. */
export interface ToAnchor {
  record: StoredRecord;
  signatureTree?: { treeNo: number; leafIndex: number; leaves: number };
  /**
   * The writer's persistent verification memo of the record under its anchor (RecordVerifier.
   * memoAtAnchor), stored in the same write as the anchor: the record's first read after a
   * restart need not verify what this process built itself.
   */
  memo?: (anchor: AnchorRef) => string | null;
}

interface Waiting extends ToAnchor {
  resolve: (anchor: AnchorRef) => void;
  reject: (e: Error) => void;
}

export interface AnchorQueueOptions {
  /** Most records in one gathered anchor (default 1,000). */
  maxBatch?: number;
  /** How long unattended station readings may wait to be gathered (default 30 s). */
  stationWindowMs?: number;
  /** Station batches of at least this many readings anchor their own signature tree (default 128). */
  ownAnchorMin?: number;
}

/**
 * Most records in one gathered anchor. Its tree is built, stored and its proofs and memos made on
 * this thread: 5,000 leaves held it for 150–240 ms at a time (the ingest bench's API calls waited
 * behind it: p99 150 ms against the 50 ms target), 1,000 about 25 ms. A full one goes at once, so
 * at full ingest speed that is some four transactions a second (7 B of chain a reading); at a
 * ward's rate the window, not this bound, closes a batch.
 */
const GATHERED_MAX = 1000;

export class AnchorQueue {
  private waiting: Waiting[] = [];
  /**
   * When the first of `waiting` must be anchored by (ms since the epoch; 0: at once; Infinity:
   * nothing waits). Everything waiting goes together, so only the earliest deadline matters: kept
   * as items come and go, a batch's arrival scans nothing.
   */
  private earliestDue = Infinity;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxBatch: number;
  /** How long unattended station readings may wait to be gathered (ms). */
  readonly stationWindowMs: number;
  private readonly ownAnchorMin: number;
  /** Batches anchored and leaves covered since start (for benchmarks and the sync console). */
  readonly stats = { batches: 0, leaves: 0 };

  constructor(
    private readonly store: () => WardStore,
    private readonly contracts: () => WardContracts,
    private readonly station: () => ethers.Signer,
    private readonly roots: RootsOnChain,
    options: AnchorQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? GATHERED_MAX;
    this.stationWindowMs = options.stationWindowMs ?? 30_000;
    this.ownAnchorMin = options.ownAnchorMin ?? 128;
  }

  /**
   * Anchor durable records; resolves with each record's anchor once it is mined and recorded
   * durably. `now`: a person is waiting (anchor at once); `gathered`: unattended readings, which
   * may wait for others up to the station window.
   */
  anchor(records: ToAnchor[], when: 'now' | 'gathered' = 'now'): Promise<AnchorRef[]> {
    const due = when === 'now' ? 0 : Date.now() + this.stationWindowMs;
    const done = records.map((r) => new Promise<AnchorRef>((resolve, reject) => this.waiting.push({ ...r, resolve, reject })));
    if (records.length) this.earliestDue = Math.min(this.earliestDue, due);
    this.schedule();
    return Promise.all(done);
  }

  /** Whether something waiting must go now: a person waits, a reading waited long enough, or a batch is full. */
  private ready(): boolean {
    return this.waiting.length >= this.maxBatch || this.earliestDue <= Date.now();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.waiting.length === 0) return;
    if (this.ready()) {
      void this.run();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule();
    }, Math.max(0, this.earliestDue - Date.now()));
    this.timer.unref();
  }

  /** Anchor whatever waits now and wait for it (a graceful stop, tests, benchmarks). */
  async flush(): Promise<void> {
    if (this.waiting.length) this.earliestDue = 0;
    const pending = this.waiting.map((w) => new Promise<void>((resolve) => {
      const { resolve: ok, reject: ko } = w;
      w.resolve = (a) => (ok(a), resolve());
      w.reject = (e) => (ko(e), resolve());
    }));
    this.schedule();
    await Promise.all(pending);
  }

  /** Drop the timer (the core stops; what still waits is durable and is anchored at the next start). */
  /** An anchor transaction is being sent or awaited (its local write may still follow). */
  get anchoring(): boolean {
    return this.running;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      // Everything waiting goes, whatever its own deadline: large station batches each in their own
      // transaction, the rest (a person's save first) together, a full batch at a time.
      while (this.waiting.length && this.ready()) {
        for (const batch of this.takeBatches()) {
          try {
            const anchors = await this.anchorBatch(batch);
            batch.forEach((w, i) => w.resolve(anchors[i]!));
          } catch (e) {
            const err = e instanceof WardError ? e : new WardError('CHAIN', 'The ward chain could not anchor the records.');
            log('error', 'anchor.failed', { records: batch.length, code: err.code });
            for (const w of batch) w.reject(err);
          }
        }
      }
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  /**
   * What waits, as anchor batches: every whole station batch of `ownAnchorMin` readings or more on
   * its own (its signature tree is its anchor tree), then the rest in order, `maxBatch` at a time.
   */
  private takeBatches(): Waiting[][] {
    const taken = this.waiting.splice(0);
    this.earliestDue = Infinity;
    const byTree = new Map<number, Waiting[]>();
    for (const w of taken) {
      const t = w.signatureTree;
      if (!t || t.leaves < this.ownAnchorMin) continue;
      const items = byTree.get(t.treeNo);
      if (items) items.push(w);
      else byTree.set(t.treeNo, [w]);
    }
    const own = [...byTree.values()].filter((items) => wholeSignatureTree(items));
    const alone = new Set(own.flat());
    const rest = taken.filter((w) => !alone.has(w));
    const gathered: Waiting[][] = [];
    for (let i = 0; i < rest.length; i += this.maxBatch) gathered.push(rest.slice(i, i + this.maxBatch));
    return [...gathered, ...own];
  }

  /** One anchor: the batch made durable, the root sent, the anchor recorded. */
  private async anchorBatch(items: ToAnchor[]): Promise<AnchorRef[]> {
    const store = this.store();
    const whole = wholeSignatureTree(items);
    let treeNo: number;
    let root: string;
    let leafOfItem: number[];
    let proofs: string[][];
    if (whole) {
      treeNo = whole.treeNo;
      root = items[0]!.record.batchSignature!.root.toLowerCase();
      leafOfItem = items.map((i) => i.signatureTree!.leafIndex);
      proofs = items.map((i) => i.record.batchSignature!.proof);
      await store.write((w) => w.anchorBatch(treeNo, items.map((i, n) => ({ record: i.record, leafIndex: leafOfItem[n]! }))));
    } else {
      const built = buildBatch(items.map((i) => leafOf(i.record)));
      const dump = built.toStandardTreeData();
      const places = leafIndexes(dump);
      root = built.root;
      leafOfItem = items.map((i) => places.get(i.record.id.toLowerCase())!);
      proofs = items.map((i) => built.proofs.get(i.record.id.toLowerCase())!);
      let no = 0;
      await store.write(async (w) => {
        no = w.tree({ root, nodes: dump.tree });
        await w.anchorBatch(no, items.map((i, n) => ({ record: i.record, leafIndex: leafOfItem[n]! })));
      });
      treeNo = no;
    }
    failpoint('anchor.batched');
    const anchored = await this.submit(root, items.length);
    failpoint('anchor.sent');
    const refs: AnchorRef[] = proofs.map((proof) => ({ root, ...anchored, proof }));
    const memos = await memosOf(items, refs);
    await store.write(async (w) => {
      await w.anchored(treeNo, anchored);
      this.roots.remember(w, root);
      if (memos.length) await w.memos(memos);
    });
    this.stats.batches++;
    this.stats.leaves += items.length;
    return refs;
  }

  /** Send the root; if an earlier attempt already got it on the chain, use that anchor. */
  private async submit(root: string, count: number): Promise<{ batchId: number; block: number; tx: string }> {
    try {
      return await this.contracts().anchorBatch(this.station(), root, count);
    } catch (e) {
      if (!(e instanceof WardError && e.code === 'CONFLICT')) throw e;
      const existing = await this.contracts().anchorOf(root);
      if (!existing) throw e;
      return { batchId: existing.batchId, block: existing.blockNumber, tx: '' };
    }
  }

  /** After a restart: finish interrupted batches and anchor records that were never batched. */
  async resume(): Promise<number> {
    const store = this.store();
    let resumed = 0;
    for (const { treeNo, root, records } of await store.awaitingAnchor()) {
      const built = records.length ? buildBatch(records.map(leafOf)) : null;
      if (!built || built.root !== root.toLowerCase()) throw new WardError('INTEGRITY', 'A stored anchor batch does not match its records; the record store was altered.');
      const anchored = await this.submit(root, records.length);
      await store.write(async (w) => {
        await w.anchored(treeNo, anchored);
        this.roots.remember(w, root);
      });
      resumed += records.length;
    }
    for (;;) {
      const unbatched = await store.unbatched(this.maxBatch);
      if (unbatched.length === 0) break;
      await this.anchor(unbatched.map((record) => ({ record })));
      resumed += unbatched.length;
    }
    if (resumed) log('info', 'anchor.resumed', { records: resumed });
    return resumed;
  }
}

/** The writers' memos of the items under their anchors (yielding every 64: a batch is a thousand HMACs). */
async function memosOf(items: ToAnchor[], anchors: AnchorRef[]): Promise<Array<[StoredRecord, string]>> {
  const tags: Array<[StoredRecord, string]> = [];
  for (const [i, item] of items.entries()) {
    if (i % 64 === 63) await new Promise((r) => setImmediate(r));
    const tag = item.memo?.(anchors[i]!);
    if (tag) tags.push([item.record, tag]);
  }
  return tags;
}

/** The signature tree the items are, when they are all of one station batch, every leaf once, in any order. */
function wholeSignatureTree(items: ToAnchor[]): { treeNo: number } | null {
  const first = items[0]?.signatureTree;
  if (!first || first.leaves !== items.length) return null;
  const seen = new Set<number>();
  for (const i of items) {
    if (i.signatureTree?.treeNo !== first.treeNo || seen.has(i.signatureTree.leafIndex)) return null;
    seen.add(i.signatureTree.leafIndex);
  }
  return { treeNo: first.treeNo };
}
