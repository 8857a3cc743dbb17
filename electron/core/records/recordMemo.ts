/**
 * What a record's verification memo covers, as one run of bytes for one HMAC (VerifiedCache):
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

  number(v: number | null | undefined): void {
    if (v === null || v === undefined) this.absent();
    else this.text(String(v));
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/** The bytes a record's memo covers under this anchor (none: a record not yet anchored). */
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
  const b = record.batchSignature;
  if (b) {
    w.hex(b.root);
    w.number(b.count);
    w.number(b.createdAt);
    w.hex(b.signature);
  } else for (let i = 0; i < 4; i++) w.absent();
  w.number(record.cipher.v);
  w.hex(record.cipher.scopeId);
  w.hex(record.cipher.iv);
  w.hex(record.cipher.ct);
  if (anchor) {
    w.hex(anchor.root);
    w.number(anchor.batchId);
    w.number(anchor.block);
  } else for (let i = 0; i < 3; i++) w.absent();
  return w.bytes();
}
