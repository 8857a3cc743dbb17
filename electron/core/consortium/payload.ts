/**
 * What a published record and a key grant contain, byte by byte (version 1). docs/consortium.md
 * has the same tables for people; this file is the one place that writes and reads them.
 *
 * A *share* is the records of one patient in one batch. Per-patient constants of a stored record
 * (patient address, patientRef, ward scope ids, the author's credential, a station's batch
 * signature) are written once per share in the *share header*, which travels only inside key
 * grants; each sealed record carries only what is its own. Everything here is sealed before it
 * reaches the chain (sealing.ts); nothing of it is ever in the clear.
 */
import { getAddress } from 'ethers';
import { WardError } from '../model/errors';
import { hexToBytes } from '../crypto/hex';
import { NO_AMENDS } from '../crypto/recordSignature';
import type { AuthorCredential } from './credentials';
import { READER_SEALED_BYTES, checksumAddress } from './sealing';
import { ByteReader, ByteWriter } from './wire';

export const PAYLOAD_VERSION = 1;

/**
 * What the publisher needs of a stored record. records/storedRecord.ts StoredRecord has this
 * shape; it is restated here so the consortium layer depends on no store.
 */
export interface PublishableRecord {
  id: string;
  patient: string;
  patientRef: string;
  kind: string;
  author: string;
  authorRole: string;
  /**
   * 2: the author's signature (its own, or the batch signature it is under) covers authorRole
   * (EIP-712 typed data version 2, crypto/recordSignature.ts); absent: signed without it (version 1).
   */
  signedVersion?: 2;
  createdAt: number;
  amends: string;
  contentHash: string;
  salt: string;
  commitment: string;
  /** EIP-712 Record signature, or '' when batchSignature is set. */
  signature: string;
  batchSignature?: BatchSignature;
  cipher: { v: 1; scopeId: string; iv: string; ct: string };
}

export interface BatchSignature {
  root: string;
  count: number;
  createdAt: number;
  signature: string;
  proof: string[];
}

/** A signature over a Merkle root of records, as listed once in a share header. */
export interface HeaderBatchSignature {
  authorIndex: number;
  root: string;
  count: number;
  createdAt: number;
  signature: string;
}

export interface ShareHeader {
  patient: string;
  patientRef: string;
  scopes: string[];
  authors: AuthorCredential[];
  batchSignatures: HeaderBatchSignature[];
}

/** How a record's author signature is carried. */
export type SignatureRef =
  | { mode: 'record'; signature: string }
  /** Under header batch signature `index`, with the record's own proof under that root. */
  | { mode: 'batch'; index: number; proof: string[] }
  /** Under header batch signature `index` whose root is the tree of exactly the share's records that cite it. */
  | { mode: 'derived'; index: number };

/** One record as sealed in the batch payload (plaintext layout). */
export interface RecordBlob {
  id: string;
  createdAt: number;
  kind: string;
  authorIndex: number;
  scopeIndex: number;
  contentHash: string;
  salt: string;
  amends: string;
  signature: SignatureRef;
  /** The signature this record is verified by covers the author's role (typed data version 2). */
  roleSigned: boolean;
  iv: string;
  ct: string;
}

const FLAG_AMENDS = 1;
const FLAG_BATCH = 2;
const FLAG_DERIVED = 4;
const FLAG_ROLE_SIGNED = 8;

export function encodeRecordBlob(r: RecordBlob): Uint8Array {
  const hasAmends = !/^0x0{64}$/i.test(r.amends);
  const s = r.signature;
  const flags = (hasAmends ? FLAG_AMENDS : 0) | (s.mode !== 'record' ? FLAG_BATCH : 0) | (s.mode === 'derived' ? FLAG_DERIVED : 0) | (r.roleSigned ? FLAG_ROLE_SIGNED : 0);
  const w = new ByteWriter()
    .u8(PAYLOAD_VERSION)
    .u8(flags)
    .u8(r.authorIndex)
    .u8(r.scopeIndex)
    .hex(r.id, 32, 'record id')
    .u64(r.createdAt)
    .shortString(r.kind, 'record kind')
    .hex(r.contentHash, 32, 'content hash')
    .hex(r.salt, 32, 'salt');
  if (hasAmends) w.hex(r.amends, 32, 'amended record id');
  if (s.mode === 'record') w.hex(s.signature, 65, 'signature');
  else {
    w.u8(s.index);
    if (s.mode === 'batch') {
      w.u8(s.proof.length);
      for (const p of s.proof) w.hex(p, 32, 'proof');
    }
  }
  return w.hex(r.iv, 12, 'record nonce').bytes(hexToBytes(r.ct, undefined, 'record ciphertext')).finish();
}

export function decodeRecordBlob(bytes: Uint8Array): RecordBlob {
  const r = new ByteReader(bytes, 'A sealed consortium record');
  if (r.u8('version') !== PAYLOAD_VERSION) throw new WardError('INTEGRITY', 'A sealed consortium record has an unknown version.');
  const flags = r.u8('flags');
  if (flags & ~(FLAG_AMENDS | FLAG_BATCH | FLAG_DERIVED | FLAG_ROLE_SIGNED) || (flags & FLAG_DERIVED && !(flags & FLAG_BATCH))) {
    throw new WardError('INTEGRITY', 'A sealed consortium record is malformed (flags).');
  }
  const authorIndex = r.u8('author');
  const scopeIndex = r.u8('scope');
  const id = r.hex(32, 'id');
  const createdAt = r.u64('time');
  const kind = r.shortString('kind');
  const contentHash = r.hex(32, 'content hash');
  const salt = r.hex(32, 'salt');
  const amends = flags & FLAG_AMENDS ? r.hex(32, 'amends') : NO_AMENDS;
  let signature: SignatureRef;
  if (!(flags & FLAG_BATCH)) signature = { mode: 'record', signature: r.hex(65, 'signature') };
  else {
    const index = r.u8('batch signature');
    if (flags & FLAG_DERIVED) signature = { mode: 'derived', index };
    else {
      const n = r.u8('proof length');
      const proof: string[] = [];
      for (let i = 0; i < n; i++) proof.push(r.hex(32, 'proof'));
      signature = { mode: 'batch', index, proof };
    }
  }
  const iv = r.hex(12, 'nonce');
  const ct = r.hex(r.remaining, 'ciphertext');
  if (ct === '0x') throw new WardError('INTEGRITY', 'A sealed consortium record has no content.');
  return { id, createdAt, kind, authorIndex, scopeIndex, contentHash, salt, amends, signature, roleSigned: (flags & FLAG_ROLE_SIGNED) !== 0, iv, ct };
}

export function encodeHeader(h: ShareHeader): Uint8Array {
  const w = new ByteWriter().u8(PAYLOAD_VERSION).hex(getAddress(h.patient), 20, 'patient').hex(h.patientRef, 32, 'patient reference');
  w.u8(h.scopes.length);
  for (const s of h.scopes) w.shortString(s, 'scope id');
  w.u8(h.authors.length);
  for (const a of h.authors) w.hex(getAddress(a.member), 20, 'author').shortString(a.role, 'author role').u64(a.since).hex(a.signature, 65, 'credential signature');
  w.u8(h.batchSignatures.length);
  for (const b of h.batchSignatures) w.u8(b.authorIndex).hex(b.root, 32, 'signed root').u32(b.count).u64(b.createdAt).hex(b.signature, 65, 'batch signature');
  return w.finish();
}

/** @param ward the batch's publishing ward (the ward every credential in the header names). */
export function decodeHeader(r: ByteReader, ward: string): ShareHeader {
  if (r.u8('header version') !== PAYLOAD_VERSION) throw new WardError('INTEGRITY', 'A share header has an unknown version.');
  const patient = checksumAddress(r.hex(20, 'patient'));
  const patientRef = r.hex(32, 'patient reference');
  const scopes = Array.from({ length: r.u8('scopes') }, () => r.shortString('scope id'));
  const authors = Array.from({ length: r.u8('authors') }, () => ({
    member: checksumAddress(r.hex(20, 'author')),
    ward: checksumAddress(ward),
    role: r.shortString('author role'),
    since: r.u64('credential time'),
    signature: r.hex(65, 'credential signature'),
  }));
  const batchSignatures = Array.from({ length: r.u8('batch signatures') }, () => ({
    authorIndex: r.u8('signer'),
    root: r.hex(32, 'signed root'),
    count: r.u32('signed count'),
    createdAt: r.u64('signed time'),
    signature: r.hex(65, 'batch signature'),
  }));
  return { patient, patientRef, scopes, authors, batchSignatures };
}

// --- grants -----------------------------------------------------------------------------------

/** Access to one share: where its records are and the key that opens them. */
export interface ShareGrant {
  kind: 'share';
  /** Whose access this is: the receiving ward's care team key, or one of its recipients' keys. */
  reader: string;
  /** The ward that published the batch (not necessarily the grant's publisher). */
  batchWard: string;
  batchId: string;
  /** Block of the batch; 0 when the grant was published in the same transaction as the batch. */
  batchBlock: number;
  shareIndex: number;
  /** Index of the share's first record in the batch, and how many it has. */
  first: number;
  count: number;
  shareKey: Uint8Array;
  /** Proof of the share's root under the batch root. */
  shareProof: string[];
  header: ShareHeader;
}

/** A ward scope key (the key of the records' content), wrapped for the reader. */
export interface ScopeGrant {
  kind: 'scope';
  reader: string;
  patient: string;
  scopeId: string;
  /** sealForReader(scope key, reader, scopeGrantContext(scopeId)). */
  wrappedKey: Uint8Array;
}

/**
 * A transfer of care's note for the receiving care team: who the patient is (name, date of birth,
 * hospital number: the receiving ward has no profile of them), why, and who sent them. The note
 * is sealed for the reader: a one-time key sealed as a scope key is (sealForReader), and the note
 * (fixed size, so its length says nothing) under it.
 */
export interface TransferGrant {
  kind: 'transfer';
  reader: string;
  patient: string;
  /** sealForReader(note key, reader, transferGrantContext(patient)). */
  wrappedKey: Uint8Array;
  /** AES-256-GCM of the padded note under the note key (grants.ts). */
  sealedNote: Uint8Array;
}

export type GrantContent = ShareGrant | ScopeGrant | TransferGrant;

const KIND_SHARE = 1;
const KIND_SCOPE = 2;
const KIND_TRANSFER = 3;
/** Grant plaintexts are padded to a multiple of this, so their size says little about their content. */
export const GRANT_PADDING = 64;

export function scopeGrantContext(scopeId: string): string {
  return `WardLedger/consortium/v1/scope/${scopeId}`;
}

export function transferGrantContext(patient: string): string {
  return `WardLedger/consortium/v1/transfer/${getAddress(patient)}`;
}

export function encodeGrant(g: GrantContent): Uint8Array {
  const kind = g.kind === 'share' ? KIND_SHARE : g.kind === 'scope' ? KIND_SCOPE : KIND_TRANSFER;
  const w = new ByteWriter().u8(PAYLOAD_VERSION).u8(kind).hex(g.reader, 64, 'reader key');
  if (g.kind === 'share') {
    w.hex(getAddress(g.batchWard), 20, 'batch ward').hex(g.batchId, 32, 'batch id').u64(g.batchBlock).u32(g.shareIndex).u32(g.first).u32(g.count);
    if (g.shareKey.length !== 32) throw new WardError('BAD_INPUT', 'A share key must be 32 bytes.');
    w.bytes(g.shareKey).u8(g.shareProof.length);
    for (const p of g.shareProof) w.hex(p, 32, 'share proof');
    w.bytes(encodeHeader(g.header));
  } else if (g.kind === 'transfer') {
    if (g.wrappedKey.length !== READER_SEALED_BYTES) throw new WardError('BAD_INPUT', 'A wrapped note key has the wrong size.');
    if (g.sealedNote.length > 0xffff) throw new WardError('BAD_INPUT', 'A transfer note is too large.');
    w.hex(getAddress(g.patient), 20, 'patient').bytes(g.wrappedKey).u32(g.sealedNote.length).bytes(g.sealedNote);
  } else {
    w.hex(getAddress(g.patient), 20, 'patient').shortString(g.scopeId, 'scope id');
    if (g.wrappedKey.length !== READER_SEALED_BYTES) throw new WardError('BAD_INPUT', 'A wrapped scope key has the wrong size.');
    w.bytes(g.wrappedKey);
  }
  const body = w.finish();
  if (body.length > 0xffff) throw new WardError('BAD_INPUT', 'A key grant is too large.');
  const padded = new Uint8Array(Math.ceil((body.length + 2) / GRANT_PADDING) * GRANT_PADDING);
  new DataView(padded.buffer).setUint16(0, body.length);
  padded.set(body, 2);
  return padded;
}

export function decodeGrant(padded: Uint8Array): GrantContent {
  if (padded.length < 2) throw new WardError('INTEGRITY', 'A key grant is malformed (length).');
  const length = new DataView(padded.buffer, padded.byteOffset, 2).getUint16(0);
  if (2 + length > padded.length || padded.subarray(2 + length).some((b) => b !== 0)) throw new WardError('INTEGRITY', 'A key grant is malformed (padding).');
  const r = new ByteReader(padded.subarray(2, 2 + length), 'A key grant');
  if (r.u8('version') !== PAYLOAD_VERSION) throw new WardError('INTEGRITY', 'A key grant has an unknown version.');
  const kind = r.u8('kind');
  const reader = r.hex(64, 'reader');
  if (kind === KIND_SHARE) {
    const batchWard = checksumAddress(r.hex(20, 'batch ward'));
    const batchId = r.hex(32, 'batch id');
    const batchBlock = r.u64('batch block');
    const shareIndex = r.u32('share index');
    const first = r.u32('first record');
    const count = r.u32('record count');
    const shareKey = new Uint8Array(r.bytes(32, 'share key'));
    const shareProof = Array.from({ length: r.u8('proof length') }, () => r.hex(32, 'share proof'));
    const header = decodeHeader(r, batchWard);
    r.end();
    return { kind: 'share', reader, batchWard, batchId, batchBlock, shareIndex, first, count, shareKey, shareProof, header };
  }
  if (kind === KIND_SCOPE) {
    const patient = getAddress(r.hex(20, 'patient'));
    const scopeId = r.shortString('scope id');
    const wrappedKey = new Uint8Array(r.bytes(READER_SEALED_BYTES, 'wrapped key'));
    r.end();
    return { kind: 'scope', reader, patient, scopeId, wrappedKey };
  }
  if (kind === KIND_TRANSFER) {
    const patient = getAddress(r.hex(20, 'patient'));
    const wrappedKey = new Uint8Array(r.bytes(READER_SEALED_BYTES, 'wrapped key'));
    const sealedNote = new Uint8Array(r.bytes(r.u32('note length'), 'note'));
    r.end();
    return { kind: 'transfer', reader, patient, wrappedKey, sealedNote };
  }
  throw new WardError('INTEGRITY', 'A key grant is of an unknown kind.');
}

// --- the batch payload: sealed records, each prefixed with its length --------------------------

export function joinSealedRecords(sealed: Uint8Array[]): Uint8Array {
  const w = new ByteWriter();
  for (const s of sealed) w.varint(s.length).bytes(s);
  return w.finish();
}

/** @throws WardError('INTEGRITY') when the framing is broken or the count differs. */
export function splitSealedRecords(payload: Uint8Array, expectedCount: number): Uint8Array[] {
  const r = new ByteReader(payload, 'A consortium batch payload');
  const out: Uint8Array[] = [];
  while (r.remaining > 0) out.push(r.bytes(r.varint('record length'), 'record'));
  if (out.length !== expectedCount) throw new WardError('INTEGRITY', `A consortium batch holds ${out.length} records but says ${expectedCount}.`);
  return out;
}
