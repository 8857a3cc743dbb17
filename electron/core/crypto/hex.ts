/**
 * Strict hex <-> bytes helpers for the crypto module.
 *
 * Output is always lowercase and 0x-prefixed (the form ethers and the contracts use). Input may omit
 * the prefix. Unlike `Buffer.from(s, 'hex')`, which silently stops at the first bad character,
 * these reject malformed input so a corrupted field can never decode to a shorter, "valid" value.
 */
import { WardError } from '../model/errors';
import type { WardErrorCode } from '../model/errors';

/** Decode hex (with or without 0x) into bytes; `expectedLength` in bytes if given. */
export function hexToBytes(hex: string, expectedLength?: number, what = 'value', code: WardErrorCode = 'BAD_INPUT'): Uint8Array {
  if (typeof hex !== 'string') throw new WardError(code, `The ${what} is not a hex string.`);
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (body.length % 2 !== 0) throw new WardError(code, `The ${what} is not valid hex.`);
  if (expectedLength !== undefined && body.length !== expectedLength * 2) {
    throw new WardError(code, `The ${what} must be ${expectedLength} bytes long.`);
  }
  // Buffer's decoder stops at the first character that is not hex, so a full-length result
  // proves the whole string valid — checked without a regular expression over long ciphertexts.
  const buf = Buffer.from(body, 'hex');
  if (buf.length * 2 !== body.length) throw new WardError(code, `The ${what} is not valid hex.`);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Encode bytes as lowercase 0x-prefixed hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
