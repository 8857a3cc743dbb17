/**
 * Opened blocks: one hour of a patient's records as a care-team reader opened and verified them,
 * their decrypted content sealed in one piece, so the next first open of that hour (after a
 * restart, or once the opened records were dropped from memory) decrypts, inflates and parses one
 * block instead of some sixty records one by one, and checks one digest instead of a memo each.
 *
 * What a block vouches for is what the records' memos vouch for (records/recordMemo.ts, the stored
 * form): a SHA-256 over every member's covered bytes — its patient, its stored body (every signed
 * field, the signature, the ciphertext), its batch signature and its anchor's root, batch and block
 * — in the store's order. A block is used only when the records read now are exactly its members
 * and their bytes give its digest: any record edited, added to the hour or missing and the block
 * vouches for none of them (they are opened and verified the usual way, and the block rewritten).
 *
 * A block is sealed (AES-256-GCM) under a key of the memo family its records' memos belong to, for
 * the same reason: the care team's key for records of people, the station's key for the readings
 * the station signed (a team key holder cannot vouch for a reading they could not have signed).
 * Where the block sits (patient, hour, family) is the sealing's associated data, so a block moved
 * to another hour or patient does not open. The content sealed is what the reader could decrypt
 * anyway with the team's keys; a block is used only for a reader holding a key to each record's
 * scope, and only records that verified are ever sealed in one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { gcmDecrypt, gcmEncrypt, GCM_NONCE_BYTES } from '../crypto/aesGcm';
import type { OpenedBlockKey } from '../storage/keys';
import type { AnchorRef, StoredRecord } from '../storage/storedRecord';
import type { StoredBytes } from '../storage/wardStore';
import type { SealedContent } from './recordCodec';
import { storedCoveredBytes } from './recordMemo';

/** A block holds one hour of a patient's records (by the time they are filed under). */
export const BLOCK_MS = 3600_000;

/** The memo families a block is sealed for (the last byte of its key). */
export const BlockFamily = { team: 1, station: 2 } as const;

const FORMAT = 1;
const AAD_LABEL = Buffer.from('WardLedger/opened-block/v1', 'utf8');
const DIGEST_LABEL = Buffer.from('WardLedger/opened-block-digest/v1', 'utf8');

/** The hour (ms at its start) a record filed at `at` belongs to. */
export const hourOf = (at: number): number => Math.floor(at / BLOCK_MS) * BLOCK_MS;

/** What a block holds, once opened. */
export interface OpenedBlock {
  /** Its members' record ids, in the store's order (time filed, then sequence). */
  ids: string[];
  /** blockDigest over its members' covered bytes, base64. */
  digest: string;
  /** Each member's verified, decrypted content, in the same order. */
  sealed: SealedContent[];
}

/** A record as a block covers it: its stored bytes, its batch signature and its anchor. */
export interface BlockMember {
  stored: StoredBytes;
  batch: StoredRecord['batchSignature'];
  anchor: AnchorRef;
}

/**
 * The digest a block binds its members by: each member's covered bytes (as its memo covers them),
 * length-prefixed, in order, under a label of its own.
 */
export function blockDigest(members: readonly BlockMember[]): string {
  const h = createHash('sha256').update(DIGEST_LABEL);
  const length = Buffer.allocUnsafe(4);
  for (const m of members) {
    const parts = storedCoveredBytes(m.stored, m.batch, m.anchor);
    let n = 0;
    for (const p of parts) n += p.length;
    length.writeUInt32BE(n);
    h.update(length);
    for (const p of parts) h.update(p);
  }
  return h.digest('base64');
}

/** One memo family's sealing key for blocks. */
export class BlockSeal {
  readonly #key: Uint8Array;

  constructor(
    readonly family: number,
    key: Uint8Array,
  ) {
    this.#key = Uint8Array.from(key);
  }

  seal(at: OpenedBlockKey, block: OpenedBlock): Uint8Array {
    const packed = deflateRawSync(Buffer.from(JSON.stringify(block), 'utf8'), { level: constants.Z_BEST_SPEED });
    const nonce = randomBytes(GCM_NONCE_BYTES);
    const sealed = gcmEncrypt(this.#key, nonce, packed, aadOf(at));
    const out = new Uint8Array(1 + nonce.length + sealed.length);
    out[0] = FORMAT;
    out.set(nonce, 1);
    out.set(sealed, 1 + nonce.length);
    return out;
  }

  /** The block kept at `at`, or null when it does not open under this key there (another key, moved, damaged). */
  open(at: OpenedBlockKey, bytes: Uint8Array): OpenedBlock | null {
    if (bytes.length < 1 + GCM_NONCE_BYTES || bytes[0] !== FORMAT) return null;
    try {
      const packed = gcmDecrypt(this.#key, bytes.subarray(1, 1 + GCM_NONCE_BYTES), bytes.subarray(1 + GCM_NONCE_BYTES), aadOf(at), 'An opened block does not open.');
      const block = JSON.parse(inflateRawSync(packed).toString('utf8')) as OpenedBlock;
      const wellFormed = Array.isArray(block?.ids) && Array.isArray(block.sealed) && block.ids.length === block.sealed.length && typeof block.digest === 'string';
      return wellFormed ? block : null;
    } catch {
      return null;
    }
  }
}

function aadOf(at: OpenedBlockKey): Buffer {
  const head = Buffer.allocUnsafe(8 + 1);
  head.writeBigUInt64BE(BigInt(at.hour), 0);
  head[8] = at.family;
  return Buffer.concat([AAD_LABEL, Buffer.from(at.patient.toLowerCase(), 'utf8'), head]);
}

/**
 * The records of one block's place among those being opened: their indexes in the store's order,
 * whether a block may be written for it (every record of the hour is among them), and its seal.
 */
export interface BlockGroup {
  at: OpenedBlockKey;
  seal: BlockSeal;
  members: number[];
  writable: boolean;
}

/** What grouping needs of each entry being opened. */
export interface GroupedEntry<R extends Pick<StoredRecord, 'id' | 'patient'>> {
  at: number;
  seq: number;
  stored?: StoredBytes;
  anchor: AnchorRef | undefined;
  /** The record's fields (held opened, or decoded). */
  record: () => R;
}

/**
 * The entries by block (patient, hour, family): records read in the stored form and anchored, with
 * a seal for their family. `contiguous`: the entries are every record of their patient between the
 * first and the last (a page of the store): a block may be written for an hour strictly inside
 * that span with no record left out of its group (not anchored yet, not in the stored form).
 */
export function groupForBlocks<R extends Pick<StoredRecord, 'id' | 'patient'>>(entries: ReadonlyArray<GroupedEntry<R>>, sealOf: (r: R) => BlockSeal | null, contiguous: boolean): BlockGroup[] {
  const groups = new Map<string, BlockGroup>();
  const leftOut = new Set<string>();
  const span = new Map<string, { lo: number; hi: number }>();
  entries.forEach((e, i) => {
    const r = e.record();
    const hour = hourOf(e.at);
    const s = span.get(r.patient);
    if (!s) span.set(r.patient, { lo: e.at, hi: e.at });
    else if (e.at < s.lo) s.lo = e.at;
    else if (e.at > s.hi) s.hi = e.at;
    const seal = e.stored && e.anchor && e.stored.id === r.id && e.stored.patient === r.patient ? sealOf(r) : null;
    if (!seal) {
      leftOut.add(`${r.patient}|${hour}`);
      return;
    }
    const name = `${r.patient}|${hour}|${seal.family}`;
    const g = groups.get(name);
    if (g) g.members.push(i);
    else groups.set(name, { at: { patient: r.patient, hour, family: seal.family }, seal, members: [i], writable: false });
  });
  const out = [...groups.values()];
  for (const g of out) {
    g.members.sort((a, b) => entries[a]!.at - entries[b]!.at || entries[a]!.seq - entries[b]!.seq);
    const s = span.get(g.at.patient)!;
    g.writable = contiguous && g.at.hour > s.lo && g.at.hour + BLOCK_MS <= s.hi && !leftOut.has(`${g.at.patient}|${g.at.hour}`);
  }
  return out;
}
