/**
 * The byte layout of what the consortium chain carries: a tiny writer and a strict reader.
 *
 * Why binary instead of JSON: every byte published costs gas (16 per calldata byte, 8 more in the
 * event) and counts against the node's 128 KB transaction limit; hex-in-JSON would double it.
 * The reader never trusts a length: anything that runs past the end, or leaves bytes over where
 * none may be, is a WardError('INTEGRITY') with a message that names the field, never its value.
 */
import { WardError } from '../model/errors';
import { bytesToHex, hexToBytes } from '../crypto/hex';

export class ByteWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  bytes(b: Uint8Array): this {
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }

  /** 0x hex of exactly `length` bytes. */
  hex(hex: string, length: number, what: string): this {
    return this.bytes(hexToBytes(hex, length, what));
  }

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new WardError('BAD_INPUT', `A consortium field does not fit in one byte (${v > 0xff ? 'too many entries' : 'invalid value'}).`);
    return this.bytes(Uint8Array.of(v));
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new WardError('BAD_INPUT', 'A consortium field does not fit in 32 bits.');
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v);
    return this.bytes(b);
  }

  u64(v: number | bigint): this {
    const big = BigInt(v);
    if (big < 0n || big >= 1n << 64n) throw new WardError('BAD_INPUT', 'A consortium field does not fit in 64 bits.');
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, big);
    return this.bytes(b);
  }

  /** Unsigned LEB128. */
  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new WardError('BAD_INPUT', 'A consortium length is invalid.');
    const out: number[] = [];
    do {
      let byte = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) byte |= 0x80;
      out.push(byte);
    } while (v > 0);
    return this.bytes(Uint8Array.from(out));
  }

  /** A short UTF-8 string: one length byte, then the bytes. */
  shortString(s: string, what: string): this {
    const b = new TextEncoder().encode(s);
    if (b.length > 0xff) throw new WardError('BAD_INPUT', `The ${what} is too long to publish.`);
    return this.u8(b.length).bytes(b);
  }

  get length(): number {
    return this.size;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export class ByteReader {
  private at = 0;
  constructor(
    private readonly data: Uint8Array,
    /** What is being read, for error messages ("a sealed record", "a key grant"). */
    private readonly what: string,
  ) {}

  private fail(field: string): never {
    throw new WardError('INTEGRITY', `${this.what} is malformed (${field}).`);
  }

  bytes(n: number, field: string): Uint8Array {
    if (n < 0 || this.at + n > this.data.length) this.fail(field);
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  hex(n: number, field: string): string {
    return bytesToHex(this.bytes(n, field));
  }

  u8(field: string): number {
    return this.bytes(1, field)[0]!;
  }

  u32(field: string): number {
    const b = this.bytes(4, field);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  }

  u64(field: string): number {
    const b = this.bytes(8, field);
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(field);
    return Number(v);
  }

  varint(field: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8(field);
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) this.fail(field);
        return value;
      }
      scale *= 128;
    }
    return this.fail(field);
  }

  shortString(field: string): string {
    const b = this.bytes(this.u8(field), field);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return this.fail(field);
    }
  }

  /** Everything not read yet. */
  rest(): Uint8Array {
    return this.bytes(this.data.length - this.at, 'rest');
  }

  get remaining(): number {
    return this.data.length - this.at;
  }

  /** Fails unless every byte was read. */
  end(): void {
    if (this.at !== this.data.length) this.fail('trailing bytes');
  }
}
