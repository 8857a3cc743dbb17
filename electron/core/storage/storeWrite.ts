/**
 * One atomic write to the ward store: what RecordStore's log entries said, as typed operations
 * (records, trees and anchors, key scopes, consents, audits, device keys, memos, bindings). Filled
 * by the caller, then made durable in one LevelDB commit by WardStore.write — all of it or none.
 *
 * Encoding happens here, as each operation is added (in the caller's slice of the event loop), so
 * a commit only hands prepared bytes to LevelDB.
 */
import type { KeyScope } from '../crypto/keyScope';
import type { StoredRecord } from './storedRecord';
import { WardError } from '../model/errors';
import type { KvOp } from './levelKv';
import { dedupeKeyBytes, hexKey, key, openedBlockKey, T, VitalsIndex, WIDTH, type OpenedBlockKey } from './keys';
import { encodeTree, type TreeInput } from './merkleTrees';
import { encodeRecordBody, type TreePlace } from './recordBinary';
import type { ActivityEntry, AuditRecord, Binding, ConsentEntry, ConsortiumPlace, ConsortiumShareEntry, RecordMeta, TreeAnchor } from './storeTypes';
import { type Locator, locatorOf } from './locator';

/** What the store hands out to a write: sequence and tree numbers, and what it knows of records. */
export interface WriteContext {
  nextSeq(): number;
  nextTreeNo(): number;
  /** Locator and signature tree of a record this process wrote or read (undefined: look it up). */
  known(record: StoredRecord): { locator: Locator; signatureTree: TreePlace | null } | undefined;
  remember(record: StoredRecord, locator: Locator, signatureTree: TreePlace | null): void;
  lookup(recordId: string): Promise<{ locator: Locator; signatureTree: TreePlace | null } | undefined>;
  /** The patient's current scope, as committed. */
  currentScope(patient: string): string | undefined;
  /** The root of a stored tree (lowercase hex). */
  treeRoot(treeNo: number): Promise<string>;
  /** A tree's anchor became durable (the store's anchor cache learns it). */
  anchorCommitted(treeNo: number, anchor: TreeAnchor): void;
}

const EMPTY = new Uint8Array(0);
const utf8 = (s: string) => Buffer.from(s, 'utf8');
const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

/**
 * Role of a tree a record belongs to besides its signature tree (consortium places are kept per
 * record in their own table: StoreWrite.consortiumPlaces).
 */
export const TreeRole = { anchor: 1 } as const;

/** The small, rewritten entries of a tree's state. */
export const TreeStateField = { anchor: 0 } as const;

export class StoreWrite {
  readonly ops: KvOp[] = [];
  /** Done once the commit is durable (caches that must only ever show durable state). */
  readonly afterCommit: Array<() => void> = [];
  /** Records of this write (known to later operations of the same write, forgotten if it fails). */
  readonly written: StoredRecord[] = [];
  private readonly batching = new Set<number>();
  /** Roots of the trees stored by this write (lowercase), by tree number. */
  private readonly roots = new Map<number, string>();
  /** Records of this write that wait for the consortium once the outbox is open: seq, locator. */
  private readonly publishable: Array<[number, Uint8Array]> = [];

  constructor(private readonly ctx: WriteContext) {}

  /**
   * Put this write's publishable records in the consortium outbox. The store calls it just before
   * the commit, when its outbox is open (a consortium is configured), so whether a record is
   * enqueued is decided in commit order (WardStore.openOutbox).
   */
  enqueuePublishable(): void {
    for (const [seq, locator] of this.publishable) this.put(key(T.outbox, ['seq', seq]), locator);
  }

  private put(k: Uint8Array, value: Uint8Array = EMPTY): void {
    this.ops.push({ type: 'put', key: k, value });
  }

  private del(k: Uint8Array): void {
    this.ops.push({ type: 'del', key: k });
  }

  // ------------------------------------------------------------------------------ records

  /** A new record: its body, id, vitals and amendment indexes, and the anchoring and publishing queues. */
  record(r: StoredRecord, meta: RecordMeta = {}): Locator {
    const seq = this.ctx.nextSeq();
    const at = meta.at ?? r.createdAt;
    const locator = locatorOf(r.patient, at, seq);
    const tree = meta.signatureTree ?? null;
    if (tree && !r.batchSignature) throw new WardError('INTERNAL', 'Only a batch-signed record has a place in a signature tree.');
    const { body, compact } = encodeRecordBody(r, tree);
    this.put(key(T.record, locator.bytes), body);
    this.put(key(T.recordId, hexKey(r.id, 32)), locator.bytes);
    this.put(key(T.unbatched, ['seq', seq]), locator.bytes);
    if (meta.publish !== false) this.publishable.push([seq, locator.bytes]);
    if (meta.vitals) {
      this.put(key(T.vitals, ['byte', VitalsIndex.any], locator.bytes));
      if (meta.vitals === 'complete') this.put(key(T.vitals, ['byte', VitalsIndex.complete], locator.bytes));
    }
    if (!/^0x0{64}$/.test(r.amends)) this.put(key(T.amendedBy, hexKey(r.patient, 20), hexKey(r.amends, 32), ['seq', seq]), hexKey(r.id, 32));
    this.ctx.remember(r, locator, compact ? tree : null);
    this.written.push(r);
    return locator;
  }

  /**
   * File an existing record in the vitals index (e.g. after the migration, when a care-team reader
   * has decrypted it and knows whether it is a complete set).
   */
  async indexVitals(record: StoredRecord, vitals: 'complete' | 'partial'): Promise<void> {
    const known = this.ctx.known(record) ?? (await this.ctx.lookup(record.id));
    if (!known) throw new WardError('NOT_FOUND', 'There is no record with that id.');
    this.put(key(T.vitals, ['byte', VitalsIndex.any], known.locator.bytes));
    if (vitals === 'complete') this.put(key(T.vitals, ['byte', VitalsIndex.complete], known.locator.bytes));
  }

  /** Device readings already recorded (dedupe keys). */
  deviceKeys(keys: string[]): void {
    for (const k of keys) this.put(key(T.deviceKey, dedupeKeyBytes(k)));
  }

  /**
   * Verification memos: [record, tag], each under the locator the record was read from or written
   * at (T.recordMemo: read with the record's page). A record this write cannot place gets none (a
   * memo only saves time). `movedFromId`: records whose memo was kept by id (T.verifyMemo, stores
   * written before): that key goes in the same write.
   */
  async memos(tags: Array<[StoredRecord, string]>, movedFromId: string[] = []): Promise<void> {
    for (const [record, tag] of tags) {
      const known = this.ctx.known(record) ?? (await this.ctx.lookup(record.id));
      if (known) this.put(key(T.recordMemo, known.locator.bytes), hexKey(tag, 32));
    }
    for (const id of movedFromId) this.del(key(T.verifyMemo, hexKey(id, 32)));
  }

  /** An opened block (records/openedBlocks.ts), sealed by the reader: replaces the one kept for its hour and family. */
  openedBlock(at: OpenedBlockKey, sealed: Uint8Array): void {
    this.put(openedBlockKey(at), sealed);
  }

  /**
   * Memos by record id, as stores written before kept them: the old log's (its records may not be
   * written yet when its memo line is read); WardStore.memos moves each at its first read.
   */
  memosById(tags: Array<[string, string]>): void {
    for (const [id, tag] of tags) this.put(key(T.verifyMemo, hexKey(id, 32)), hexKey(tag, 32));
  }

  // ------------------------------------------------------------------------------ trees and anchors

  /** Store a Merkle tree (a batch signature's, an anchor batch's, or both); returns its number. */
  tree(input: TreeInput): number {
    const treeNo = this.ctx.nextTreeNo();
    const { header, nodes } = encodeTree(input);
    this.put(key(T.tree, ['tree', treeNo], Uint8Array.of(0)), header);
    if (nodes) this.put(key(T.tree, ['tree', treeNo], Uint8Array.of(1)), nodes);
    this.roots.set(treeNo, input.root.toLowerCase());
    return treeNo;
  }

  /**
   * Records go into an anchor batch (made durable before its transaction is sent): they leave the
   * unbatched queue, are listed under the batch (kept after it is anchored: the batch's members,
   * checked against the chain's leaf count by records/chainCheck.ts), and those whose signature
   * tree is not this tree point at it.
   */
  async anchorBatch(treeNo: number, members: Array<{ record: StoredRecord; leafIndex: number }>): Promise<void> {
    this.batching.add(treeNo);
    this.put(key(T.awaitingAnchor, ['tree', treeNo]));
    // The root index (treesWithRoot: roots found on the chain → their trees) lists anchor batches
    // only: a signature tree gathered into another tree (a reading recorded alone, one a minute per
    // bed) never has its own root on the chain. Stores written before list every tree; both read alike.
    const root = this.roots.get(treeNo) ?? (await this.ctx.treeRoot(treeNo));
    this.put(key(T.treeRoot, hexKey(root, 32), ['tree', treeNo]));
    await this.members(treeNo, members);
  }

  /** The anchor transaction of a batch is recorded: its records are anchored. */
  async anchored(treeNo: number, anchor: TreeAnchor): Promise<void> {
    // The batch must be durable before its transaction is sent, so never in the same write.
    if (this.batching.has(treeNo)) throw new WardError('INTERNAL', 'A batch is anchored in a later write than the one that forms it.');
    this.del(key(T.awaitingAnchor, ['tree', treeNo]));
    this.put(key(T.treeState, ['tree', treeNo], Uint8Array.of(TreeStateField.anchor)), json(anchor));
    this.afterCommit.push(() => this.ctx.anchorCommitted(treeNo, anchor));
  }

  /**
   * A root is on the ward chain: remembered with a tag (a keyed memo the verifier makes and checks),
   * so each root is looked up on the chain once, ever.
   */
  rootOnChain(root: string, tag: string): void {
    this.put(key(T.rootOnChain, hexKey(root.toLowerCase(), 32)), hexKey(tag, 32));
  }

  /**
   * Records are on the consortium chain (published by this ward, or received from another): each
   * keeps its place and proof, and leaves the outbox if it was waiting there.
   */
  async consortiumPlaces(entries: Array<{ record: StoredRecord; place: ConsortiumPlace }>): Promise<void> {
    for (const { record, place } of entries) {
      const known = this.ctx.known(record) ?? (await this.ctx.lookup(record.id));
      if (!known) throw new WardError('NOT_FOUND', 'A record of the consortium batch is not in the record store.');
      this.del(key(T.outbox, ['seq', known.locator.seq]));
      this.put(key(T.consortiumPlace, hexKey(record.id, 32)), json(place));
    }
  }

  /** One patient's share of a batch this ward published. */
  consortiumShare(patient: string, share: ConsortiumShareEntry): void {
    this.put(key(T.consortiumShare, hexKey(patient, 20), hexKey(share.ward, 20), hexKey(share.batchId, 32), ['tree', share.index]), json(share));
  }

  /** An anchor batch's members: out of the unbatched queue, listed under the batch, pointed at it. */
  private async members(treeNo: number, members: Array<{ record: StoredRecord; leafIndex: number }>): Promise<void> {
    for (const { record, leafIndex } of members) {
      const known = this.ctx.known(record) ?? (await this.ctx.lookup(record.id));
      if (!known) throw new WardError('NOT_FOUND', 'A record of the batch is not in the record store.');
      this.del(key(T.unbatched, ['seq', known.locator.seq]));
      this.put(key(T.batchMembers, ['tree', treeNo], ['seq', known.locator.seq]), known.locator.bytes);
      const l = known.locator.bytes;
      this.put(key(T.patientMembers, l.subarray(0, WIDTH.address), ['tree', treeNo], l.subarray(WIDTH.address)), EMPTY);
      if (known.signatureTree?.treeNo === treeNo) continue; // its own signature tree: nothing to point at
      const place = Buffer.alloc(8);
      place.writeUInt32BE(treeNo, 0);
      place.writeUInt32BE(leafIndex, 4);
      this.put(key(T.membership, ['byte', TreeRole.anchor], known.locator.bytes), place);
    }
  }

  // ------------------------------------------------------------------------------ key scopes

  /** A new key scope for the patient; it becomes the current one. */
  scope(patient: string, scope: KeyScope): void {
    this.put(key(T.scope, utf8(scope.scopeId)), json(scope));
    this.put(key(T.patientScopes, hexKey(patient, 20), ['seq', this.ctx.nextSeq()]), utf8(scope.scopeId));
    this.put(key(T.currentScope, hexKey(patient, 20)), utf8(scope.scopeId));
  }

  /** A scope re-wrapped for more readers. */
  scopeKeys(scope: KeyScope): void {
    this.put(key(T.scope, utf8(scope.scopeId)), json(scope));
  }

  /** End the patient's current scope (after a revoke), if it is still this one. */
  scopeEnd(patient: string, scopeId: string): void {
    if (this.ctx.currentScope(patient) === scopeId) this.del(key(T.currentScope, hexKey(patient, 20)));
  }

  // ------------------------------------------------------------------------------ consent and audit

  consent(entry: ConsentEntry): void {
    const patient = hexKey(entry.patient, 20);
    const grantee = hexKey(entry.grantee, 20);
    const seq = this.activity(entry, entry.patient);
    this.put(key(T.consentHistory, patient, ['time', entry.at], ['seq', seq]), json(entry));
    if (entry.action === 'grant') {
      this.put(key(T.grant, patient, grantee), json(entry));
      this.put(key(T.grantedTo, grantee, patient));
    } else {
      this.del(key(T.grant, patient, grantee));
      this.del(key(T.grantedTo, grantee, patient));
    }
  }

  audit(entry: AuditRecord): void {
    this.activity(entry, entry.patient);
  }

  private activity(entry: ActivityEntry, patient: string | null): number {
    const seq = this.ctx.nextSeq();
    this.put(key(T.activity, ['time', entry.at], ['seq', seq]), json(entry));
    if (patient) this.put(key(T.patientActivity, hexKey(patient, 20), ['time', entry.at], ['seq', seq]));
    return seq;
  }

  // ------------------------------------------------------------------------------ store state

  /** A named piece of the store's own state (e.g. the migration record), as JSON; null removes it. */
  state(name: string, value: unknown): void {
    if (name === 'format' || name === 'seq' || name === 'treeNo') throw new WardError('INTERNAL', 'That name belongs to the store itself.');
    const k = key(T.meta, utf8(name));
    if (value === null) this.del(k);
    else this.put(k, json(value));
  }

  // ------------------------------------------------------------------------------ devices

  /** A monitor's bed binding (durable: recording resumes after a restart), or its removal. */
  binding(deviceIdentity: string, binding: Binding | null): void {
    const k = key(T.binding, utf8(deviceIdentity));
    if (binding) this.put(k, json(binding));
    else this.del(k);
  }
}

