/**
 * The store's key space: one LevelDB database, every table a one-byte prefix, every number
 * big-endian so that byte order is numeric order (ranges by time and by sequence are key ranges).
 *
 * Records are clustered by patient: key = (patient, measured time, sequence). LevelDB keeps keys
 * sorted on disk, so one patient's window is one contiguous range scan; the 20-byte address in
 * every key costs little because LevelDB stores each key as the suffix it does not share with the
 * previous one. `seq` is assigned at write and only grows: it orders records measured at the same
 * millisecond and keys the queues (unbatched, outbox) in write order.
 */
import { WardError } from '../model/errors';
import { putUint } from './bytes';

export const T = {
  /** patient, at, seq → record body (recordBinary.ts). */
  record: 0x10,
  /** record id → locator (patient, at, seq). */
  recordId: 0x11,
  /** category, patient, at, seq → '' : a patient's vitals records (for "latest" and for charts). */
  vitals: 0x12,
  /**
   * patient, at, seq → tag : a record's verification memo, under its record's locator, so a page's
   * memos are one range read over the page's bounds (WardStore.memos). Records never move; a tag
   * under another record's locator does not match it anyway (it covers the patient, the stored
   * body with the id, the batch signature and the anchor: records/recordMemo.ts).
   */
  recordMemo: 0x13,
  /** patient, amended id, seq → amending id : amendments, all of a patient's in one range. */
  amendedBy: 0x14,
  /** seq → locator : durable records in no anchor batch yet (resumed after a crash). */
  unbatched: 0x15,
  /** seq → locator : records not yet published to the consortium (issue 13's outbox). */
  outbox: 0x16,
  /** role, locator → treeNo, leaf index : a record's anchor or consortium tree (when not its signature tree). */
  membership: 0x17,
  /** record id → consortium place (JSON): where a published or received record is on the consortium, with its proof. */
  consortiumPlace: 0x18,
  /** patient, ward, batch id, share index → share (JSON): the patient's shares on the consortium (what a later share grant needs). */
  consortiumShare: 0x19,
  /** treeNo → tree body (merkleTrees.ts), written once. */
  tree: 0x20,
  /** treeNo → tree state (anchor, root checked on chain), small and rewritten. */
  treeState: 0x21,
  /** root, treeNo → '' */
  treeRoot: 0x22,
  /** treeNo → '' : anchor batches whose transaction is not recorded yet. */
  awaitingAnchor: 0x23,
  /** treeNo, seq → locator : the records of an anchor batch (kept once anchored: checked against the chain). */
  batchMembers: 0x24,
  /**
   * patient, treeNo, at, seq → '' : a patient's members of each anchor batch (the batch-member list
   * by patient, so a first open's check reads only the patient's own members; trees from the number
   * in meta 'patientMembersFrom' on: stores written before it have their older trees in batchMembers only).
   */
  patientMembers: 0x26,
  /** root → tag : the root was found on the ward chain (a keyed memo: checked once per root, ever). */
  rootOnChain: 0x25,
  /**
   * patient, hour, memo family → opened block : one hour of a patient's records as a care-team
   * reader opened and verified them, sealed under a key of the memo family (records/openedBlocks.ts).
   * A cache: used only where it matches the stored bytes exactly, rewritten where it does not.
   */
  openedBlock: 0x27,
  /** scope id → key scope (JSON), rewritten when readers are added. */
  scope: 0x40,
  /** patient, seq → scope id : the patient's scopes in creation order. */
  patientScopes: 0x42,
  /** patient → scope id : the current scope (absent after a revoke until the next record). */
  currentScope: 0x43,
  /** patient, grantee → consent entry : grants in force. */
  grant: 0x50,
  /** grantee, patient → '' : who has granted this person access. */
  grantedTo: 0x51,
  /** at, seq → activity entry (audit or consent change) : the ward's access log, paged. */
  activity: 0x60,
  /** patient, at, seq → '' : one patient's access log, paged. */
  patientActivity: 0x61,
  /** patient, at, seq → consent entry : the patient's consent history. */
  consentHistory: 0x62,
  /** dedupe key (dedupeKeyBytes) → '' : device readings already recorded. */
  deviceKey: 0x70,
  /**
   * record id → tag : verification memos as stores written before `recordMemo` (and the old log's
   * migration) keep them; read only for a record with none under its locator, and moved there by
   * that read.
   */
  verifyMemo: 0x71,
  /** device identity (UTF-8) → binding (JSON) : station bed bindings. */
  binding: 0x72,
  /** name (UTF-8) → value : counters, format version, migration state. */
  meta: 0x7f,
} as const;

/** Vitals categories indexed per patient. */
export const VitalsIndex = { any: 1, complete: 2 } as const;

export const WIDTH = { seq: 6, tree: 4, time: 8, address: 20, hash: 32 } as const;

type Part = Uint8Array | ['seq' | 'tree' | 'time' | 'byte', number];

/** A key from a table prefix and parts: raw bytes, or a number of a named width. */
export function key(table: number, ...parts: Part[]): Buffer {
  let length = 1;
  for (const p of parts) length += p instanceof Uint8Array ? p.length : width(p[0]);
  const k = Buffer.allocUnsafe(length);
  k[0] = table;
  let at = 1;
  for (const p of parts) {
    if (p instanceof Uint8Array) {
      k.set(p, at);
      at += p.length;
    } else {
      const w = width(p[0]);
      if (!Number.isSafeInteger(p[1]) || p[1] < 0 || p[1] >= 2 ** (8 * w)) throw new WardError('INTERNAL', `A ${p[0]} number does not fit its key.`);
      putUint(k, at, w, p[1]);
      at += w;
    }
  }
  return k;
}

function width(kind: 'seq' | 'tree' | 'time' | 'byte'): number {
  return kind === 'byte' ? 1 : WIDTH[kind];
}

/** The first key after every key that starts with `prefix` (exclusive upper bound of a prefix range). */
export function prefixEnd(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  throw new WardError('INTERNAL', 'A key prefix of only 0xff bytes has no end.');
}

/** 0x hex (20- or 32-byte ids, addresses, hashes; any case) as key bytes. */
export function hexKey(hex: string, bytes: number): Buffer {
  const b = Buffer.from(hex.slice(2), 'hex');
  if (b.length !== bytes || hex.length !== 2 + 2 * bytes) throw new WardError('BAD_INPUT', `Expected ${bytes} bytes of hex.`);
  return b;
}

/** A record's locator: the part of its key after the table byte (patient, at, seq). */
export const LOCATOR_BYTES = WIDTH.address + WIDTH.time + WIDTH.seq;

/** A device dedupe key: its 32 bytes when it is the usual SHA-256 hex, otherwise its text (marked). */
export function dedupeKeyBytes(k: string): Buffer {
  return /^0x[0-9a-f]{64}$/.test(k) ? Buffer.concat([Buffer.of(0), Buffer.from(k.slice(2), 'hex')]) : Buffer.concat([Buffer.of(1), Buffer.from(k, 'utf8')]);
}

/** Where an opened block is kept: a patient, the hour it holds (ms at its start) and the memo family it is sealed for. */
export interface OpenedBlockKey {
  readonly patient: string;
  readonly hour: number;
  readonly family: number;
}

export function openedBlockKey(b: OpenedBlockKey): Buffer {
  return key(T.openedBlock, hexKey(b.patient, WIDTH.address), ['time', b.hour], ['byte', b.family]);
}
