/**
 * A stored record as bytes. Today's log holds each record as JSON with some twenty 0x-hex strings
 * (3.5 KB in memory, 2.9 KB on disk with its share of the batch proof); here the same fields are
 * raw bytes. The patient's address is in the record's key (keys.ts), not repeated in the body; a
 * batch signature and its Merkle tree are stored once per batch (merkleTrees.ts) and each record
 * keeps only its tree number and leaf index, its proof being read from the tree.
 *
 * The salted commitment is keccak256(salt || contentHash) and is recomputed, not stored — unless a
 * record carries one that does not match (only a damaged migrated log can), which is then kept as
 * it was so verification still reports it. Anything that does not fit the compact form (an
 * unknown kind or role, an address without its checksum, a field that is not canonical hex) is
 * kept as JSON: nothing is ever lost or silently normalised.
 *
 * Layout of format 1 (b = byte, v = unsigned LEB128 varint):
 *   b format=1, b flags (1 signature, 2 batch, 4 amends, 8 commitment, 16 role signed: the record's
 *   signedVersion is 2), b kind, b role, v createdAt, 32 id, 32 patientRef, 20 author,
 *   32 contentHash, 32 salt, [32 amends], [32 commitment], [65 signature], [v treeNo, v leafIndex],
 *   16 scopeId, 12 iv, v ctLength, ct
 */
import { getAddress } from 'ethers';
import type { Role } from '../model/people';
import { commitToHash } from '../crypto/commitment';
import { keccak256Bytes } from '../crypto/keccak';
import { NO_AMENDS } from '../crypto/recordSignature';
import type { StoredRecord } from './storedRecord';
import { BoundedCache } from './boundedCache';
import { ByteReader, ByteWriter, damagedEntry, isCanonicalHex } from './bytes';

const FORMAT_JSON = 0;
const FORMAT_BINARY = 1;

const F_SIGNATURE = 1;
const F_BATCH = 2;
const F_AMENDS = 4;
const F_COMMITMENT = 8;
/** The author's role is among the signed fields (typed data version 2, records/storedRecord.ts). */
const F_ROLE_SIGNED = 16;

const KINDS = ['vitals', 'note', 'diagnosis', 'amendment'] as const;
const ROLES = ['patient', 'doctor', 'nurse', 'insurer', 'it-admin', 'station'] as const satisfies ReadonlyArray<Role | 'station'>;

/** A batch-signed record's place in its signature tree. */
export interface TreePlace {
  treeNo: number;
  leafIndex: number;
}

/**
 * What a body holds: the record, whose patient (in the key) the caller supplies and whose batch
 * signature (in the tree) the caller attaches; a JSON body is the whole record as it was.
 */
export type DecodedRecord = { format: 'json'; record: StoredRecord } | { format: 'binary'; record: StoredRecord; signatureTree: TreePlace | null };

function hexOf(b: Uint8Array): string {
  return '0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** EIP-55 form of 20 address bytes; a keccak per address, so remembered. */
const checksummed = new BoundedCache<string, string>(4096);
function addressOf(hex: string): string {
  let a = checksummed.get(hex);
  if (!a) checksummed.set(hex, (a = getAddress(hex)));
  return a;
}

function isChecksummedAddress(a: unknown): a is string {
  if (typeof a !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(a)) return false;
  return addressOf(a.toLowerCase()) === a;
}

/** Whether the record can take the compact form at all (otherwise it is kept as JSON). */
function compactable(r: StoredRecord, tree: TreePlace | null): boolean {
  return (
    (KINDS as readonly string[]).includes(r.kind) &&
    (ROLES as readonly string[]).includes(r.authorRole) &&
    Number.isSafeInteger(r.createdAt) &&
    r.createdAt >= 0 &&
    isChecksummedAddress(r.patient) &&
    isChecksummedAddress(r.author) &&
    isCanonicalHex(r.id, 32) &&
    isCanonicalHex(r.patientRef, 32) &&
    isCanonicalHex(r.contentHash, 32) &&
    isCanonicalHex(r.salt, 32) &&
    isCanonicalHex(r.amends, 32) &&
    isCanonicalHex(r.commitment, 32) &&
    (r.signature === '' || isCanonicalHex(r.signature, 65)) &&
    !!r.batchSignature === !!tree &&
    (r.signature === '') === !!r.batchSignature &&
    r.cipher?.v === 1 &&
    isCanonicalHex(r.cipher.scopeId, 16) &&
    isCanonicalHex(r.cipher.iv, 12) &&
    isCanonicalHex(r.cipher.ct) &&
    (r.signedVersion === undefined || r.signedVersion === 2) &&
    Object.keys(r).length === 13 + (r.batchSignature ? 1 : 0) + (r.signedVersion === 2 ? 1 : 0) &&
    Object.keys(r.cipher).length === 4
  );
}

/** The body; `compact` tells whether it took the binary form (a JSON body keeps its own proof). */
export function encodeRecordBody(r: StoredRecord, tree: TreePlace | null): { body: Buffer; compact: boolean } {
  if (!compactable(r, tree)) return { body: new ByteWriter(1024).u8(FORMAT_JSON).bytes(Buffer.from(JSON.stringify(r), 'utf8')).finish(), compact: false };
  const amends = r.amends !== NO_AMENDS;
  const commitment = commitToHash(r.contentHash, r.salt).commitment !== r.commitment;
  const flags = (r.signature ? F_SIGNATURE : 0) | (tree ? F_BATCH : 0) | (amends ? F_AMENDS : 0) | (commitment ? F_COMMITMENT : 0) | (r.signedVersion === 2 ? F_ROLE_SIGNED : 0);
  const w = new ByteWriter(320 + r.cipher.ct.length / 2)
    .u8(FORMAT_BINARY)
    .u8(flags)
    .u8(KINDS.indexOf(r.kind as (typeof KINDS)[number]))
    .u8(ROLES.indexOf(r.authorRole))
    .varint(r.createdAt)
    .hex(r.id)
    .hex(r.patientRef)
    .hex(r.author.toLowerCase())
    .hex(r.contentHash)
    .hex(r.salt);
  if (amends) w.hex(r.amends);
  if (commitment) w.hex(r.commitment);
  if (r.signature) w.hex(r.signature);
  if (tree) w.varint(tree.treeNo).varint(tree.leafIndex);
  w.hex(r.cipher.scopeId).hex(r.cipher.iv);
  w.varint((r.cipher.ct.length - 2) / 2).hex(r.cipher.ct);
  return { body: w.finish(), compact: true };
}

/** A binary body's reader past its format, flags, kind, role and time, with the flags; null for a JSON body. */
function bodyHead(body: Uint8Array): { r: ByteReader; flags: number } | null {
  const r = new ByteReader(body);
  const format = r.u8();
  if (format === FORMAT_JSON) return null;
  if (format !== FORMAT_BINARY) throw damagedEntry();
  const flags = r.u8();
  r.skip(2).varint();
  return { r, flags };
}

/** Past patientRef, author, contentHash, salt, then the optional amends, commitment and signature (after the id). */
function skipSignedFields(r: ByteReader, flags: number): void {
  r.skip(32 + 20 + 32 + 32 + (flags & F_AMENDS ? 32 : 0) + (flags & F_COMMITMENT ? 32 : 0) + (flags & F_SIGNATURE ? 65 : 0));
}

/**
 * A binary body's record id and signature tree, read without decoding the rest (no hex strings):
 * what a read needs to find the record's trees and to recognise a record it holds already decoded
 * from the same bytes. Null for a JSON body (decode it).
 */
export function peekRecordBody(body: Uint8Array): { id: string; signatureTree: TreePlace | null } | null {
  const head = bodyHead(body);
  if (!head) return null;
  const { r, flags } = head;
  const id = r.hex(32);
  if (!(flags & F_BATCH)) return { id, signatureTree: null };
  skipSignedFields(r, flags);
  return { id, signatureTree: { treeNo: r.varint(), leafIndex: r.varint() } };
}

/**
 * A binary body's key scope id (0x hex), read without decoding the rest: what a reader needs to
 * find its key for a record an opened block vouches for (records/openedBlocks.ts). Null for a
 * JSON body. @throws WardError('INTEGRITY') for a damaged body.
 */
export function scopeOfBody(body: Uint8Array): string | null {
  return atCipher(body)?.hex(16) ?? null;
}

/**
 * A binary body's nonce and ciphertext as views of the body (no hex): what a reader decrypts, the
 * same bytes `decodeRecordBody` turns into the record's cipher.iv and cipher.ct. Null for a JSON
 * body. @throws WardError('INTEGRITY') for a damaged body.
 */
export function cipherBytesOf(body: Uint8Array): { iv: Uint8Array; ct: Uint8Array } | null {
  const r = atCipher(body);
  if (!r) return null;
  r.skip(16); // scope
  const iv = r.bytes(12);
  const ct = r.bytes(r.varint());
  r.end();
  return { iv, ct };
}

/** A binary body read up to its ciphertext (scope, nonce, bytes), past the id, signed fields and tree place; null for a JSON body. */
function atCipher(body: Uint8Array): ByteReader | null {
  const head = bodyHead(body);
  if (!head) return null;
  const { r, flags } = head;
  r.skip(32); // id
  skipSignedFields(r, flags);
  if (flags & F_BATCH) {
    r.varint(); // tree number
    r.varint(); // leaf index
  }
  return r;
}

/** salt || contentHash in one scratch buffer (hashed at once, never kept): no buffer per record decoded. */
const scratch = new Uint8Array(64);
function saltThenHash(salt: Uint8Array, hash: Uint8Array): Uint8Array {
  scratch.set(salt, 0);
  scratch.set(hash, 32);
  return scratch;
}

export function decodeRecordBody(body: Uint8Array, patient: string): DecodedRecord {
  const r = new ByteReader(body);
  const format = r.u8();
  if (format === FORMAT_JSON) {
    const rest = r.bytes(body.length - 1);
    return { format: 'json', record: JSON.parse(Buffer.from(rest.buffer, rest.byteOffset, rest.byteLength).toString('utf8')) as StoredRecord };
  }
  if (format !== FORMAT_BINARY) throw damagedEntry();
  const flags = r.u8();
  const kind = KINDS[r.u8()];
  const authorRole = ROLES[r.u8()];
  if (!kind || !authorRole) throw damagedEntry();
  const createdAt = r.varint();
  const id = r.hex(32);
  const patientRef = r.hex(32);
  const author = addressOf(r.hex(20));
  const hashAt = r.position;
  const hashBytes = r.bytes(32);
  const saltBytes = r.bytes(32);
  const contentHash = r.hexOf(hashAt, 32);
  const salt = r.hexOf(hashAt + 32, 32);
  const amends = flags & F_AMENDS ? r.hex(32) : NO_AMENDS;
  const storedCommitment = flags & F_COMMITMENT ? r.hex(32) : null;
  const signature = flags & F_SIGNATURE ? r.hex(65) : '';
  const signatureTree = flags & F_BATCH ? { treeNo: r.varint(), leafIndex: r.varint() } : null;
  const scopeId = r.hex(16);
  const iv = r.hex(12);
  const ct = r.bytes(r.varint());
  r.end();
  // The commitment (keccak256(salt || contentHash), as commitment.commitToHash computes it) and the
  // ciphertext's hex are spelled out when first read: a record opened on a memo's word reads
  // neither (it is decrypted from the body's bytes), and a history opened is 5,000 of them (a
  // keccak and 1.4 KB of hex each, about 30 ms of a first 72 h open). See spelledOnRead.
  const spelled: Unspelled = { saltBytes, hashBytes, ct, commitment: undefined, ctHex: undefined };
  const record = (
    flags & F_ROLE_SIGNED
      ? { id, patient, patientRef, kind, authorRole, signedVersion: 2 as const, author, createdAt, amends, contentHash, salt }
      : { id, patient, patientRef, kind, authorRole, author, createdAt, amends, contentHash, salt }
  ) as StoredRecord;
  if (storedCommitment === null) Object.defineProperty(record, 'commitment', COMMITMENT_ON_READ);
  else record.commitment = storedCommitment;
  record.signature = signature;
  const cipher = { v: 1 as const, scopeId, iv } as StoredRecord['cipher'];
  Object.defineProperty(cipher, 'ct', CT_ON_READ);
  record.cipher = cipher;
  spelledOnRead.set(record, spelled);
  spelledOnRead.set(cipher, spelled);
  return { format: 'binary', record, signatureTree };
}

/**
 * What a decoded record spells only when read (decodeRecordBody): its commitment and its
 * ciphertext's hex, from the body's bytes, then kept.
 */
interface Unspelled {
  saltBytes: Uint8Array;
  hashBytes: Uint8Array;
  ct: Uint8Array;
  commitment: string | undefined;
  ctHex: string | undefined;
}

/**
 * The record (and its cipher) of each decoded body, to what it spells on read. The two fields are
 * accessors shared by every record (one getter and setter each, below), added in their place among
 * the keys: the record reads, spreads, serialises and takes new values as if filled at once, and
 * records keep one hidden class in V8's fast mode. A getter made per record (a closure each, then
 * redefined as a value once read) put every record in dictionary mode: 1.9 KB a record instead of
 * 0.2 and property reads ten times slower, measured with %HasFastProperties on Node 20.
 */
const spelledOnRead = new WeakMap<object, Unspelled>();

/**
 * The accessor of one spelled field, shared by every record: spelled from the body's bytes when
 * first read (`spell`), then kept under `kept`; a value set is kept as it is.
 */
function spelledField(kept: 'commitment' | 'ctHex', spell: (s: Unspelled) => string): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: object): string {
      const s = spelledOnRead.get(this)!;
      return (s[kept] ??= spell(s));
    },
    set(this: object, value: string) {
      spelledOnRead.get(this)![kept] = value;
    },
  };
}

const COMMITMENT_ON_READ = spelledField('commitment', (s) => hexOf(keccak256Bytes(saltThenHash(s.saltBytes, s.hashBytes))));
const CT_ON_READ = spelledField('ctHex', (s) => hexOf(s.ct));
