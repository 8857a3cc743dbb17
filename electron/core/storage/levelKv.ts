/**
 * The store's one LevelDB database (classic-level: LevelDB 1.23 through N-API, binaries shipped in
 * the npm package), with binary keys and values, and group commit.
 *
 * Durability: every commit is one atomic WriteBatch written with `sync: true` (fsync of LevelDB's
 * write-ahead log) and resolves only then. Commits requested while one is in flight are merged
 * into the next one, so many writers share one fsync (as records/appendLog.ts did for the log).
 * A crash loses no acknowledged commit and never leaves part of one (kill -9 tests: test/unit/
 * storage/crashSafety.test.ts).
 *
 * Why LevelDB and not LMDB: measured in docs/storage.md — a patient's records stay contiguous on
 * disk (sorted tables), so a window read after a reboot is fast; memory is a bounded block cache,
 * with its table files kept open bounded (MAX_OPEN_TABLE_FILES: LevelDB maps those it holds open),
 * not a memory map of the whole file that grows with what was read; and it is 35 % smaller on disk.
 */
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { WardError } from '../model/errors';
import { damagedFile } from '../platform/atomicFile';

export type KvOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

export interface RangeOptions {
  gte?: Uint8Array;
  gt?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
  limit?: number;
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;

/**
 * Free space below which a reopen after a failed commit is not tried (recovery writes a table and a
 * new log): below it the store takes no more writes (the ward board says the disk is full).
 */
export const REOPEN_FREE_BYTES = 64 * 2 ** 20;

/** A refused commit in words: a full disk is said so (the one failure a person can act on). */
function writeFailure(e: unknown): WardError {
  const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error)?.message ?? String(e);
  if (/No space left on device|File too large|ENOSPC|EFBIG|Disk quota exceeded/i.test(cause)) {
    return new WardError('INTERNAL', "The workstation's disk is full: nothing was saved. Tell the IT admin (Ward administration shows the disk), and save again once space is freed.");
  }
  return new WardError('INTERNAL', `Could not write to the record store: ${cause.split('\n')[0]!.slice(0, 300)}`);
}

const BINARY = { keyEncoding: 'view', valueEncoding: 'view' } as const;

/**
 * Table files LevelDB keeps open (its table cache holds this many less 10). On 64-bit Linux
 * LevelDB maps each open table file into memory (up to 1,000 of them, not configurable), and every
 * page a read touched counts in the process's resident memory until the table is closed: with the
 * default 1,000 a ward's whole store can stay mapped (the 1,000,000-record store, 943 MB in 473
 * tables, held 478 MB resident after opening a 10,000- and a 40,000-record history: the opens'
 * point reads by record id touch pages in most tables). 200 kept at most 190 tables (about 2 MB
 * each) mapped, 274-281 MB measured after the same opens; 74 (the least LevelDB takes) held 90 MB
 * but made the first opens' CPU 1.5-1.8 times, while memos were read by record id. With memos read
 * by range beside their records, 100 holds 98-101 MB of tables after a 72 h and a 10,000-record
 * first open (200: 186-204 MB; 51-53 against 131-148 MB idle after the start, whose store check
 * and sweep read member lists across the store), opens' wall and CPU within the noise of
 * alternate runs. docs/storage.md, "Memory of a running ward".
 */
export const MAX_OPEN_TABLE_FILES = 100;

/**
 * Bytes one `nextv` may gather before it returns (classic-level stops at 16 KiB by default: about
 * 15 record bodies, so a 5,000-record window took some 300 round trips through the thread pool).
 * A chunk is held in JavaScript whole anyway; this bounds what one native read holds besides.
 */
const CHUNK_BYTES = 8 * 2 ** 20;
/** Entries of a range read in one `nextv` by `chunks` unless told otherwise. */
const RANGE_CHUNK = 1000;
/**
 * Entries `range` asks for in one `nextv` (it holds the whole range anyway): a window of 5,000
 * records, or their anchor memberships, in one native call.
 */
const RANGE_WHOLE_CHUNK = 10_000;

export class LevelKv {
  private pending: Array<{ ops: KvOp[]; resolve: () => void; reject: (e: Error) => void }> = [];
  private flushing: Promise<void> | null = null;
  /**
   * A commit failed (a full disk, an I/O error): the next one reopens the database first. LevelDB's
   * log writer counts a failed append as written, so what is appended after it to the same log is
   * misplaced and dropped when the log is recovered: commits acknowledged after a full disk were
   * lost at the next start (test/unit/storage/fullDisk.test.ts). Reopening recovers the log up to
   * the failed record and starts a new one. Reads go on meanwhile; while the disk is still full
   * the reopen itself fails, and is tried again at the next commit.
   */
  private reopenBeforeCommit = false;
  /** Commits made (each one fsync) and the wall time spent in them, ms (benchmarks). */
  readonly stats = { commits: 0, batchMs: 0 };

  /**
   * Ops added to every commit as it is flushed (the store's counters: their value then covers
   * every number handed out to the writes in that commit).
   */
  beforeFlush: () => KvOp[] = () => [];

  private constructor(
    private readonly db: Db,
    readonly path: string,
  ) {}

  /** Open (creating when absent). A second process on the same directory gets DATA_DIR_LOCKED. */
  static async open(path: string, options: { cacheBytes?: number; createIfMissing?: boolean } = {}): Promise<LevelKv> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(path, { ...BINARY, cacheSize: options.cacheBytes ?? 8 * 2 ** 20, maxOpenFiles: MAX_OPEN_TABLE_FILES });
    try {
      await db.open({ createIfMissing: options.createIfMissing ?? true });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
      if (/lock/i.test(cause)) throw new WardError('DATA_DIR_LOCKED', 'The record store is in use by another WardLedger process.');
      if (/does not exist/i.test(cause)) {
        // Its folder is there but LevelDB finds no database in it (CURRENT gone): damaged, not absent.
        if (existsSync(path)) throw damagedFile(path, 'The record store (records, anchors, consents and the access log)', `it cannot be opened: ${cause.split('\n')[0]!.slice(0, 300)}`);
        throw new WardError('NOT_FOUND', 'There is no record store at that place.');
      }
      throw damagedFile(path, 'The record store (records, anchors, consents and the access log)', `it cannot be opened: ${cause.split('\n')[0]!.slice(0, 300)}`);
    }
    return new LevelKv(db, path);
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.get(key, BINARY);
  }

  /** A point read without a round trip through the thread pool (small values: dedupe, pointers). */
  getSync(key: Uint8Array): Uint8Array | undefined {
    return this.db.getSync(key, BINARY);
  }

  getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    return keys.length ? this.db.getMany(keys, BINARY) : Promise.resolve([]);
  }

  /** Whether each key is present, without reading the values into JavaScript. */
  hasMany(keys: Uint8Array[]): Promise<boolean[]> {
    return keys.length ? this.db.hasMany(keys, BINARY) : Promise.resolve([]);
  }

  /** Entries of a key range, in key order (or reversed), read from one snapshot. */
  async range(options: RangeOptions): Promise<Array<[Uint8Array, Uint8Array]>> {
    const limit = options.limit ?? -1;
    const size = limit > 0 && limit <= RANGE_WHOLE_CHUNK ? limit : RANGE_WHOLE_CHUNK;
    let out: Array<[Uint8Array, Uint8Array]> | null = null;
    for await (const chunk of this.chunks(options, size)) {
      if (!out) out = chunk;
      else for (const e of chunk) out.push(e);
    }
    return out ?? [];
  }

  /** The values of a key range (no keys made in JavaScript: index tables whose values are what is wanted). */
  values(options: RangeOptions): Promise<Uint8Array[]> {
    return this.whole(this.db.values({ ...options, ...BINARY, limit: options.limit ?? -1, highWaterMarkBytes: CHUNK_BYTES }));
  }

  /** The keys of a key range (index tables whose keys say it all). */
  keys(options: RangeOptions): Promise<Uint8Array[]> {
    return this.whole(this.db.keys({ ...options, ...BINARY, limit: options.limit ?? -1, highWaterMarkBytes: CHUNK_BYTES }));
  }

  private async whole(it: { nextv(size: number): Promise<unknown[]>; close(): Promise<void> }): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    try {
      for (;;) {
        const chunk = (await it.nextv(RANGE_WHOLE_CHUNK)) as Uint8Array[];
        if (chunk.length === 0) return out;
        for (const v of chunk) out.push(v);
      }
    } finally {
      await it.close();
    }
  }

  /** The same in chunks, for ranges too large to hold at once (export, migration checks). */
  chunks(options: RangeOptions, size = RANGE_CHUNK): AsyncGenerator<Array<[Uint8Array, Uint8Array]>> {
    return this.snapshot(options, size);
  }

  /**
   * A range in chunks from a snapshot taken now: the iterator (and with it LevelDB's implicit
   * snapshot) is created by this call, not when the first chunk is asked for.
   */
  snapshot(options: RangeOptions, size = 1000): AsyncGenerator<Array<[Uint8Array, Uint8Array]>> {
    return this.iterate(this.db.iterator({ ...options, ...BINARY, limit: options.limit ?? -1, highWaterMarkBytes: CHUNK_BYTES }), size);
  }

  private async *iterate(it: ReturnType<Db['iterator']>, size: number): AsyncGenerator<Array<[Uint8Array, Uint8Array]>> {
    try {
      for (;;) {
        const chunk = (await it.nextv(size)) as Array<[Uint8Array, Uint8Array]>;
        if (chunk.length === 0) return;
        yield chunk;
      }
    } finally {
      await it.close();
    }
  }

  /** How many keys the range holds (only those `which` accepts, if given). */
  async count(options: RangeOptions, which?: (key: Uint8Array) => boolean): Promise<number> {
    let n = 0;
    const it = this.db.keys({ ...options, ...BINARY, limit: options.limit ?? -1, highWaterMarkBytes: CHUNK_BYTES });
    try {
      for (;;) {
        const chunk = (await it.nextv(5000)) as Uint8Array[];
        if (chunk.length === 0) return n;
        n += which ? chunk.filter(which).length : chunk.length;
      }
    } finally {
      await it.close();
    }
  }

  /** Make `ops` durable atomically (merged with concurrent commits into one fsync). */
  commit(ops: KvOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ ops, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length) {
        const group = this.pending;
        this.pending = [];
        try {
          if (this.reopenBeforeCommit) await this.reopen();
          const ops = [...group.flatMap((g) => g.ops), ...this.beforeFlush()];
          const t0 = performance.now();
          await this.db.batch(ops, { ...BINARY, sync: true });
          this.stats.commits++;
          this.stats.batchMs += performance.now() - t0;
          for (const g of group) g.resolve();
        } catch (e) {
          this.reopenBeforeCommit = true;
          const err = writeFailure(e);
          for (const g of group) g.reject(err);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async reopen(): Promise<void> {
    // While the disk is still full the reopen would fail and leave nothing to read from: refused
    // here, the database stays open for reads.
    const fs = await statfs(this.path).catch(() => null);
    if (fs && fs.bavail * fs.bsize < REOPEN_FREE_BYTES) throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
    if (this.db.status === 'open') await this.db.close();
    await this.db.open({ createIfMissing: false });
    this.reopenBeforeCommit = false;
  }

  /** Wait for commits in flight, then close. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.db.status === 'open') await this.db.close();
  }

  /** Compact the whole key space now (LevelDB otherwise compacts in the background as it goes). */
  compact(): Promise<void> {
    return this.db.compactRange(Buffer.of(0), Buffer.alloc(9, 0xff), BINARY);
  }
}
