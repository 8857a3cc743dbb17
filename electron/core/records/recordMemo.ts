/**
 * What a record's verification memo covers, as one run of bytes for one HMAC (VerifiedCache).
 *
 * Two forms. The stored form (`storedCoveredBytes`, issue 12 cold opens) takes the record as the
 * store holds it: its patient (from its key), its binary body exactly as stored (storage/
 * recordBinary.ts: every signed and leaf field, the signature, its place in its signature tree,
 * the ciphertext's version, scope, nonce and bytes), its batch signature (root, count, time,
 * signature: the signature tree's header) and the anchor's root, batch and block. The record is
 * decoded from just these bytes, so equal bytes are equal fields: the memo attests every field the
 * field form does, and nothing is re-encoded to check it (a first open after a restart spent about
 * a tenth of its CPU making hex strings into bytes again). A body kept as JSON, and a record not read
 * from the store, take the field form.
 *
 * The field form (`memoCoveredBytes`):
 * every field the author's signature and the Merkle leaf cover (id, patient, patient reference,
 * content hash, amends, kind, author, role, signed version, time, salt, commitment), the
 * signature itself (for a batch signature also its root, count and time), the stored ciphertext
 * whole (its version, scope, nonce and bytes), and the anchor's root, batch and block. Proofs are
 * not covered: once a leaf was proven under a root on the chain, it stays under that root.
 *
 * Each field is a type byte (absent, hex bytes, text), a 4-byte length and its bytes, so field
 * boundaries cannot shift and a hex field with anything but hex in it is taken as text (another
 * tag). Hex fields are decoded straight into the buffer: no digests, no JSON (the memo before
 * was an HMAC of the hex of a SHA-256 of a JSON array of the signed fields and of a SHA-256 of the
 * ciphertext: building and checking it took about a third more CPU, measured over 10,000 records).
 */
import type { AnchorRef, StoredRecord } from '../storage/storedRecord';

const ABSENT = 0;
const HEX = 1;
const TEXT = 2;
/** Bytes as they are (the stored body). */
const RAW = 3;

class CoveredBytes {
  private buf: Buffer;
  private at = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): void {
    if (this.at + 5 + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + 5 + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  private head(type: number, length: number): void {
    this.buf[this.at] = type;
    this.buf.writeUInt32BE(length, this.at + 1);
    this.at += 5;
  }

  absent(): void {
    this.room(0);
    this.head(ABSENT, 0);
  }

  text(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.room(n);
    this.head(TEXT, n);
    this.buf.write(s, this.at, n, 'utf8');
    this.at += n;
  }

  /** A 0x hex string as its bytes; anything else (odd length, a stray character) as text. */
  hex(s: string | null | undefined): void {
    if (s === null || s === undefined) return this.absent();
    if (!(s.startsWith('0x') || s.startsWith('0X')) || s.length % 2 !== 0) return this.text(s);
    const n = (s.length - 2) / 2;
    this.room(n);
    // Buffer's decoder stops at the first character that is not hex: a short write is not hex.
    const written = this.buf.write(s.slice(2), this.at + 5, n, 'hex');
    if (written !== n) return this.text(s);
    this.head(HEX, n);
    this.at += n;
  }

  /** The head of `n` raw bytes that follow as a part of their own (not copied: see storedCoveredBytes). */
  rawHead(n: number): void {
    this.room(0);
    this.head(RAW, n);
  }

  number(v: number | null | undefined): void {
    if (v === null || v === undefined) this.absent();
    else this.text(String(v));
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/** What the stored form covers of a record as read: its patient and its body as stored. */
export interface StoredForm {
  patient: string;
  body: Uint8Array;
}

/**
 * The bytes a record's memo covers in the stored form (see above): `batch` is the batch signature
 * it is read with (its signature tree's header), `anchor` none for a record not yet anchored.
 */
export function storedCoveredBytes(stored: StoredForm, batch: StoredRecord['batchSignature'], anchor: AnchorRef | undefined): Uint8Array[] {
  // Three parts, MACed one after the other: the body is not copied.
  const w = new CoveredBytes(32);
  w.hex(stored.patient);
  w.rawHead(stored.body.length);
  return [w.bytes(), stored.body, batchAndAnchorBytes(batch, anchor)];
}

/**
 * The bytes of the batch signature and anchor last laid out, by their values (not by object: an
 * edited field is another value): a page's records come some twenty to a batch and an anchor,
 * whose bytes (hex decoded, numbers as text) are made once for them, not again for each record.
 * Never altered once made (only MACed).
 */
let lastTail: { root?: string; count?: number; createdAt?: number; signature?: string; anchorRoot?: string; batchId?: number; block?: number; bytes: Uint8Array } | null = null;

function batchAndAnchorBytes(b: StoredRecord['batchSignature'], anchor: AnchorRef | undefined): Uint8Array {
  const t = lastTail;
  if (t && t.root === b?.root && t.count === b?.count && t.createdAt === b?.createdAt && t.signature === b?.signature && t.anchorRoot === anchor?.root && t.batchId === anchor?.batchId && t.block === anchor?.block) return t.bytes;
  const w = new CoveredBytes(256);
  batchAndAnchor(w, b, anchor);
  const bytes = w.bytes();
  lastTail = { root: b?.root, count: b?.count, createdAt: b?.createdAt, signature: b?.signature, anchorRoot: anchor?.root, batchId: anchor?.batchId, block: anchor?.block, bytes };
  return bytes;
}

function batchAndAnchor(w: CoveredBytes, b: StoredRecord['batchSignature'], anchor: AnchorRef | undefined): void {
  batchFields(w, b);
  anchorFields(w, anchor);
}

/** A batch signature's root, count, time and signature (four absent fields without one). */
function batchFields(w: CoveredBytes, b: StoredRecord['batchSignature']): void {
  if (b) {
    w.hex(b.root);
    w.number(b.count);
    w.number(b.createdAt);
    w.hex(b.signature);
  } else for (let i = 0; i < 4; i++) w.absent();
}

/** The anchor's root, batch and block (three absent fields for a record not yet anchored). */
function anchorFields(w: CoveredBytes, anchor: AnchorRef | undefined): void {
  if (anchor) {
    w.hex(anchor.root);
    w.number(anchor.batchId);
    w.number(anchor.block);
  } else for (let i = 0; i < 3; i++) w.absent();
}

/** The bytes a record's memo covers in the field form under this anchor (none: a record not yet anchored). */
export function memoCoveredBytes(record: StoredRecord, anchor: AnchorRef | undefined): Uint8Array {
  const w = new CoveredBytes(1024 + (record.cipher.ct.length >> 1));
  w.hex(record.id);
  w.hex(record.patient);
  w.hex(record.patientRef);
  w.hex(record.contentHash);
  w.hex(record.amends);
  w.text(record.kind);
  w.hex(record.author);
  w.text(record.authorRole);
  w.number(record.signedVersion ?? 1);
  w.number(record.createdAt);
  w.hex(record.salt);
  w.hex(record.commitment);
  w.hex(record.signature);
  batchFields(w, record.batchSignature);
  w.number(record.cipher.v);
  w.hex(record.cipher.scopeId);
  w.hex(record.cipher.iv);
  w.hex(record.cipher.ct);
  anchorFields(w, anchor);
  return w.bytes();
}
