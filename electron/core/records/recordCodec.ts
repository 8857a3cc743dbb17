/**
 * How a record's content becomes bytes, a hash, a commitment and signed fields — one place, used
 * when writing, when verifying locally and when verifying an export.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RecordContent, RecordKind } from '../model/records';
import type { Role } from '../model/people';
import { canonicalize } from '../crypto/canonical';
import { commitToHash } from '../crypto/commitment';
import { contentHashOf, NO_AMENDS, type BatchFields, type RecordFields } from '../crypto/recordSignature';
import { randomHex } from '../crypto/randomPool';
import type { StoredRecord } from '../storage/storedRecord';

/** The encrypted plaintext: content plus the fields that bind it to its record. */
export interface SealedContent {
  v: 1;
  id: string;
  patient: string;
  kind: RecordKind;
  author: string;
  createdAt: number;
  /** 128 random bits so equal content never hashes alike. */
  nonce: string;
  /** The author's name as they signed (readers of the record may not be able to read staff profiles). */
  authorName: string;
  content: RecordContent;
}

export interface NewRecordInput {
  patient: string;
  patientRef: string;
  kind: RecordKind;
  author: string;
  /** Signed with the record (EIP-712 typed data version 2). */
  authorRole: Role | 'station';
  authorName: string;
  content: RecordContent;
  amends?: string | null;
  createdAt?: number;
}

export interface EncodedRecord {
  id: string;
  createdAt: number;
  amends: string;
  sealed: SealedContent;
  plaintext: Uint8Array;
  /** What is encrypted: the plaintext packed for sealing (packForSealing). */
  toSeal: Uint8Array;
  contentHash: string;
  salt: string;
  commitment: string;
  fields: RecordFields;
}

/**
 * The sealed bytes of a record (its content format): since issue 12, a 0 byte then the canonical
 * plaintext deflated (raw DEFLATE, RFC 1951). A device reading's 790 bytes of JSON (with its NEWS2
 * result) seal in about 505: the content is most of a station reading's bytes on disk. Records
 * sealed before hold the canonical JSON itself, which never starts with a 0 byte (it starts with
 * '{'), so both open. What is signed and hashed is the canonical plaintext either way, never the
 * packed bytes: signatures, commitments and exports are unchanged.
 */
const DEFLATED = 0x00;
/** Largest plaintext a record may inflate to (a damaged or hostile ciphertext cannot balloon memory). */
const MAX_PLAINTEXT = 16 * 1024 * 1024;

export function packForSealing(plaintext: Uint8Array): Uint8Array {
  // Fastest level: the same size as the default on a reading (random ids and addresses do not
  // compress), 30 µs of CPU a record instead of 40 (measured on this machine).
  const packed = deflateRawSync(plaintext, { level: constants.Z_BEST_SPEED });
  const out = new Uint8Array(packed.length + 1);
  out[0] = DEFLATED;
  out.set(packed, 1);
  return out;
}

/** The canonical plaintext from a record's decrypted bytes, packed or not. @throws Error when the packed bytes do not inflate. */
export function unpackSealed(opened: Uint8Array): Uint8Array {
  if (opened[0] !== DEFLATED) return opened;
  // Output chunks near the plaintext's size (about twice the packed bytes), not zlib's 16 KB a call:
  // a history opened is some 10,000 inflates, and each chunk is garbage at once.
  const chunkSize = Math.min(16 * 1024, Math.max(1024, opened.length * 4));
  const out = inflateRawSync(opened.subarray(1), { maxOutputLength: MAX_PLAINTEXT, chunkSize });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength); // a view: no copy
}

export function newRecordId(): string {
  return randomHex(32);
}

export function encodeRecord(input: NewRecordInput): EncodedRecord {
  const id = newRecordId();
  const createdAt = input.createdAt ?? Date.now();
  const sealed: SealedContent = {
    v: 1,
    id,
    patient: input.patient,
    kind: input.kind,
    author: input.author,
    createdAt,
    nonce: randomHex(16),
    authorName: input.authorName,
    content: input.content,
  };
  const plaintext = canonicalize(sealed);
  const contentHash = contentHashOf(plaintext);
  const { salt, commitment } = commitToHash(contentHash);
  const amends = input.amends ?? NO_AMENDS;
  return {
    id,
    createdAt,
    amends,
    sealed,
    plaintext,
    toSeal: packForSealing(plaintext),
    contentHash,
    salt,
    commitment,
    fields: { recordId: id, patientRef: input.patientRef, contentHash, amends, kind: input.kind, author: input.author, authorRole: input.authorRole, createdAt },
  };
}

/**
 * The stored form of an encoded record once it is signed (by its author, or as part of a batch)
 * and encrypted: the one place that lays out a StoredRecord.
 */
export function storedRecordOf(e: EncodedRecord, written: Pick<StoredRecord, 'signature' | 'batchSignature' | 'cipher'>): StoredRecord {
  return {
    id: e.id,
    patient: e.sealed.patient,
    patientRef: e.fields.patientRef,
    kind: e.sealed.kind,
    author: e.sealed.author,
    authorRole: e.fields.authorRole as StoredRecord['authorRole'],
    signedVersion: 2,
    createdAt: e.createdAt,
    amends: e.amends,
    contentHash: e.contentHash,
    salt: e.salt,
    commitment: e.commitment,
    signature: written.signature,
    ...(written.batchSignature ? { batchSignature: written.batchSignature } : {}),
    cipher: written.cipher,
  };
}

/** The signed fields of a stored record (the role among them from typed-data version 2 on). */
export function fieldsOf(r: StoredRecord): RecordFields {
  return {
    recordId: r.id,
    patientRef: r.patientRef,
    contentHash: r.contentHash,
    amends: r.amends,
    kind: r.kind,
    author: r.author,
    ...(r.signedVersion === 2 ? { authorRole: r.authorRole } : {}),
    createdAt: r.createdAt,
  };
}

/** The signed fields of the batch a record was signed in. */
export function batchFieldsOf(r: StoredRecord): BatchFields | null {
  const b = r.batchSignature;
  return b ? { root: b.root, count: b.count, author: r.author, ...(r.signedVersion === 2 ? { authorRole: r.authorRole } : {}), createdAt: b.createdAt } : null;
}

/** Whether decrypted content belongs to the record that carries it. */
export function sealedMatches(sealed: SealedContent, r: Pick<StoredRecord, 'id' | 'patient' | 'kind' | 'author' | 'createdAt'>): boolean {
  return (
    sealed?.v === 1 &&
    sealed.id === r.id &&
    sealed.patient === r.patient &&
    sealed.kind === r.kind &&
    sealed.author === r.author &&
    sealed.createdAt === r.createdAt
  );
}

export function isNoAmends(amends: string): boolean {
  // The store hands out the constant itself for records that amend nothing: no pattern match per record.
  return amends === NO_AMENDS || /^0x0{64}$/.test(amends);
}
