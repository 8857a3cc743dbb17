/**
 * Opened blocks: one hour of a patient's records as a care-team reader opened and verified them,
 * their decrypted content sealed in one piece, so the next first open of that hour (after a
 * restart, or once the opened records were dropped from memory) decrypts, inflates and parses one
 * block instead of some sixty records one by one, and checks one digest instead of a memo each.
 *
 * What a block vouches for is what the records' memos vouch for (records/recordMemo.ts, the stored
 * form): a SHA-256 over every member's covered bytes — its patient, its stored body (every signed
 * field, the signature, the ciphertext), its batch signature and its anchor's root, batch and block
 * — in the store's order. A block vouches for its members only when each of them is read now,
 * once, in that order, and their bytes give its digest: any of them edited, moved or missing and
 * it vouches for none (they are opened and verified the usual way, and the block written again).
 * A record of the hour the block does not name (filed later) is opened the usual way, and the
 * block written again with it. The members' fields are kept beside their content, so a record a
 * block vouches for is neither decrypted nor decoded.
 *
 * Blocks are written by a care-team reader's open (the whole hours of the page), and by the
 * station for its own readings as their hours end (records/stationBlocks.ts), with nobody logged in.
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
import { batchSignatureOf } from '../storage/merkleTrees';
import type { AnchorRef, RecordFields, StoredRecord } from '../storage/storedRecord';
import type { StoredBytes } from '../storage/wardStore';
import { NO_AMENDS } from '../crypto/recordSignature';
import type { SealedContent } from './recordCodec';
import { storedCoveredBytes } from './recordMemo';

/** A block holds one hour of a patient's records (by the time they are filed under). */
export const BLOCK_MS = 3600_000;

/** The memo families a block is sealed for (the last byte of its key). */
export const BlockFamily = { team: 1, station: 2 } as const;

/**
 * 3: what members share said once (PackedBlock); 2: the OpenedBlock as it is (still read: a block
 * of format 2 is written again as 3 only when its hour is); 1, the first form, kept no members'
 * fields (not read: written again).
 */
const FORMAT = 3;
const FORMAT_AS_IS = 2;
const AAD_LABEL = Buffer.from('WardLedger/opened-block/v1', 'utf8');
const DIGEST_LABEL = Buffer.from('WardLedger/opened-block-digest/v1', 'utf8');

/** The hour (ms at its start) a record filed at `at` belongs to. */
export const hourOf = (at: number): number => Math.floor(at / BLOCK_MS) * BLOCK_MS;

/**
 * A member's fields that its sealed content does not repeat (the content names its id, patient,
 * kind, author and time): role, what it amends, and its ciphertext's version, scope and nonce.
 * Decoded from the very bytes the digest binds when the block was written, so a record a block
 * vouches for is not decoded again.
 */
export type MemberFields = [authorRole: RecordFields['authorRole'], amends: string, v: RecordFields['cipher']['v'], scopeId: string, iv: string];

/** What a block holds, once opened. */
export interface OpenedBlock {
  /** Its members' record ids, in the store's order (time filed, then sequence). */
  ids: string[];
  /** blockDigest over its members' covered bytes, base64. */
  digest: string;
  /** Each member's verified, decrypted content, in the same order. */
  sealed: SealedContent[];
  /** Each member's other fields, in the same order. */
  fields: MemberFields[];
}

/**
 * A block as sealed in format 3. Its members' ids, patient, authors, kinds and scopes were each
 * written twice or once a member (the content names its id, patient, kind and author again); said
 * once, a station hour's block is some 20 % smaller (about 120 B a record before, compressed) and
 * quicker to parse.
 */
interface PackedBlock {
  ids: string[];
  digest: string;
  patient: string;
  authors: Array<[author: string, authorName: string]>;
  kinds: SealedContent['kind'][];
  scopes: string[];
  /** Per member: [author, kind, createdAt, nonce, content, role, amends (null: none), cipher v, scope, iv]. */
  members: Array<[author: number, kind: number, createdAt: number, nonce: string, content: SealedContent['content'], role: MemberFields[0], amends: string | null, v: MemberFields[2], scope: number, iv: string]>;
}

function packBlock(block: OpenedBlock): PackedBlock | null {
  const patient = block.sealed[0]?.patient ?? '';
  const authors: PackedBlock['authors'] = [];
  const kinds: PackedBlock['kinds'] = [];
  const scopes: string[] = [];
  const at = new Map<string, number>();
  const indexOf = <T>(table: T[], key: string, value: T): number => {
    let i = at.get(key);
    if (i === undefined) at.set(key, (i = table.push(value) - 1));
    return i;
  };
  const members: PackedBlock['members'] = [];
  for (const [n, c] of block.sealed.entries()) {
    const [role, amends, v, scopeId, iv] = block.fields[n]!;
    // Only what unpacking gives back exactly is packed (else the block is sealed as it is).
    if (c.v !== 1 || c.id !== block.ids[n] || c.patient !== patient) return null;
    const author = indexOf(authors, `a|${c.author}|${c.authorName}`, [c.author, c.authorName] as [string, string]);
    members.push([author, indexOf(kinds, `k|${c.kind}`, c.kind), c.createdAt, c.nonce, c.content, role, amends === NO_AMENDS ? null : amends, v, indexOf(scopes, `s|${scopeId}`, scopeId), iv]);
  }
  return { ids: block.ids, digest: block.digest, patient, authors, kinds, scopes, members };
}

/** The block a packed one holds; throws on anything malformed. */
function unpackBlock(p: PackedBlock): OpenedBlock {
  if (!Array.isArray(p?.ids) || !Array.isArray(p.members) || p.ids.length !== p.members.length || typeof p.digest !== 'string' || typeof p.patient !== 'string') throw new Error('malformed');
  const sealed: SealedContent[] = new Array(p.members.length);
  const fields: MemberFields[] = new Array(p.members.length);
  p.members.forEach(([a, k, createdAt, nonce, content, role, amends, v, s, iv], n) => {
    const author = p.authors[a];
    const kind = p.kinds[k];
    const scopeId = p.scopes[s];
    if (!author || kind === undefined || scopeId === undefined) throw new Error('malformed');
    sealed[n] = { v: 1, id: p.ids[n]!, patient: p.patient, kind, author: author[0], createdAt, nonce, authorName: author[1], content };
    fields[n] = [role, amends ?? NO_AMENDS, v, scopeId, iv];
  });
  return { ids: p.ids, digest: p.digest, sealed, fields };
}

/** A record as a block covers it: its stored bytes (with the batch signature it is read with) and its anchor. */
export interface BlockMember {
  stored: StoredBytes;
  anchor: AnchorRef;
}

/** The fields a block keeps of a member (MemberFields). */
export function memberFields(r: RecordFields): MemberFields {
  return [r.authorRole, r.amends, r.cipher.v, r.cipher.scopeId, r.cipher.iv];
}

/**
 * A member's fields as readers use them (RecordFields), from its stored bytes' id and patient, its
 * sealed content and what the block kept; null when the content does not name this record.
 */
export function recordOfMember(stored: StoredBytes, sealed: SealedContent, fields: MemberFields): RecordFields | null {
  if (sealed?.v !== 1 || sealed.id !== stored.id || sealed.patient !== stored.patient || !Array.isArray(fields)) return null;
  const [authorRole, amends, v, scopeId, iv] = fields;
  const record: RecordFields = { id: stored.id, patient: stored.patient, kind: sealed.kind, author: sealed.author, authorRole, createdAt: sealed.createdAt, amends, cipher: { v, scopeId, iv } };
  const batch = batchSignatureOf(stored.signedBy, []);
  if (batch) record.batchSignature = batch;
  return record;
}

/**
 * The digest a block binds its members by: each member's covered bytes (as its memo covers them),
 * length-prefixed, in order, under a label of its own.
 */
export function blockDigest(members: readonly BlockMember[]): string {
  // Hashed in one update: four calls into the hash a member cost more than copying an hour's bytes.
  const parts: Uint8Array[] = [DIGEST_LABEL];
  for (const m of members) {
    const covered = storedCoveredBytes(m.stored, batchSignatureOf(m.stored.signedBy, []), m.anchor);
    let n = 0;
    for (const p of covered) n += p.length;
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(n);
    parts.push(length, ...covered);
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest('base64');
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
    const compact = packBlock(block);
    const packed = deflateRawSync(Buffer.from(JSON.stringify(compact ?? block), 'utf8'), { level: constants.Z_BEST_SPEED });
    const nonce = randomBytes(GCM_NONCE_BYTES);
    const sealed = gcmEncrypt(this.#key, nonce, packed, aadOf(at));
    const out = new Uint8Array(1 + nonce.length + sealed.length);
    out[0] = compact ? FORMAT : FORMAT_AS_IS;
    out.set(nonce, 1);
    out.set(sealed, 1 + nonce.length);
    return out;
  }

  /** The block kept at `at`, or null when it does not open under this key there (another key, moved, damaged). */
  open(at: OpenedBlockKey, bytes: Uint8Array): OpenedBlock | null {
    const format = bytes[0];
    if (bytes.length < 1 + GCM_NONCE_BYTES || (format !== FORMAT && format !== FORMAT_AS_IS)) return null;
    try {
      const packed = gcmDecrypt(this.#key, bytes.subarray(1, 1 + GCM_NONCE_BYTES), bytes.subarray(1 + GCM_NONCE_BYTES), aadOf(at), 'An opened block does not open.');
      const json: unknown = JSON.parse(inflateRawSync(packed).toString('utf8'));
      const block = format === FORMAT ? unpackBlock(json as PackedBlock) : (json as OpenedBlock);
      const wellFormed = Array.isArray(block?.ids) && Array.isArray(block.sealed) && Array.isArray(block.fields) && block.ids.length === block.sealed.length && block.ids.length === block.fields.length && typeof block.digest === 'string';
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

/** Where a block is kept, as one string (a map key). */
export const placeName = (at: OpenedBlockKey): string => `${at.patient}|${at.hour}|${at.family}`;

/** Indexes of entries compared in the store's order: time filed, then sequence. */
const inStoreOrder =
  (entries: ReadonlyArray<{ at: number; seq: number }>) =>
  (a: number, b: number): number =>
    entries[a]!.at - entries[b]!.at || entries[a]!.seq - entries[b]!.seq;

/** One hour of a patient's entries that a block may vouch for (stored form, anchored), in the store's order. */
export interface BlockHour {
  patient: string;
  hour: number;
  members: number[];
}

/** What reading by blocks needs of each entry: nothing decoded. */
export interface HourEntry {
  at: number;
  seq: number;
  stored?: StoredBytes;
  anchor: AnchorRef | undefined;
}

/** The entries a block may vouch for, by patient and hour (their stored bytes' patient; nothing decoded). */
export function blockHours(entries: readonly HourEntry[]): BlockHour[] {
  const hours = new Map<string, BlockHour>();
  entries.forEach((e, i) => {
    if (!e.stored || !e.anchor) return;
    const hour = hourOf(e.at);
    const name = `${e.stored.patient}|${hour}`;
    const h = hours.get(name);
    if (h) h.members.push(i);
    else hours.set(name, { patient: e.stored.patient, hour, members: [i] });
  });
  const out = [...hours.values()];
  for (const h of out) h.members.sort(inStoreOrder(entries));
  return out;
}

/**
 * The entries a block vouches for, in its order: every id of the block is one entry of the hour
 * (no id twice), in the store's order, and their bytes and anchors give its digest; else null.
 * Entries of the hour the block does not name are not its business (a record filed later).
 */
export function blockMembers(block: OpenedBlock, hour: BlockHour, entries: readonly HourEntry[]): number[] | null {
  const at = new Map<string, number>();
  for (const [k, i] of hour.members.entries()) {
    const id = entries[i]!.stored!.id;
    if (at.has(id)) at.set(id, -1); // a record stored twice: the block vouches for neither copy
    else at.set(id, k);
  }
  const members: number[] = [];
  let last = -1;
  for (const id of block.ids) {
    const k = at.get(id);
    if (k === undefined || k <= last) return null;
    members.push(hour.members[k]!);
    last = k;
  }
  return block.digest === blockDigest(members.map((i) => ({ stored: entries[i]!.stored!, anchor: entries[i]!.anchor! }))) ? members : null;
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
 * Which records a list of entries holds, for writing blocks: `page`, every record of their patient
 * between the first and the last (a page of the store: an hour strictly inside that span is whole);
 * `{ from, to }`, every record of their patient filed in that period (each hour inside it is whole);
 * `none`, any list (no hour is known whole).
 */
export type Coverage = 'page' | 'none' | { from: number; to: number };

/**
 * The entries by block (patient, hour, family): records read in the stored form and anchored, with
 * a seal for their family (`sealOf` null: a record whose family the caller does not write, left
 * aside). A block may be written for a whole hour (see Coverage) with no record of its family left
 * out of its group (not anchored yet, not in the stored form). `grouped`: the entries to group (by
 * whole hours: the others still count for the list's span).
 */
export function groupForBlocks<R extends Pick<StoredRecord, 'id' | 'patient'>>(entries: ReadonlyArray<GroupedEntry<R>>, sealOf: (r: R) => BlockSeal | null, coverage: Coverage, grouped: (i: number) => boolean = () => true): BlockGroup[] {
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
    if (!grouped(i)) return;
    const seal = sealOf(r);
    if (!seal) return;
    const at = { patient: r.patient, hour, family: seal.family };
    if (!e.stored || !e.anchor || e.stored.id !== r.id || e.stored.patient !== r.patient) {
      leftOut.add(placeName(at));
      return;
    }
    const g = groups.get(placeName(at));
    if (g) g.members.push(i);
    else groups.set(placeName(at), { at, seal, members: [i], writable: false });
  });
  const out = [...groups.values()];
  for (const g of out) {
    g.members.sort(inStoreOrder(entries));
    const s = span.get(g.at.patient)!;
    const whole = coverage === 'page' ? g.at.hour > s.lo && g.at.hour + BLOCK_MS <= s.hi : coverage !== 'none' && g.at.hour >= coverage.from && g.at.hour + BLOCK_MS <= coverage.to;
    g.writable = whole && !leftOut.has(placeName(g.at));
  }
  return out;
}
