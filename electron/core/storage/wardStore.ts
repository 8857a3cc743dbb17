/**
 * The ward's record store on an embedded, indexed database (LevelDB): everything RecordStore keeps
 * in memory after replaying records/log.jsonl, kept on disk instead and read by key and by window.
 *
 * - Opening reads two counters: nothing replays, so start time and memory do not grow with the
 *   records on file. Caches (tree headers and nodes, anchors, scopes, checksummed addresses) are
 *   bounded by entry count.
 * - Writes: `write(w => …)` fills one StoreWrite (records, trees, anchors, scopes, consents,
 *   audits, device keys, memos, bindings) that becomes durable atomically, group-committed with
 *   concurrent writes (one fsync).
 * - Reads answer what the services and screens ask: one patient's records by measured time, in
 *   pages, newest or oldest first; the latest record, vitals set and complete vitals set; a record
 *   and its anchor (with proofs read from the batch's stored tree); batches awaiting their anchor
 *   and records in none (crash recovery); the consortium outbox; scopes; consents in force and
 *   their history; the access log by patient and by time, paged; device dedupe; memos; bindings.
 *
 * The store never decides what is valid: it returns what was written, byte for byte, and the
 * record services verify it (signatures, proofs, roots on the chain) as they do today.
 */
import { join } from 'node:path';
import { getAddress } from 'ethers';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import type { KeyScope } from '../crypto/keyScope';
import type { AnchorRef, StoredRecord } from './storedRecord';
import { BoundedCache } from './boundedCache';
import { getUint } from './bytes';
import { dedupeKeyBytes, hexKey, key, openedBlockKey, prefixEnd, T, VitalsIndex, WIDTH, type OpenedBlockKey } from './keys';
import { LevelKv, type KvOp, type RangeOptions } from './levelKv';
import { type Locator, locatorOf, parseLocator } from './locator';
import { batchSignatureOf, type ProofReader, type TreeHeader } from './merkleTrees';
import { decodeRecordBody, peekRecordBody, type TreePlace } from './recordBinary';
import { StoreWrite, TreeRole, type WriteContext } from './storeWrite';
import { TreeCache } from './treeCache';
import type { ActivityEntry, Binding, ConsentEntry, ConsortiumPlace, ConsortiumShareEntry, Page, TreeAnchor } from './storeTypes';

/** Where the store lives in a data directory. */
export function storePath(dataDir: string): string {
  return join(dataDir, 'records', 'store');
}

/** Version of the key layout and encodings; a store of another version is refused, not misread. */
export const STORE_FORMAT = 1;

const META_FORMAT = key(T.meta, Buffer.from('format'));
const META_SEQ = key(T.meta, Buffer.from('seq'));
const META_TREE = key(T.meta, Buffer.from('treeNo'));
/** The first anchor tree whose members are indexed by patient (T.patientMembers): 0 in a store created with the index. */
const META_PATIENT_MEMBERS = key(T.meta, Buffer.from('patientMembersFrom'));
/**
 * The consortium outbox's state (JSON): 'closed' — no consortium yet, records are not enqueued (41
 * bytes a record saved); 'filling' — opened, the records written before are being enqueued (`after`:
 * the last record id done); 'open'. Absent: a store written before the outbox opened on demand,
 * whose every record was enqueued as written — open.
 */
const META_OUTBOX = key(T.meta, Buffer.from('outbox'));
type OutboxState = { state: 'closed' } | { state: 'filling'; after: string | null } | { state: 'open' };
/** Anchor trees whose member lists are read at once (patientMissingInTrees): LevelDB reads run on libuv's four threads. */
const TREES_READ_AT_ONCE = 8;

/** A locator's bytes as a string, for sets of locators (Buffers compare by identity). */
export const locatorKey = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** Records enqueued per commit while the outbox fills. */
const OUTBOX_FILL_CHUNK = 2000;

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');
const parseJson = <V>(b: Uint8Array): V => JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')) as V;
const u64 = (v: number) => key(0, ['time', v]).subarray(1);

export interface WindowOptions {
  /** Measured time from (inclusive), ms. */
  from?: number;
  /** Measured time to (inclusive), ms. */
  to?: number;
  /** At most this many records (default 1,000). */
  limit?: number;
  /** 'desc' (newest first, the default) or 'asc'. */
  order?: 'asc' | 'desc';
  /** The `next` of the previous page. */
  cursor?: string | null;
  /** Fill each record's proofs (batch signature and anchor). Default true; false skips reading tree nodes. */
  proofs?: boolean;
}

/** A record as read back: the stored record, where it is filed, and its anchor if it has one. */
export interface StoredEntry {
  readonly record: StoredRecord;
  /** Measured time it is filed under. */
  readonly at: number;
  readonly seq: number;
  readonly anchor: AnchorRef | undefined;
  /** The bytes it was read from (absent for a body kept as JSON, and for entries not read from the store). */
  readonly stored?: StoredBytes;
  /** Its key after the table byte (entries read from the store). */
  readonly locator?: Locator;
  /** Its place in its anchored tree (entries read from the store; null: in none). */
  readonly anchorTree?: TreePlace | null;
}

/**
 * What a record was read from: its id, its patient (from its key), its body as stored, and the
 * batch signature it is read with (its signature tree's header). Two reads with equal bytes here
 * decode to the same record, field for field: a reader holding the record decoded from these
 * bytes may use it without decoding it again (records/provenance.ts).
 */
export interface StoredBytes {
  readonly id: string;
  readonly patient: string;
  /** A view of the read (copy it to keep it). */
  readonly body: Uint8Array;
  readonly signedBy: TreeHeader | null;
}

/** Where a record object read or written sits: its key, and its places in its signature and anchored trees (the latter once known). */
interface ReadPlace {
  locator: Locator;
  signatureTree: TreePlace | null;
  anchorTree?: TreePlace | null;
}

/** A record read from the store, decoded the first time `record` is asked for (entriesOf). */
class ReadEntry implements StoredEntry {
  private decoded: StoredRecord | undefined;
  readonly at: number;
  readonly seq: number;

  constructor(
    private readonly decode: (e: ReadEntry) => StoredRecord,
    readonly locator: Locator,
    readonly anchor: AnchorRef | undefined,
    readonly stored: StoredBytes | undefined,
    /** A body kept as JSON, decoded already. */
    readonly json: StoredRecord | null,
    readonly body: Uint8Array,
    readonly signatureTree: TreePlace | null,
    readonly signedProof: string[] | null,
    readonly anchorTree: TreePlace | null,
  ) {
    this.at = locator.at;
    this.seq = locator.seq;
  }

  get record(): StoredRecord {
    return (this.decoded ??= this.decode(this));
  }
}

export class WardStore {
  private seq = 0;
  private treeNo = 0;
  /** The first anchor tree indexed by patient (indexPatientMembersFromNow). */
  private patientMembersFrom = 0;
  private outboxState: OutboxState = { state: 'open' };
  private outboxFilling: Promise<void> | null = null;
  /**
   * Locator and signature tree of records this process wrote or read, by object (never stale:
   * records are immutable), and for records read, their anchor tree (undefined: not looked up).
   */
  private readonly places = new WeakMap<StoredRecord, ReadPlace>();
  private readonly trees: TreeCache;
  private readonly addresses = new BoundedCache<string, string>(4096);

  private constructor(private readonly kv: LevelKv) {
    this.trees = new TreeCache(kv);
    kv.beforeFlush = () => [
      { type: 'put', key: META_SEQ, value: u64(this.seq) },
      { type: 'put', key: META_TREE, value: u64(this.treeNo) },
    ];
  }

  /** Open the store at `path` (creating it when `create` is set). */
  static async open(path: string, options: { create?: boolean; cacheBytes?: number } = {}): Promise<WardStore> {
    const kv = await LevelKv.open(path, { createIfMissing: options.create ?? true, cacheBytes: options.cacheBytes });
    try {
      const format = await kv.get(META_FORMAT);
      // A new store's outbox opens when a consortium is configured (openOutbox).
      if (format === undefined) {
        await kv.commit([
          { type: 'put', key: META_FORMAT, value: u64(STORE_FORMAT) },
          { type: 'put', key: META_OUTBOX, value: json({ state: 'closed' }) },
          { type: 'put', key: META_PATIENT_MEMBERS, value: u64(0) },
        ]);
      } else if (getUint(format, 0, 8) !== STORE_FORMAT) throw new WardError('INTEGRITY', 'The record store was written by another version of WardLedger.');
      const store = new WardStore(kv);
      const seq = await kv.get(META_SEQ);
      const tree = await kv.get(META_TREE);
      store.seq = seq ? getUint(seq, 0, 8) : 0;
      store.treeNo = tree ? getUint(tree, 0, 8) : 0;
      await store.indexPatientMembersFromNow();
      const outbox = await kv.get(META_OUTBOX);
      store.outboxState = outbox ? parseJson<OutboxState>(outbox) : { state: 'open' };
      return store;
    } catch (e) {
      await kv.close();
      throw e;
    }
  }

  get path(): string {
    return this.kv.path;
  }

  /** Commits made and the wall time spent in them (LevelKv.stats). */
  get writeStats(): { readonly commits: number; readonly batchMs: number } {
    return this.kv.stats;
  }

  /** Wait for writes in flight, then close. */
  close(): Promise<void> {
    return this.kv.close();
  }

  // ============================================================================== writing

  /**
   * Make one atomic write durable: `fill` adds operations (it may await lookups); resolves when
   * they are on disk. Concurrent writes share one fsync.
   */
  async write(fill: (w: StoreWrite) => void | Promise<void>): Promise<void> {
    const w = new StoreWrite(this.writeContext);
    try {
      await fill(w);
      if (this.outboxState.state !== 'closed') w.enqueuePublishable();
      await this.kv.commit(w.ops);
    } catch (e) {
      // Caches only ever hold what is durable: forget what this write said about its records.
      for (const r of w.written) this.places.delete(r);
      throw e;
    }
    for (const done of w.afterCommit) done();
  }

  private readonly writeContext: WriteContext = {
    nextSeq: () => ++this.seq,
    nextTreeNo: () => ++this.treeNo,
    known: (r) => this.places.get(r),
    remember: (r, locator, signatureTree) => this.places.set(r, { locator, signatureTree }),
    lookup: async (id) => {
      const located = await this.locate(id);
      if (!located) return undefined;
      const body = await this.kv.get(key(T.record, located.bytes));
      if (!body) return undefined;
      const d = decodeRecordBody(body, this.address(located.patientHex));
      return { locator: located, signatureTree: d.format === 'binary' ? d.signatureTree : null };
    },
    currentScope: (patient) => this.currentScopeSync(patient),
    treeRoot: async (treeNo) => (await this.trees.header(treeNo)).root,
    anchorCommitted: (treeNo, anchor) => this.trees.anchored(treeNo, anchor),
  };

  // ============================================================================== records

  private async locate(id: string): Promise<Locator | undefined> {
    const loc = await this.kv.get(key(T.recordId, hexKey(id, 32)));
    return loc ? parseLocator(loc) : undefined;
  }

  /** One record by id, with its anchor; undefined when there is none. */
  async entry(id: string, options: { proofs?: boolean } = {}): Promise<StoredEntry | undefined> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(id)) return undefined;
    const located = await this.locate(id);
    if (!located) return undefined;
    const body = await this.kv.get(key(T.record, located.bytes));
    if (!body) throw new WardError('INTEGRITY', 'The record store lost a record its index names; restore it from a backup.');
    return (await this.entriesOf([[located, body]], options.proofs ?? true))[0];
  }

  /** One patient's records filed between `from` and `to`, a page at a time. */
  async window(patient: string, options: WindowOptions = {}): Promise<Page<StoredEntry>> {
    const address = getAddress(patient);
    const rows = await this.kv.range(pageRange(key(T.record, hexKey(address, WIDTH.address)), options));
    const page = rows.slice(0, limitOf(options));
    const entries = await this.entriesOf(
      page.map(([k, v]) => [parseLocator(k.subarray(1)), v]),
      options.proofs ?? true,
      address,
    );
    return { items: entries, next: rows.length > page.length ? cursorOf(page[page.length - 1]![0]) : null };
  }

  /** One patient's vitals records ('complete': only complete NEWS2 sets), for charts and boards. */
  async vitalsWindow(patient: string, options: WindowOptions & { complete?: boolean } = {}): Promise<Page<StoredEntry>> {
    const address = getAddress(patient);
    const p = hexKey(address, WIDTH.address);
    const prefix = key(T.vitals, ['byte', options.complete ? VitalsIndex.complete : VitalsIndex.any], p);
    const rows = await this.kv.range(pageRange(prefix, options));
    const page = rows.slice(0, limitOf(options));
    const locators = page.map(([k]) => parseLocator(k.subarray(2)));
    const bodies = await this.kv.getMany(locators.map((l) => key(T.record, l.bytes)));
    const entries = await this.entriesOf(
      locators.map((l, i) => [l, bodies[i] ?? missing()]),
      options.proofs ?? true,
      address,
    );
    return { items: entries, next: rows.length > page.length ? cursorOf(page[page.length - 1]![0]) : null };
  }

  /** The patient's newest record: of any kind, with vitals, or a complete vitals set. */
  async latest(patient: string, which: 'any' | 'vitals' | 'complete' = 'any'): Promise<StoredEntry | undefined> {
    const page = which === 'any' ? await this.window(patient, { limit: 1 }) : await this.vitalsWindow(patient, { limit: 1, complete: which === 'complete' });
    return page.items[0];
  }

  /** How many records the patient has (filed between from and to); counts keys, O(records). */
  countOf(patient: string, options: { from?: number; to?: number } = {}): Promise<number> {
    const p = hexKey(getAddress(patient), WIDTH.address);
    return this.kv.count(pageRange(key(T.record, p), { ...options, limit: -1 }));
  }

  /** Ids of the records that amend this one, oldest first. */
  async amendmentsOf(id: string): Promise<string[]> {
    const located = /^0x[0-9a-fA-F]{64}$/.test(id) ? await this.locate(id) : undefined;
    if (!located) return [];
    const prefix = key(T.amendedBy, located.bytes.subarray(0, WIDTH.address), hexKey(id, 32));
    return (await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) })).map(([, v]) => hexOf(v));
  }

  /** Every amendment of the patient's records (one range): amended id → amending ids, oldest first. */
  async amendmentsOfPatient(patient: string): Promise<Map<string, string[]>> {
    const prefix = key(T.amendedBy, hexKey(getAddress(patient), WIDTH.address));
    const out = new Map<string, string[]>();
    for (const [k, v] of await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) })) {
      const amended = hexOf(k.subarray(1 + WIDTH.address, 1 + WIDTH.address + WIDTH.hash));
      const list = out.get(amended);
      if (list) list.push(hexOf(v));
      else out.set(amended, [hexOf(v)]);
    }
    return out;
  }

  /**
   * Entries of read rows, with their batch signatures and anchors. Every tree the rows need is
   * looked up once, before the (synchronous) assembly. Anchor memberships are read as one range
   * when the rows are one patient's window (`patient`: their checksummed address), else point by
   * point. A record is decoded only when first asked for (ReadEntry): of each body only its id and
   * signature tree are read here, so a reader holding the record decoded from the same bytes (the
   * opened-record cache) decodes nothing.
   */
  private async entriesOf(rows: Array<[Locator, Uint8Array]>, withProofs: boolean, patient?: string): Promise<StoredEntry[]> {
    const patientOf = (l: Locator) => patient ?? this.address(l.patientHex);
    const peeked = rows.map(([locator, body]) => peekRecordBody(body) ?? { json: decodeRecordBody(body, patientOf(locator)).record });
    const memberships = await this.anchorMemberships(rows.map(([l]) => l), patient !== undefined);
    const anchorPlaces = rows.map(([locator], i): TreePlace | null => {
      const m = memberships.get(locator.seq);
      if (m && m.at === locator.at) return { treeNo: getUint(m.m, 0, 4), leafIndex: getUint(m.m, 4, 4) };
      const p = peeked[i]!;
      return 'json' in p ? null : p.signatureTree;
    });
    const treeNos = new Set<number>();
    peeked.forEach((p, i) => {
      if (!('json' in p) && p.signatureTree) treeNos.add(p.signatureTree.treeNo);
      if (anchorPlaces[i]) treeNos.add(anchorPlaces[i]!.treeNo);
    });
    const needed = new Map<number, { header: TreeHeader; anchor: TreeAnchor | null; proofs: ProofReader | null }>();
    await this.trees.prepare(treeNos);
    for (const treeNo of treeNos) {
      needed.set(treeNo, { header: await this.trees.header(treeNo), anchor: await this.trees.anchor(treeNo), proofs: withProofs ? await this.trees.proofs(treeNo) : null });
    }
    return rows.map(([locator, body], i) => {
      const p = peeked[i]!;
      const signatureTree = 'json' in p ? null : p.signatureTree;
      const signed = signatureTree ? needed.get(signatureTree.treeNo)! : null;
      if (signed && !signed.header.signature) throw new WardError('INTEGRITY', 'A batch-signed record points at a tree without a signature; restore the store from a backup.');
      const signedProof = signatureTree ? (signed!.proofs ? signed!.proofs(signatureTree.leafIndex) : []) : null;
      const place = anchorPlaces[i] ?? null;
      const t = place ? needed.get(place.treeNo)! : null;
      // Anchored in its own signature tree: the same proof (one array, as the log store shared it).
      const proof = place === signatureTree && signedProof ? signedProof : t?.proofs ? t.proofs(place!.leafIndex) : [];
      const anchor = t?.anchor ? { root: t.header.root, batchId: t.anchor.batchId, block: t.anchor.block, tx: t.anchor.tx, proof } : undefined;
      const stored = 'json' in p ? undefined : { id: p.id, patient: patientOf(locator), body, signedBy: signed?.header ?? null };
      return new ReadEntry(this.decodeRead, locator, anchor, stored, 'json' in p ? p.json : null, body, signatureTree, signedProof, place);
    });
  }

  /** Decode a read entry's record and attach its batch signature (see entriesOf). */
  private readonly decodeRead = (e: ReadEntry): StoredRecord => {
    const record = e.json ?? decodeRecordBody(e.body, e.stored!.patient).record;
    const batch = e.signatureTree ? batchSignatureOf(e.stored?.signedBy, e.signedProof!) : undefined;
    if (batch) record.batchSignature = batch;
    this.places.set(record, { locator: e.locator, signatureTree: e.signatureTree, anchorTree: e.anchorTree });
    return record;
  };

  /**
   * Anchor-tree memberships of records (tree number and leaf index, `m`), by the records' sequence
   * numbers (unique in the store) with the time they are filed under (`at`, to be compared).
   */
  private async anchorMemberships(locators: Locator[], onePatient: boolean): Promise<Map<number, { at: number; m: Uint8Array }>> {
    const out = new Map<number, { at: number; m: Uint8Array }>();
    if (locators.length === 0) return out;
    if (onePatient && locators.length > 1) {
      // One patient's rows are in key order (either way round): the range between the first and last.
      let lo = locators[0]!.bytes;
      let hi = locators[locators.length - 1]!.bytes;
      if (Buffer.compare(lo, hi) > 0) [lo, hi] = [hi, lo];
      const wanted = new Set(locators.map((l) => l.seq));
      const rows = await this.kv.range({ gte: key(T.membership, ['byte', TreeRole.anchor], lo), lte: key(T.membership, ['byte', TreeRole.anchor], hi) });
      for (const [k, v] of rows) {
        const seq = getUint(k, k.length - WIDTH.seq, WIDTH.seq);
        if (wanted.has(seq)) out.set(seq, { at: getUint(k, k.length - WIDTH.seq - WIDTH.time, WIDTH.time), m: v });
      }
      return out;
    }
    const values = await this.kv.getMany(locators.map((l) => key(T.membership, ['byte', TreeRole.anchor], l.bytes)));
    values.forEach((v, i) => v && out.set(locators[i]!.seq, { at: locators[i]!.at, m: v }));
    return out;
  }

  private address(hex: string): string {
    let a = this.addresses.get(hex);
    if (!a) this.addresses.set(hex, (a = getAddress(hex)));
    return a;
  }

  // ============================================================================== trees and anchors

  /** The proofs of entries read with `proofs: false`, filled in place (when verification needs them). */
  async fillProofs(entries: StoredEntry[]): Promise<void> {
    for (const e of entries) {
      const place = this.places.get(e.record);
      const sig = place?.signatureTree;
      if (sig && e.record.batchSignature && e.record.batchSignature.proof.length === 0) e.record.batchSignature.proof = (await this.trees.proofs(sig.treeNo))(sig.leafIndex);
      if (e.anchor && e.anchor.proof.length === 0) {
        const anchorPlace = place ? await this.anchorPlaceOf(place) : sig;
        if (anchorPlace) e.anchor.proof = (await this.trees.proofs(anchorPlace.treeNo))(anchorPlace.leafIndex);
      }
    }
  }

  /**
   * Where entries sit in their batch trees: the tree whose root the batch signature signs and the
   * tree whose root is anchored (the same tree for a station batch anchored whole), by tree number
   * and leaf index; null where the record has none. For checking a tree once for all its records.
   */
  async treePlaces(entries: StoredEntry[]): Promise<Array<{ signature: TreePlace | null; anchor: TreePlace | null }>> {
    const out = [];
    for (const e of entries) {
      const place = this.places.get(e.record);
      const signature = e.record.batchSignature ? (place?.signatureTree ?? null) : null;
      out.push({ signature, anchor: e.anchor && place ? await this.anchorPlaceOf(place) : null });
    }
    return out;
  }

  /** Where a record read sits in its anchored tree: known from its read, else its membership entry (then remembered), else its signature tree. */
  private async anchorPlaceOf(place: ReadPlace): Promise<TreePlace | null> {
    if (place.anchorTree !== undefined) return place.anchorTree;
    const m = await this.kv.get(key(T.membership, ['byte', TreeRole.anchor], place.locator.bytes));
    place.anchorTree = m ? { treeNo: getUint(m, 0, 4), leafIndex: getUint(m, 4, 4) } : place.signatureTree;
    return place.anchorTree;
  }

  /** A tree's header and its nodes as stored (not cached here: the verifier keeps what it verified). */
  async treeNodes(treeNo: number): Promise<{ header: TreeHeader; nodes: Uint8Array }> {
    const header = await this.trees.header(treeNo);
    return { header, nodes: await this.trees.nodes(treeNo) };
  }

  /** Trees stored under a root (normally one). */
  async treesWithRoot(root: string): Promise<number[]> {
    const prefix = key(T.treeRoot, hexKey(root.toLowerCase(), 32));
    return (await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) })).map(([k]) => getUint(k, 33, WIDTH.tree));
  }

  /** A tree's header and anchor. */
  async tree(treeNo: number): Promise<{ header: TreeHeader; anchor: TreeAnchor | null }> {
    return { header: await this.trees.header(treeNo), anchor: await this.trees.anchor(treeNo) };
  }

  /** The tag remembered when this root was found on the ward chain (StoreWrite.rootOnChain), if it was. */
  rootOnChainTag(root: string): string | undefined {
    if (!/^0x[0-9a-fA-F]{64}$/.test(root)) return undefined;
    const v = this.kv.getSync(key(T.rootOnChain, hexKey(root.toLowerCase(), 32)));
    return v ? hexOf(v) : undefined;
  }

  /** Anchor batches written before their transaction (resumed after a crash), with their records. */
  async awaitingAnchor(): Promise<Array<{ treeNo: number; root: string; records: StoredRecord[] }>> {
    const rows = await this.kv.range({ gte: key(T.awaitingAnchor), lt: key(T.awaitingAnchor + 1) });
    const out = [];
    for (const [k] of rows) {
      const treeNo = getUint(k, 1, WIDTH.tree);
      out.push({ treeNo, root: (await this.trees.header(treeNo)).root, records: await this.membersOf(treeNo) });
    }
    return out;
  }

  /** Records of an anchor batch awaiting its anchor, in write order. */
  private async membersOf(treeNo: number): Promise<StoredRecord[]> {
    const prefix = key(T.batchMembers, ['tree', treeNo]);
    return this.recordsAt((await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) })).map(([, v]) => parseLocator(v)));
  }

  /**
   * The members an anchor batch was formed with (kept after it is anchored), each with whether its
   * record is still where the batch put it; for checking the store against the chain (no record is
   * decoded). With a patient: only that patient's members.
   */
  async batchMembers(treeNo: number, patient?: string, known?: ReadonlySet<string>): Promise<Array<{ locator: Locator; present: boolean }>> {
    const prefix = key(T.batchMembers, ['tree', treeNo]);
    let values = await this.kv.values({ gte: prefix, lt: prefixEnd(prefix) });
    if (patient !== undefined) {
      // A locator starts with its patient's address: one patient's members, by bytes.
      const p = hexKey(patient, WIDTH.address);
      values = values.filter((v) => p.compare(v, 0, WIDTH.address) === 0);
    }
    const locators = values.map(parseLocator);
    // Presence only: a batch's thousand record bodies are not read (a quarter of the time); records
    // the caller has just read (`known`, locators as latin1 strings: locatorKey) are not looked up again.
    const unknown = known ? locators.filter((l) => !known.has(locatorKey(l.bytes))) : locators;
    const found = await this.kv.hasMany(unknown.map((l) => key(T.record, l.bytes)));
    const absent = new Set(unknown.filter((_, i) => !found[i]));
    return locators.map((locator) => ({ locator, present: !absent.has(locator) }));
  }

  /**
   * How many of one patient's members of these anchor trees are missing from the store (only their
   * presence is read; `known`: locators of the patient's records the caller read already). Trees
   * indexed by patient (T.patientMembers) are one key range for all of them; older trees (a store
   * written before the index) are read from their whole member lists, a few at a time (a first
   * open's 223 batches at 1,000,000 records meant 223,000 members read for 5,000 of the patient's).
   */
  async patientMissingInTrees(patient: string, treeNos: readonly number[], known: ReadonlySet<string>): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    const indexed = treeNos.filter((t) => t >= this.patientMembersFrom);
    if (indexed.length) {
      const address = hexKey(getAddress(patient), WIDTH.address);
      const wanted = new Set(indexed);
      const lo = Math.min(...indexed);
      const hi = Math.max(...indexed);
      const members: Locator[] = [];
      const treeOf: number[] = [];
      const timeAt = 1 + WIDTH.address + WIDTH.tree;
      for (const k of await this.kv.keys({ gte: key(T.patientMembers, address, ['tree', lo]), lt: key(T.patientMembers, address, ['tree', hi + 1]) })) {
        const treeNo = getUint(k, 1 + WIDTH.address, WIDTH.tree);
        if (!wanted.has(treeNo)) continue;
        // The locator is the key's patient, then its time and sequence (locatorKey's form, no locator made).
        const b = Buffer.from(k.buffer, k.byteOffset, k.byteLength);
        if (known.has(b.toString('latin1', 1, 1 + WIDTH.address) + b.toString('latin1', timeAt))) continue;
        members.push(locatorOf(patient, getUint(k, timeAt, WIDTH.time), getUint(k, timeAt + WIDTH.time, WIDTH.seq)));
        treeOf.push(treeNo);
      }
      for (const t of indexed) out.set(t, 0);
      const found = await this.kv.hasMany(members.map((l) => key(T.record, l.bytes)));
      found.forEach((present, i) => present || out.set(treeOf[i]!, out.get(treeOf[i]!)! + 1));
    }
    const older = treeNos.filter((t) => t < this.patientMembersFrom);
    let next = 0;
    const worker = async () => {
      while (next < older.length) {
        const treeNo = older[next++]!;
        out.set(treeNo, (await this.batchMembers(treeNo, patient, known)).filter((m) => !m.present).length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(TREES_READ_AT_ONCE, older.length) }, worker));
    return out;
  }

  /** Anchor trees from this number on have their members indexed by patient (0: all). */
  get membersIndexedFrom(): number {
    return this.patientMembersFrom;
  }

  /**
   * One step of indexing the members of trees anchored before the index existed (a store written by
   * an earlier version; MemberIndexBackfill runs the steps after a start): the trees just below
   * patientMembersFrom, newest first (a first open checks a patient's newest batches), indexed and
   * the marker lowered past them in one atomic write, so the marker always tells what is indexed.
   * About `members` member entries a step, whole trees only. False once every tree is indexed.
   */
  async indexOlderMembers(members = 5000): Promise<boolean> {
    const below = this.patientMembersFrom;
    if (below <= 1) return false; // trees are numbered from 1
    const rows = await this.kv.range({ gte: key(T.batchMembers, ['tree', 0]), lt: key(T.batchMembers, ['tree', below]), reverse: true, limit: members });
    const treeOf = (k: Uint8Array) => getUint(k, 1, WIDTH.tree);
    // The lowest tree read may be cut by the limit: it waits for the next step, unless it is the only one.
    const reachedStart = rows.length < members;
    const lowest = rows.length ? treeOf(rows[rows.length - 1]![0]) : 0;
    const whole = reachedStart || lowest === treeOf(rows[0]![0]) ? rows : rows.filter(([k]) => treeOf(k) !== lowest);
    if (!reachedStart && whole === rows && rows.length === members) {
      // One tree larger than a step: read it whole.
      whole.push(...(await this.kv.range({ gte: key(T.batchMembers, ['tree', lowest]), lt: rows[rows.length - 1]![0] })));
    }
    const from = reachedStart ? 0 : whole === rows ? lowest : lowest + 1;
    const ops: KvOp[] = whole.map(([k, locator]) => ({
      type: 'put',
      key: key(T.patientMembers, locator.subarray(0, WIDTH.address), ['tree', treeOf(k)], locator.subarray(WIDTH.address)),
      value: new Uint8Array(0),
    }));
    ops.push({ type: 'put', key: META_PATIENT_MEMBERS, value: u64(from) });
    await this.kv.commit(ops);
    this.patientMembersFrom = Math.min(this.patientMembersFrom, from);
    return from > 1;
  }

  /**
   * A store opened for the first time by a version that indexes anchor-batch members by patient:
   * the trees anchored from now on are indexed, the older ones stay in their member lists only.
   */
  private async indexPatientMembersFromNow(): Promise<void> {
    const from = await this.kv.get(META_PATIENT_MEMBERS);
    if (from) this.patientMembersFrom = getUint(from, 0, 8);
    else {
      this.patientMembersFrom = this.treeNo + 1;
      await this.kv.commit([{ type: 'put', key: META_PATIENT_MEMBERS, value: u64(this.patientMembersFrom) }]);
    }
  }

  /** Every grant in force in the ward, as [patient, grantee] (the table is small: one entry per consent). */
  async grantPairs(): Promise<Array<[string, string]>> {
    const rows = await this.kv.range({ gte: key(T.grant), lt: key(T.grant + 1) });
    return rows.map(([k]) => [this.address(hexOf(k.subarray(1, 21))), this.address(hexOf(k.subarray(21, 41)))]);
  }

  /** Records stored but in no anchor batch (a crash came before batching), in write order. */
  async unbatched(limit = 100_000): Promise<StoredRecord[]> {
    return this.queue(T.unbatched, limit);
  }

  /** Records not yet published to the consortium, in write order, a page at a time. */
  async outbox(options: { after?: number; limit?: number } = {}): Promise<Array<{ seq: number; record: StoredRecord }>> {
    const rows = await this.kv.range({ gt: key(T.outbox, ['seq', options.after ?? 0]), lt: key(T.outbox + 1), limit: options.limit ?? 1000 });
    const records = await this.recordsAt(rows.map(([, v]) => parseLocator(v)));
    return records.map((record, i) => ({ seq: getUint(rows[i]![0], 1, WIDTH.seq), record }));
  }

  /** Where a record is on the consortium chain (published here or received), if it is. */
  async consortiumPlace(recordId: string): Promise<ConsortiumPlace | undefined> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(recordId)) return undefined;
    const v = await this.kv.get(key(T.consortiumPlace, hexKey(recordId, 32)));
    return v ? parseJson<ConsortiumPlace>(v) : undefined;
  }

  /** Whether the store holds each of `recordIds` (one read for all), in the order asked. */
  async holds(recordIds: string[]): Promise<boolean[]> {
    const valid = recordIds.map((id) => /^0x[0-9a-fA-F]{64}$/.test(id));
    const values = await this.kv.getMany(recordIds.filter((_, i) => valid[i]).map((id) => key(T.recordId, hexKey(id, 32))));
    let next = 0;
    return valid.map((ok) => ok && values[next++] !== undefined);
  }

  /** Places of several records (undefined where a record has none), in the order asked. */
  async consortiumPlaces(recordIds: string[]): Promise<Array<ConsortiumPlace | undefined>> {
    // A ward that never published nor received a record (no consortium) has no place to look up.
    if ((await this.kv.range({ gte: key(T.consortiumPlace), lt: key(T.consortiumPlace + 1), limit: 1 })).length === 0) return recordIds.map(() => undefined);
    const values = await this.kv.getMany(recordIds.map((id) => key(T.consortiumPlace, hexKey(id, 32))));
    return values.map((v) => (v ? parseJson<ConsortiumPlace>(v) : undefined));
  }

  /** How many records wait in the outbox (counts keys: O(waiting)). */
  outboxCount(): Promise<number> {
    return this.kv.count({ gte: key(T.outbox), lt: key(T.outbox + 1) });
  }

  /** Whether records are enqueued for the consortium ('closed' until a consortium is configured). */
  outboxStatus(): OutboxState['state'] {
    return this.outboxState.state;
  }

  /**
   * Open the consortium outbox (a consortium is configured) and resolve once it holds every record
   * not on the consortium, in write order; the publisher reads it only then. From the commit that
   * opens it, every new record is enqueued as it is written (decided just before each commit, and
   * commits are applied in order, so none falls between); the records written before are enqueued
   * from the id index, `OUTBOX_FILL_CHUNK` a commit, with the last id done kept in the same commit:
   * after a crash the fill resumes there (calling this again). The outbox is keyed by write order,
   * so the order the fill visits records in does not matter. Records already on the consortium
   * (received from another ward) are left out.
   */
  openOutbox(): Promise<void> {
    if (this.outboxState.state === 'open') return Promise.resolve();
    this.outboxFilling ??= this.fillOutbox().finally(() => (this.outboxFilling = null));
    return this.outboxFilling;
  }

  private async fillOutbox(): Promise<void> {
    if (this.outboxState.state === 'closed') {
      this.outboxState = { state: 'filling', after: null };
      await this.kv.commit([{ type: 'put', key: META_OUTBOX, value: json(this.outboxState) }]);
    }
    let after = this.outboxState.state === 'filling' ? this.outboxState.after : null;
    let enqueued = 0;
    for (;;) {
      const rows = await this.kv.range({ gt: after ? key(T.recordId, hexKey(after, 32)) : key(T.recordId), lt: key(T.recordId + 1), limit: OUTBOX_FILL_CHUNK });
      if (rows.length === 0) break;
      const places = await this.kv.getMany(rows.map(([k]) => key(T.consortiumPlace, k.subarray(1))));
      const ops: KvOp[] = [];
      rows.forEach(([, locator], i) => {
        if (!places[i]) ops.push({ type: 'put', key: key(T.outbox, ['seq', parseLocator(locator).seq]), value: locator });
      });
      after = '0x' + Buffer.from(rows[rows.length - 1]![0].subarray(1)).toString('hex');
      this.outboxState = { state: 'filling', after };
      ops.push({ type: 'put', key: META_OUTBOX, value: json(this.outboxState) });
      await this.kv.commit(ops);
      enqueued += ops.length - 1;
    }
    this.outboxState = { state: 'open' };
    await this.kv.commit([{ type: 'put', key: META_OUTBOX, value: json(this.outboxState) }]);
    if (enqueued) log('info', 'store.outbox.filled', { records: enqueued });
  }

  /** The patient's shares in batches this ward published (by ward, then batch id, then share). */
  async consortiumShares(patient: string): Promise<ConsortiumShareEntry[]> {
    const prefix = key(T.consortiumShare, hexKey(getAddress(patient), WIDTH.address));
    return (await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) })).map(([, v]) => parseJson<ConsortiumShareEntry>(v));
  }

  private async queue(table: number, limit: number): Promise<StoredRecord[]> {
    const rows = await this.kv.range({ gte: key(table), lt: key(table + 1), limit });
    return this.recordsAt(rows.map(([, v]) => parseLocator(v)));
  }

  private async recordsAt(locators: Locator[]): Promise<StoredRecord[]> {
    const bodies = await this.kv.getMany(locators.map((l) => key(T.record, l.bytes)));
    return (await this.entriesOf(locators.map((l, i) => [l, bodies[i] ?? missing()]), true)).map((e) => e.record);
  }

  // ============================================================================== key scopes

  async scope(scopeId: string): Promise<KeyScope | undefined> {
    const v = await this.kv.get(key(T.scope, utf8(scopeId)));
    return v ? parseJson<KeyScope>(v) : undefined;
  }

  currentScope(patient: string): string | undefined {
    return this.currentScopeSync(patient);
  }

  private currentScopeSync(patient: string): string | undefined {
    const v = this.kv.getSync(key(T.currentScope, hexKey(patient, 20)));
    return v ? Buffer.from(v).toString('utf8') : undefined;
  }

  /** Every scope of the patient, in creation order. */
  async scopesOf(patient: string): Promise<string[]> {
    const prefix = key(T.patientScopes, hexKey(patient, 20));
    return (await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) })).map(([, v]) => Buffer.from(v).toString('utf8'));
  }

  // ============================================================================== consent and access log

  /** Grants in force for the patient, by grantee. */
  async grants(patient: string): Promise<Map<string, ConsentEntry>> {
    const prefix = key(T.grant, hexKey(patient, 20));
    const rows = await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) });
    return new Map(rows.map(([, v]) => parseJson<ConsentEntry>(v)).map((c) => [c.grantee, c]));
  }

  /** Whether `grantee` may read the patient's records by consent (a point read). */
  hasGrant(patient: string, grantee: string): boolean {
    return this.kv.getSync(key(T.grant, hexKey(patient, 20), hexKey(grantee, 20))) !== undefined;
  }

  /** Patients who have granted `grantee` access. */
  async grantors(grantee: string): Promise<string[]> {
    const prefix = key(T.grantedTo, hexKey(grantee, 20));
    return (await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) })).map(([k]) => this.address(hexOf(k.subarray(21))));
  }

  /** The patient's consent changes, oldest first. */
  async consentHistory(patient: string): Promise<ConsentEntry[]> {
    const prefix = key(T.consentHistory, hexKey(patient, 20));
    return (await this.kv.range({ gte: prefix, lt: prefixEnd(prefix) })).map(([, v]) => parseJson<ConsentEntry>(v));
  }

  /** The access log (audits and consent changes), newest first, of one patient or the whole ward. */
  async activity(options: { patient?: string | null; limit?: number; cursor?: string | null } = {}): Promise<Page<ActivityEntry>> {
    const limit = options.limit ?? 100;
    if (options.patient) {
      const prefix = key(T.patientActivity, hexKey(options.patient, 20));
      const rows = await this.kv.range(cursorRange(prefix, options.cursor, limit + 1));
      const page = rows.slice(0, limit);
      const values = await this.kv.getMany(page.map(([k]) => key(T.activity, k.subarray(21))));
      return { items: values.map((v) => parseJson<ActivityEntry>(v ?? missing())), next: rows.length > limit ? cursorOf(page[limit - 1]![0]) : null };
    }
    const rows = await this.kv.range(cursorRange(key(T.activity), options.cursor, limit + 1));
    const page = rows.slice(0, limit);
    return { items: page.map(([, v]) => parseJson<ActivityEntry>(v)), next: rows.length > limit ? cursorOf(page[limit - 1]![0]) : null };
  }

  // ============================================================================== devices, memos

  /** Whether a device reading (by its dedupe key) was recorded before. */
  seenDevice(dedupeKey: string): boolean {
    return this.kv.getSync(key(T.deviceKey, dedupeKeyBytes(dedupeKey))) !== undefined;
  }

  /** The stored verification memo of a record (under its locator, else by its id: see `memos`). */
  memo(recordId: string): string | undefined {
    const locator = this.kv.getSync(key(T.recordId, hexKey(recordId, 32)));
    const v = (locator && this.kv.getSync(key(T.recordMemo, locator))) || this.kv.getSync(key(T.verifyMemo, hexKey(recordId, 32)));
    return v ? hexOf(v) : undefined;
  }

  /**
   * The verification memos of entries, in their order: per patient one range read over the
   * entries' bounds (a page's memos are keyed like its records: T.recordMemo), then, only for
   * records with none there, point reads of the memos stores written before kept by record id
   * (`byId`: the indexes of those found so; the reader moves them, StoreWrite.memos).
   */
  async memos(entries: ReadonlyArray<Pick<StoredEntry, 'record' | 'at' | 'seq'>>): Promise<{ tags: Array<string | undefined>; byId: number[] }> {
    const tags: Array<string | undefined> = new Array(entries.length).fill(undefined);
    const byPatient = new Map<string, number[]>();
    entries.forEach((e, i) => {
      const of = byPatient.get(e.record.patient);
      if (of) of.push(i);
      else byPatient.set(e.record.patient, [i]);
    });
    const before = (a: { at: number; seq: number }, b: { at: number; seq: number }) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
    const missing: number[] = [];
    for (const [patient, of] of byPatient) {
      let lo = entries[of[0]!]!;
      let hi = lo;
      for (const i of of) {
        const e = entries[i]!;
        if (before(e, lo)) lo = e;
        if (before(hi, e)) hi = e;
      }
      const p = hexKey(patient, WIDTH.address);
      // A page holds every record between its bounds; a list of a few records years apart would
      // not: the range stops after some more rows than wanted and the rest are point reads.
      const limit = 2 * of.length + 64;
      const rows = await this.kv.range({ gte: key(T.recordMemo, p, ['time', lo.at], ['seq', lo.seq]), lte: key(T.recordMemo, p, ['time', hi.at], ['seq', hi.seq]), limit });
      const found = new Map<number, { at: number; tag: Uint8Array }>();
      for (const [k, v] of rows) found.set(getUint(k, k.length - WIDTH.seq, WIDTH.seq), { at: getUint(k, k.length - WIDTH.seq - WIDTH.time, WIDTH.time), tag: v });
      const unread: number[] = [];
      for (const i of of) {
        const e = entries[i]!;
        const f = found.get(e.seq);
        if (f && f.at === e.at) tags[i] = hexOf(f.tag);
        else if (rows.length === limit) unread.push(i);
        else missing.push(i);
      }
      if (unread.length) {
        const values = await this.kv.getMany(unread.map((i) => key(T.recordMemo, p, ['time', entries[i]!.at], ['seq', entries[i]!.seq])));
        values.forEach((v, n) => (v ? (tags[unread[n]!] = hexOf(v)) : missing.push(unread[n]!)));
      }
    }
    const byId: number[] = [];
    if (missing.length === 0) return { tags, byId };
    const old = await this.kv.getMany(missing.map((i) => key(T.verifyMemo, hexKey(entries[i]!.record.id, 32))));
    old.forEach((v, n) => {
      if (!v) return;
      tags[missing[n]!] = hexOf(v);
      byId.push(missing[n]!);
    });
    return { tags, byId };
  }

  /**
   * Opened blocks (records/openedBlocks.ts) by patient, hour (ms at its start) and memo family, in
   * the order asked; undefined where none is stored. Their bytes are sealed: the store only keeps them.
   */
  openedBlocks(blocks: ReadonlyArray<OpenedBlockKey>): Promise<Array<Uint8Array | undefined>> {
    return this.kv.getMany(blocks.map(openedBlockKey));
  }

  /** Station bed bindings, by device identity. */
  async bindings(): Promise<Map<string, Binding>> {
    const rows = await this.kv.range({ gte: key(T.binding), lt: key(T.binding + 1) });
    return new Map(rows.map(([k, v]) => [Buffer.from(k.subarray(1)).toString('utf8'), parseJson<Binding>(v)]));
  }

  // ============================================================================== whole store

  /** A named piece of the store's own state written by StoreWrite.state. */
  async state<V>(name: string): Promise<V | undefined> {
    const v = await this.kv.get(key(T.meta, utf8(name)));
    return v ? parseJson<V>(v) : undefined;
  }

  /** Entries per table (counts keys: O(entries); for migration checks and the IT status page; memos: under locators and by id). */
  async counts(): Promise<{ records: number; trees: number; awaitingAnchor: number; unbatched: number; outbox: number; scopes: number; grants: number; activity: number; deviceKeys: number; memos: number; bindings: number }> {
    const c = (t: number) => this.kv.count({ gte: key(t), lt: key(t + 1) });
    // A tree is its header (last key byte 0) and, unless it is one leaf, its nodes (1).
    const trees = this.kv.count({ gte: key(T.tree), lt: key(T.tree + 1) }, (k) => k[k.length - 1] === 0);
    const [records, treeCount, awaitingAnchor, unbatched, outbox, scopes, grants, activity, deviceKeys, memos, memosById, bindings] = await Promise.all(
      [c(T.recordId), trees, ...[T.awaitingAnchor, T.unbatched, T.outbox, T.scope, T.grant, T.activity, T.deviceKey, T.recordMemo, T.verifyMemo, T.binding].map(c)],
    );
    return { records: records!, trees: treeCount!, awaitingAnchor: awaitingAnchor!, unbatched: unbatched!, outbox: outbox!, scopes: scopes!, grants: grants!, activity: activity!, deviceKeys: deviceKeys!, memos: memos! + memosById!, bindings: bindings! };
  }

  /** Every record with its anchor (without proofs), patient by patient, in chunks: whole-store checks. */
  async *allEntries(): AsyncGenerator<StoredEntry[]> {
    for await (const chunk of this.kv.chunks({ gte: key(T.record), lt: key(T.record + 1) }, 2000)) {
      yield await this.entriesOf(
        chunk.map(([k, v]) => [parseLocator(k.subarray(1)), v]),
        false,
      );
    }
  }

  /**
   * Every entry, in key order, from one snapshot taken now (a backup while writes continue: what
   * is written after this call is not in it).
   */
  snapshot(): AsyncGenerator<Array<[Uint8Array, Uint8Array]>> {
    return this.kv.snapshot({});
  }

  /** Load entries into an empty store (a restore). */
  async load(chunks: AsyncIterable<Array<[Uint8Array, Uint8Array]>>): Promise<number> {
    let n = 0;
    let outboxLoaded = false;
    let indexLoaded = false;
    for await (const chunk of chunks) {
      // Every commit also writes this store's counters (beforeFlush): take the loaded ones first,
      // or the restored store would number new records and trees from zero over the loaded ones.
      for (const [k, value] of chunk) {
        if (Buffer.compare(k, META_SEQ) === 0) this.seq = getUint(value, 0, 8);
        else if (Buffer.compare(k, META_TREE) === 0) this.treeNo = getUint(value, 0, 8);
        else if (Buffer.compare(k, META_OUTBOX) === 0) outboxLoaded = true;
        else if (Buffer.compare(k, META_PATIENT_MEMBERS) === 0) indexLoaded = true;
      }
      await this.kv.commit(chunk.map(([k, value]): KvOp => ({ type: 'put', key: k, value })));
      n += chunk.length;
    }
    const seq = await this.kv.get(META_SEQ);
    const tree = await this.kv.get(META_TREE);
    this.seq = seq ? getUint(seq, 0, 8) : 0;
    this.treeNo = tree ? getUint(tree, 0, 8) : 0;
    // A backup of a store from before the outbox opened on demand: every record was enqueued, open.
    if (!outboxLoaded) await this.kv.commit([{ type: 'put', key: META_OUTBOX, value: json({ state: 'open' }) }]);
    const outbox = await this.kv.get(META_OUTBOX);
    this.outboxState = outbox ? parseJson<OutboxState>(outbox) : { state: 'open' };
    // A backup of a store from before the patient member index: its trees are not indexed.
    if (!indexLoaded) await this.kv.commit([{ type: 'del', key: META_PATIENT_MEMBERS }]);
    await this.indexPatientMembersFromNow();
    return n;
  }

  /**
   * Compact the database now: what LevelDB does in the background over time, at once (frees
   * the space of deleted queue entries; for maintenance and for measuring a settled store).
   */
  compact(): Promise<void> {
    return this.kv.compact();
  }
}

// ------------------------------------------------------------------------------------------

function missing(): never {
  throw new WardError('INTEGRITY', 'The record store lost a record its index names; restore it from a backup.');
}

function hexOf(b: Uint8Array): string {
  return '0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function limitOf(o: WindowOptions): number {
  return Math.max(1, Math.min(o.limit ?? 1000, 100_000));
}

/** Cursor: the hex of the last key's time-and-sequence suffix. */
function cursorOf(k: Uint8Array): string {
  return Buffer.from(k.subarray(k.length - WIDTH.time - WIDTH.seq)).toString('hex');
}

/** The cursor just past an entry (a window read from it continues after the entry, in its order). */
export function cursorAt(e: { at: number; seq: number }): string {
  return key(0, ['time', e.at], ['seq', e.seq]).subarray(1).toString('hex');
}

/** The time a cursor points at. @throws WardError('BAD_INPUT') for a cursor the store did not make */
export function timeOfCursor(cursor: string): number {
  return getUint(parseCursor(cursor), 0, WIDTH.time);
}

function parseCursor(cursor: string): Buffer {
  const b = Buffer.from(cursor, 'hex');
  if (b.length !== WIDTH.time + WIDTH.seq || b.toString('hex') !== cursor) throw new WardError('BAD_INPUT', 'That page cursor is not valid.');
  return b;
}

/** Key range of a window of a (prefix, time, seq) index, one more than the page to know if there is a next. */
function pageRange(prefix: Buffer, o: WindowOptions): RangeOptions {
  const from = Buffer.concat([prefix, key(0, ['time', Math.max(0, o.from ?? 0)]).subarray(1)]);
  const to = o.to === undefined ? prefixEnd(prefix) : Buffer.concat([prefix, key(0, ['time', o.to + 1]).subarray(1)]);
  const desc = (o.order ?? 'desc') === 'desc';
  const range: RangeOptions = { gte: from, lt: to, reverse: desc, limit: o.limit === -1 ? -1 : limitOf(o) + 1 };
  if (o.cursor) {
    const at = Buffer.concat([prefix, parseCursor(o.cursor)]);
    if (desc) range.lt = Buffer.compare(at, to) < 0 ? at : to;
    else {
      delete range.gte;
      range.gt = Buffer.compare(at, from) > 0 ? at : from;
    }
  }
  return range;
}

/** Newest first after a cursor, for the access log. */
function cursorRange(prefix: Buffer, cursor: string | null | undefined, limit: number): RangeOptions {
  return { gte: prefix, lt: cursor ? Buffer.concat([prefix, parseCursor(cursor)]) : prefixEnd(prefix), reverse: true, limit };
}
