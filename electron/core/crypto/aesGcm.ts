/**
 * AES-256-GCM via Node's native crypto.
 *
 * Why native rather than @noble/ciphers: it is constant-time AES-NI code, ~69,000 400-byte
 * payloads/s on one core (CHAIN.md) versus a few thousand for pure JS, and AES-256-GCM exists in
 * both OpenSSL (Node) and BoringSSL (Electron's Node), so the core behaves the same in the desktop
 * app and in browser mode. The core only ever runs in Node (main process / loopback server).
 *
 * Every call takes its nonce from the caller; callers draw a fresh random 96-bit nonce per
 * encryption (never reused with the same key).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WardError } from '../model/errors';

export const AES_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Fresh random bytes as a plain Uint8Array view. */
export function randomUint8(n: number): Uint8Array {
  const b = randomBytes(n);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Encrypt; returns ciphertext || 16-byte tag. */
export function gcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(body.length + tail.length + tag.length);
  out.set(body, 0);
  out.set(tail, body.length);
  out.set(tag, body.length + tail.length);
  return out;
}

/**
 * Decrypt ciphertext || tag. Throws WardError('CRYPTO') when authentication fails (wrong key,
 * wrong AAD, altered bytes) — the message says nothing about which.
 */
export function gcmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, failure: string): Uint8Array {
  if (sealed.length < GCM_TAG_BYTES || nonce.length !== GCM_NONCE_BYTES) throw new WardError('CRYPTO', failure);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    const body = decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES));
    const tail = decipher.final();
    // GCM's final() checks the tag and yields no bytes: the body is the plaintext (a plain view, no copy).
    if (tail.length === 0) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    const out = new Uint8Array(body.length + tail.length);
    out.set(body, 0);
    out.set(tail, body.length);
    return out;
  } catch {
    throw new WardError('CRYPTO', failure);
  }
}
