/**
 * The sync engine's own state, in a LevelDB database of its own (classic-level) beside the ward's
 * data, every change one atomic write batch with `sync: true`, so a crash (kill -9, power) leaves
 * either the state before a step or the state after it:
 * - prepared batches not yet confirmed, byte for byte (a batch id is random: a batch re-prepared
 *   after a crash would be a second batch of the same records), with the outbox positions and
 *   proofs of their records;
 * - the history of published batches (the last BATCH_HISTORY_KEPT);
 * - the pull checkpoint (the next block to read) and the quarantine;
 * - records held back from publishing (one larger than a transaction may be), with the cause.
 * The sync account's transactions in flight and its nonces are kept by the client (nonceStore.ts).
 */
import { ClassicLevel } from 'classic-level';
import { BATCH_HISTORY_KEPT, type PublishedBatchView } from '../model/consortium';
import { WardError } from '../model/errors';
import type { PreparedBatch, PreparedShare } from './batch';
import type { ShareHeader } from './payload';


/** A prepared batch as persisted: its bytes and where each of its records came from. */
export interface StoredBatch {
  batch: PreparedBatch;
  /** Outbox positions and ids of its records, in payload order (share by share). */
  members: Array<{ seq: number; id: string; shareIndex: number; index: number }>;
  preparedAt: number;
}

/** A published batch as the history keeps it (the console shows the same). */
export type BatchHistoryEntry = PublishedBatchView;

export interface QuarantineEntry {
  /** Stable key: where it was found (block, log, record index), so a re-read page adds nothing. */
  key: string;
  what: 'grant' | 'share' | 'record';
  ward: string;
  wardName: string | null;
  batchId: string | null;
  recordId: string | null;
  block: number;
  tx: string;
  cause: string;
  at: number;
}

export interface HeldRecord {
  seq: number;
  id: string;
  cause: string;
  at: number;
}

interface SerializedBatch {
  batchId: string;
  root: string;
  count: number;
  records: string;
  grants: string[];
  shares: Array<Omit<PreparedShare, 'recordProofs' | 'header'> & { header: ShareHeader; recordProofs: Array<[string, string[]]> }>;
}

const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.slice(2), 'hex'));

function serialize(b: PreparedBatch): SerializedBatch {
  return { batchId: b.batchId, root: b.root, count: b.count, records: hex(b.records), grants: b.grants.map(hex), shares: b.shares.map((s) => ({ ...s, recordProofs: [...s.recordProofs] })) };
}

function deserialize(s: SerializedBatch): PreparedBatch {
  return { batchId: s.batchId, root: s.root, count: s.count, records: bytes(s.records), grants: s.grants.map(bytes), shares: s.shares.map((x) => ({ ...x, recordProofs: new Map(x.recordProofs) })) };
}

/** Keys sort in order: a zero-padded sequence number. */
const seqKey = (prefix: string, n: number) => `${prefix}${String(n).padStart(12, '0')}`;
const PREPARED = 'prepared!';
const HISTORY = 'history!';
/** A page cursor of the history: one of its keys. */
const HISTORY_CURSOR = /^history!\d{12}$/;
const QUARANTINE = 'quarantine!';
const HELD = 'held!';
const COUNTER = 'counter';
const CHECKPOINT = 'checkpoint';

export class SyncState {
  private counter = 0;
  private historySize: number | null = null;

  private constructor(private readonly db: ClassicLevel<string, string>) {}

  /** @throws WardError('DATA_DIR_LOCKED') when another process has it open. */
  static async open(dir: string): Promise<SyncState> {
    const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (e) {
      const locked = /lock/i.test(String((e as { cause?: unknown }).cause ?? e));
      throw new WardError(locked ? 'DATA_DIR_LOCKED' : 'INTERNAL', locked ? 'The consortium sync state is in use by another WardLedger process.' : 'The consortium sync state could not be opened.');
    }
    const state = new SyncState(db);
    state.counter = Number((await db.get(COUNTER)) ?? 0);
    return state;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * Every entry as of now (a backup while the engine runs): the iterator, and with it LevelDB's
   * snapshot, is made in this call, so what the engine writes afterwards is not in it. Copying the
   * live database's files instead could catch a compaction half done.
   */
  snapshot(): AsyncIterable<Array<[string, string]>> {
    return chunked(this.db.iterator());
  }

  /** Write a snapshot's entries into a new database at `dir` (what a backup archives as the engine's state). */
  static async writeCopy(snapshot: AsyncIterable<Array<[string, string]>>, dir: string): Promise<number> {
    const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8', errorIfExists: true });
    await db.open();
    let n = 0;
    try {
      for await (const chunk of snapshot) {
        await db.batch(chunk.map(([key, value]) => ({ type: 'put' as const, key, value })));
        n += chunk.length;
      }
    } finally {
      await db.close();
    }
    return n;
  }

  private next(): number {
    return ++this.counter;
  }

  private async values<T>(prefix: string, options: { limit?: number; reverse?: boolean } = {}): Promise<Array<{ key: string; value: T }>> {
    const out: Array<{ key: string; value: T }> = [];
    for await (const [key, value] of this.db.iterator({ gte: prefix, lt: prefix + '\xff', limit: options.limit ?? -1, reverse: options.reverse ?? false })) out.push({ key, value: JSON.parse(value) as T });
    return out;
  }

  // --- publishing -------------------------------------------------------------------------------

  /** Persist a prepared batch before its first send. */
  async savePrepared(stored: StoredBatch): Promise<string> {
    const key = seqKey(PREPARED, this.next());
    await this.db.batch(
      [
        { type: 'put', key, value: JSON.stringify({ ...stored, batch: serialize(stored.batch) }) },
        { type: 'put', key: COUNTER, value: String(this.counter) },
      ],
      { sync: true },
    );
    return key;
  }

  /** Prepared batches not yet confirmed, oldest first, with their keys. */
  async prepared(): Promise<Array<StoredBatch & { key: string }>> {
    return (await this.values<StoredBatch & { batch: SerializedBatch }>(PREPARED)).map(({ key, value }) => ({ ...value, batch: deserialize(value.batch), key }));
  }

  /** A batch is on chain and its records are marked published: out of the prepared list, into the history (the last BATCH_HISTORY_KEPT). */
  async confirmed(key: string, entry: BatchHistoryEntry): Promise<void> {
    this.historySize ??= (await this.values(HISTORY)).length;
    const excess = this.historySize + 1 - BATCH_HISTORY_KEPT;
    const oldest = excess > 0 ? await this.values<BatchHistoryEntry>(HISTORY, { limit: excess }) : [];
    await this.db.batch(
      [
        { type: 'del', key },
        { type: 'put', key: seqKey(HISTORY, this.next()), value: JSON.stringify(entry) },
        { type: 'put', key: COUNTER, value: String(this.counter) },
        ...oldest.map(({ key: k }) => ({ type: 'del' as const, key: k })),
      ],
      { sync: true },
    );
    this.historySize += 1 - oldest.length;
  }

  /** Published batches, newest first. */
  async history(limit = 50): Promise<BatchHistoryEntry[]> {
    return (await this.historyPage(limit)).entries;
  }

  /**
   * Published batches, newest first, a page at a time (the console's "older batches"): `before` is
   * the `older` of the page above; `older` is null on the last page.
   */
  async historyPage(limit = 50, before?: string): Promise<{ entries: BatchHistoryEntry[]; older: string | null }> {
    if (before !== undefined && !HISTORY_CURSOR.test(before)) throw new WardError('BAD_INPUT', 'That page of the batch history does not exist.');
    const rows: Array<{ key: string; value: BatchHistoryEntry }> = [];
    for await (const [key, value] of this.db.iterator({ gte: HISTORY, lt: before ?? HISTORY + '\xff', limit: limit + 1, reverse: true })) rows.push({ key, value: JSON.parse(value) as BatchHistoryEntry });
    const page = rows.slice(0, limit);
    return { entries: page.map((r) => r.value), older: rows.length > limit ? page[page.length - 1]!.key : null };
  }

  async hold(record: HeldRecord): Promise<void> {
    await this.db.put(HELD + record.id.toLowerCase(), JSON.stringify(record), { sync: true });
  }

  /** Let every held record be tried again (e.g. its author has since signed a credential); those that still cannot go are held again. */
  async releaseHeld(): Promise<number> {
    const held = await this.values<HeldRecord>(HELD);
    if (held.length > 0) await this.db.batch(held.map((e) => ({ type: 'del' as const, key: e.key })), { sync: true });
    return held.length;
  }

  async held(): Promise<HeldRecord[]> {
    return (await this.values<HeldRecord>(HELD)).map((e) => e.value);
  }

  // --- pulling ----------------------------------------------------------------------------------

  /** The next block to read (0 at first). */
  async checkpoint(): Promise<number> {
    return Number((await this.db.get(CHECKPOINT)) ?? 0);
  }

  /** Move the checkpoint and add what a page quarantined, in one write. */
  async pulled(nextBlock: number, quarantined: QuarantineEntry[]): Promise<void> {
    await this.db.batch(
      [{ type: 'put', key: CHECKPOINT, value: String(nextBlock) }, ...quarantined.map((q) => ({ type: 'put' as const, key: QUARANTINE + q.key, value: JSON.stringify(q) }))],
      { sync: true },
    );
  }

  async quarantine(): Promise<QuarantineEntry[]> {
    return (await this.values<QuarantineEntry>(QUARANTINE)).map((e) => e.value);
  }
}

async function* chunked(it: ReturnType<ClassicLevel<string, string>['iterator']>, size = 256): AsyncGenerator<Array<[string, string]>> {
  try {
    for (;;) {
      const chunk = (await it.nextv(size)) as Array<[string, string]>;
      if (chunk.length === 0) return;
      yield chunk;
    }
  } finally {
    await it.close();
  }
}
