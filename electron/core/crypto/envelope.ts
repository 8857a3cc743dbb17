/**
 * Multi-recipient encryption envelope for one record.
 *
 * Payload: a fresh random AES-256-GCM data key and 96-bit nonce per envelope; the record context
 * (e.g. the record id) is the GCM additional data, so an envelope moved onto another record fails
 * to open.
 *
 * Key wrap, per recipient: a fresh ephemeral secp256k1 key; ECDH with the recipient's public key
 * (@noble/curves — Electron's BoringSSL has no secp256k1, so Node's native ECDH is not portable);
 * the raw shared x-coordinate goes through HKDF-SHA256 whose info binds a protocol label, the
 * context, the recipient key and the ephemeral key; the result is a one-time key-encryption key
 * that AES-GCM-wraps the data key under its own fresh nonce.
 *
 * Encoding: every byte field is lowercase 0x-prefixed hex. `recipient` is the 64-byte uncompressed
 * public key without the 04 prefix (the registry contract's format); `epk` is the 33-byte
 * compressed ephemeral key (it is internal to the envelope, so the shorter form is used).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { WardError } from '../model/errors';
import { AES_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmDecrypt, gcmEncrypt, randomUint8 } from './aesGcm';
import { bytesToHex, concatBytes, hexToBytes } from './hex';

export interface WrappedKey {
  /** Reader's public key: 64-byte uncompressed secp256k1 point without the 04 prefix, 0x hex. */
  recipient: string;
  /** Ephemeral public key, 33-byte compressed, 0x hex. */
  epk: string;
  /** 12-byte GCM nonce of the wrap, 0x hex. */
  iv: string;
  /** Wrapped data key: 32-byte ciphertext || 16-byte tag, 0x hex. */
  wrapped: string;
}

export interface Envelope {
  v: 1;
  /** 12-byte GCM nonce of the payload, 0x hex. */
  iv: string;
  /** Payload ciphertext || 16-byte tag, 0x hex. */
  ct: string;
  recipients: WrappedKey[];
}

const PAYLOAD_LABEL = utf8('WardLedger/envelope/v1/payload\0');
const KEK_LABEL = utf8('WardLedger/envelope/v1/kek\0');
const WRAP_AAD = utf8('WardLedger/envelope/v1/wrap');
const DAMAGED = 'The record could not be decrypted: its encrypted data was altered or does not belong to this record.';
const NOT_A_READER = 'This account is not allowed to read this record.';

/**
 * Encrypt `plaintext` for every public key in `recipientPublicKeys` (duplicates are wrapped once).
 * @param context binds the envelope to one record (use the record id); needed again to open it.
 */
export function sealEnvelope(plaintext: Uint8Array, recipientPublicKeys: string[], context: string): Envelope {
  const { envelope, dataKey } = sealEnvelopeKeepingKey(plaintext, recipientPublicKeys, context);
  dataKey.fill(0);
  return envelope;
}

/**
 * As sealEnvelope, also returning the fresh data key (for keyScope.ts, which reuses one wrapped key
 * for a bounded run of records). Zero the key when done.
 */
export function sealEnvelopeKeepingKey(plaintext: Uint8Array, recipientPublicKeys: string[], context: string): { envelope: Envelope; dataKey: Uint8Array } {
  if (!(plaintext instanceof Uint8Array)) throw new WardError('BAD_INPUT', 'The record content must be bytes.');
  const recipients = normalizeRecipients(recipientPublicKeys);
  if (recipients.length === 0) throw new WardError('BAD_INPUT', 'A record needs at least one reader.');
  const dataKey = randomUint8(AES_KEY_BYTES);
  try {
    const iv = randomUint8(GCM_NONCE_BYTES);
    const ct = gcmEncrypt(dataKey, iv, plaintext, payloadAad(context));
    const envelope: Envelope = { v: 1, iv: bytesToHex(iv), ct: bytesToHex(ct), recipients: recipients.map((r) => wrapDataKey(dataKey, r, context)) };
    return { envelope, dataKey };
  } catch (e) {
    dataKey.fill(0);
    throw e;
  }
}

/**
 * Decrypt an envelope with a reader's private key (0x hex as ethers gives it).
 * @throws WardError('CRYPTO') if the key is not a reader, or the envelope was altered, or
 * `context` is not the one it was sealed with.
 */
export function openEnvelope(env: Envelope, privateKeyHex: string, context: string): Uint8Array {
  const dataKey = unwrapDataKey(env, privateKeyHex, context);
  try {
    return openWithDataKey(env, dataKey, context);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Grant readers: re-wrap the envelope's data key for new public keys (existing readers are left as
 * they are, already-present keys are skipped). The ciphertext is unchanged. The caller must be a
 * current reader. Revocation is not possible this way: a reader who could unwrap keeps that ability.
 */
export function addRecipients(env: Envelope, privateKeyHex: string, newRecipientPublicKeys: string[], context: string): Envelope {
  const dataKey = unwrapDataKey(env, privateKeyHex, context);
  try {
    // Prove the data key really opens this payload under this context before handing it on.
    openWithDataKey(env, dataKey, context).fill(0);
    const present = new Set(env.recipients.map((w) => w.recipient.toLowerCase()));
    const added = normalizeRecipients(newRecipientPublicKeys)
      .filter((r) => !present.has(r.hex))
      .map((r) => wrapDataKey(dataKey, r, context));
    return { v: 1, iv: env.iv, ct: env.ct, recipients: [...env.recipients.map((w) => ({ ...w })), ...added] };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Build the curve's tables for multiplying its generator (the first public key a process derives
 * takes them: about 28 ms, paid by the first record a reader opened after a start). Call when idle.
 */
export function warmUpCurve(): void {
  secp256k1.getPublicKey(hexToBytes('0x' + '00'.repeat(31) + '01'));
}

/** The 64-byte uncompressed public key (no 04 prefix, 0x hex) of a private key. */
export function publicKeyOf(privateKeyHex: string): string {
  return bytesToHex(secp256k1.getPublicKey(parsePrivateKey(privateKeyHex), false).subarray(1));
}

/**
 * Normalise a public key to the registry format (0x + 64 bytes, lowercase). Accepts the 64-byte
 * form with or without 0x, and the 65-byte 04-prefixed form (as ethers' SigningKey.publicKey).
 * @throws WardError('BAD_INPUT') if it is not a point on secp256k1.
 */
export function normalizePublicKey(publicKeyHex: string): string {
  return parseRecipient(publicKeyHex).hex;
}

/**
 * Recover the data key of an envelope (for callers that decrypt several payloads sharing a key
 * scope, or cache keys for a session). Zero the result when done.
 * @throws WardError('CRYPTO') as openEnvelope.
 */
export function unwrapDataKey(env: Envelope, privateKeyHex: string, context: string): Uint8Array {
  assertEnvelopeShape(env);
  const secret = parsePrivateKey(privateKeyHex);
  const me = bytesToHex(secp256k1.getPublicKey(secret, false).subarray(1));
  const mine = env.recipients.find((w) => w.recipient.toLowerCase() === me);
  if (!mine) {
    secret.fill(0);
    throw new WardError('CRYPTO', NOT_A_READER);
  }
  const recipientPoint = hexToBytes(me, 64);
  const epk = hexToBytes(mine.epk, 33, 'ephemeral key', 'CRYPTO');
  let shared: Uint8Array;
  try {
    shared = secp256k1.getSharedSecret(secret, epk, true);
  } catch {
    secret.fill(0);
    throw new WardError('CRYPTO', DAMAGED);
  }
  const kek = deriveKek(shared, context, recipientPoint, epk);
  try {
    const dataKey = gcmDecrypt(kek, hexToBytes(mine.iv, GCM_NONCE_BYTES, 'nonce', 'CRYPTO'), hexToBytes(mine.wrapped, AES_KEY_BYTES + GCM_TAG_BYTES, 'wrapped key', 'CRYPTO'), WRAP_AAD, DAMAGED);
    if (dataKey.length !== AES_KEY_BYTES) throw new WardError('CRYPTO', DAMAGED);
    return dataKey;
  } finally {
    kek.fill(0);
    shared.fill(0);
    secret.fill(0);
  }
}

/** Decrypt the payload with an already unwrapped data key. @throws WardError('CRYPTO'). */
export function openWithDataKey(env: Envelope, dataKey: Uint8Array, context: string): Uint8Array {
  assertEnvelopeShape(env);
  return gcmDecrypt(dataKey, hexToBytes(env.iv, GCM_NONCE_BYTES, 'nonce', 'CRYPTO'), hexToBytes(env.ct, undefined, 'ciphertext', 'CRYPTO'), payloadAad(context), DAMAGED);
}

// ---------------------------------------------------------------------------------------------

interface Recipient {
  hex: string; // 0x + 128 hex, lowercase
  point: Uint8Array; // 65 bytes, 04-prefixed (what noble expects)
}

function wrapDataKey(dataKey: Uint8Array, recipient: Recipient, context: string): WrappedKey {
  const ephemeral = secp256k1.utils.randomSecretKey();
  try {
    const epk = secp256k1.getPublicKey(ephemeral, true);
    const shared = secp256k1.getSharedSecret(ephemeral, recipient.point, true);
    const kek = deriveKek(shared, context, recipient.point.subarray(1), epk);
    shared.fill(0);
    try {
      const iv = randomUint8(GCM_NONCE_BYTES);
      const wrapped = gcmEncrypt(kek, iv, dataKey, WRAP_AAD);
      return { recipient: recipient.hex, epk: bytesToHex(epk), iv: bytesToHex(iv), wrapped: bytesToHex(wrapped) };
    } finally {
      kek.fill(0);
    }
  } finally {
    ephemeral.fill(0);
  }
}

/**
 * KEK = HKDF-SHA256(ikm = shared x-coordinate, info = label || len(context) || context ||
 * recipient (64 B) || epk (33 B)). The length prefix keeps the info unambiguous.
 */
function deriveKek(sharedCompressed: Uint8Array, context: string, recipient64: Uint8Array, epk: Uint8Array): Uint8Array {
  const ctx = utf8(context);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, ctx.length);
  const info = concatBytes(KEK_LABEL, len, ctx, recipient64, epk);
  return hkdf(sha256, sharedCompressed.subarray(1), undefined, info, AES_KEY_BYTES);
}

function payloadAad(context: string): Uint8Array {
  if (typeof context !== 'string' || context.length === 0) throw new WardError('BAD_INPUT', 'An encryption context (record id) is required.');
  return concatBytes(PAYLOAD_LABEL, utf8(context));
}

function normalizeRecipients(keys: string[]): Recipient[] {
  if (!Array.isArray(keys)) throw new WardError('BAD_INPUT', 'Readers must be a list of public keys.');
  const seen = new Map<string, Recipient>();
  for (const k of keys) {
    const r = parseRecipient(k);
    if (!seen.has(r.hex)) seen.set(r.hex, r);
  }
  return [...seen.values()];
}

function parseRecipient(publicKeyHex: string): Recipient {
  const raw = hexToBytes(publicKeyHex, undefined, 'public key');
  let point: Uint8Array;
  if (raw.length === 64) point = concatBytes(Uint8Array.of(4), raw);
  else if (raw.length === 65 && raw[0] === 4) point = raw;
  else throw new WardError('BAD_INPUT', 'A public key must be a 64-byte uncompressed secp256k1 key.');
  if (!secp256k1.utils.isValidPublicKey(point, false)) throw new WardError('BAD_INPUT', 'A public key is not a valid secp256k1 key.');
  return { hex: bytesToHex(point.subarray(1)), point };
}

function parsePrivateKey(privateKeyHex: string): Uint8Array {
  const secret = hexToBytes(privateKeyHex, 32, 'private key');
  if (!secp256k1.utils.isValidSecretKey(secret)) throw new WardError('BAD_INPUT', 'The private key is not a valid secp256k1 key.');
  return secret;
}

function assertEnvelopeShape(env: Envelope): void {
  if (
    typeof env !== 'object' ||
    env === null ||
    env.v !== 1 ||
    typeof env.iv !== 'string' ||
    typeof env.ct !== 'string' ||
    !Array.isArray(env.recipients) ||
    !env.recipients.every((w) => typeof w === 'object' && w !== null && typeof w.recipient === 'string' && typeof w.epk === 'string' && typeof w.iv === 'string' && typeof w.wrapped === 'string')
  ) {
    throw new WardError('CRYPTO', 'The record\'s encryption envelope is damaged or of an unknown version.');
  }
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
