/**
 * Byte-level building blocks of the store's binary formats: a growable writer and a bounds-checked
 * reader (unsigned LEB128 varints, fixed-width big-endian integers, length-prefixed bytes and
 * strings), and the canonical-hex checks that decide whether a field can be stored as raw bytes.
 *
 * Every read is checked: a truncated or altered value is an INTEGRITY error, never a short field.
 */
import { WardError } from '../model/errors';

const DAMAGED = 'The record store holds a damaged entry; restore it from a backup.';

/** The error for an entry that cannot be read back. */
export function damagedEntry(): WardError {
  return new WardError('INTEGRITY', DAMAGED);
}

export class ByteWriter {
  private buf: Buffer;
  private at = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.at++] = v;
    return this;
  }

  /** Unsigned LEB128, for integers up to 2^53. */
  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new WardError('INTERNAL', 'A stored number must be a non-negative integer.');
    this.room(8);
    while (v >= 0x80) {
      this.buf[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.at++] = v;
    return this;
  }

  /** 64-bit big-endian (times in milliseconds: ordered when compared as bytes). */
  u64(v: number): this {
    this.room(8);
    this.buf.writeBigUInt64BE(BigInt(v), this.at);
    this.at += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  /** Length-prefixed bytes. */
  blob(b: Uint8Array): this {
    return this.varint(b.length).bytes(b);
  }

  /** Length-prefixed UTF-8. */
  string(s: string): this {
    return this.blob(Buffer.from(s, 'utf8'));
  }

  /** Lowercase 0x hex as raw bytes (check with isCanonicalHex first). */
  hex(h: string): this {
    return this.bytes(Buffer.from(h.slice(2), 'hex'));
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

export class ByteReader {
  private at = 0;
  /** The same bytes as a Buffer (for hex), made once per reader rather than once per field. */
  private view: Buffer | undefined;
  constructor(private readonly buf: Uint8Array) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw damagedEntry();
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
    throw damagedEntry();
  }

  u64(): number {
    this.need(8);
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.at, 8).readBigUInt64BE();
    this.at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw damagedEntry();
    return Number(v);
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  blob(): Uint8Array {
    return this.bytes(this.varint());
  }

  /** Pass over n bytes (checked like a read). */
  skip(n: number): this {
    this.need(n);
    this.at += n;
    return this;
  }

  string(): string {
    const b = this.blob();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  /** n raw bytes as lowercase 0x hex. */
  hex(n: number): string {
    this.need(n);
    const out = this.hexOf(this.at, n);
    this.at += n;
    return out;
  }

  /** n raw bytes at `start` (already read) as lowercase 0x hex. */
  hexOf(start: number, n: number): string {
    if (start < 0 || start + n > this.buf.length) throw damagedEntry();
    const b = (this.view ??= Buffer.isBuffer(this.buf) ? this.buf : Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
    return '0x' + b.toString('hex', start, start + n);
  }

  /** Where the next read starts. */
  get position(): number {
    return this.at;
  }

  get done(): boolean {
    return this.at === this.buf.length;
  }

  /** Every byte consumed, or the entry is damaged. */
  end(): void {
    if (!this.done) throw damagedEntry();
  }
}

const HEX = /^0x(?:[0-9a-f]{2})*$/;

/** Lowercase 0x hex of exactly `bytes` bytes (any length when omitted): stored raw, read back identical. */
export function isCanonicalHex(v: unknown, bytes?: number): v is string {
  return typeof v === 'string' && (bytes === undefined ? v.length <= 1_000_000 : v.length === 2 + 2 * bytes) && HEX.test(v);
}

/** Big-endian fixed-width unsigned integer into `out` at `offset` (width ≤ 8 bytes). */
export function putUint(out: Uint8Array, offset: number, width: number, v: number): void {
  for (let i = width - 1; i >= 0; i--) {
    out[offset + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

export function getUint(b: Uint8Array, offset: number, width: number): number {
  let x = 0;
  for (let i = 0; i < width; i++) x = x * 256 + b[offset + i]!;
  return x;
}
