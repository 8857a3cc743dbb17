/**
 * The cryptography of the consortium payload: which key seals what, and the tags that let a ward
 * find what is addressed to it without anyone else being able to tell.
 *
 * - A *consortium* is identified by its chain id and ledger address; every key derivation and
 *   every AEAD below binds them, so nothing sealed for one consortium opens on another.
 * - *Share keys*: the records of one patient in one batch (a "share") are sealed under one AES-256
 *   key derived from the publishing ward's share secret, the batch id and the share's index. The
 *   ward can derive it again whenever it grants that share later (transfer of care); nobody else
 *   can. Each record is sealed with the nonce = its index in the batch (the key is fresh per share
 *   and batch ids are random, so no (key, nonce) pair repeats), with the consortium, ward, batch
 *   and index as additional data, so a record moved to another place fails to open.
 * - *Grants* are sealed for the receiving ward's sync key (ECIES: a fresh ephemeral key, ECDH,
 *   HKDF-SHA256 to a one-time AES-256-GCM key and nonce). The receiving ward's workstation can open
 *   them unattended; what they wrap for a person (a ward scope key) is wrapped again for that
 *   person's key inside (sealForReader).
 * - *Tags*: a grant starts with its ephemeral key and a 16-byte tag = HMAC-SHA256(tagKey,
 *   ephemeral key), tagKey = HKDF(ECDH(publisher sync key, receiver sync key)) bound to the
 *   direction publisher → receiver. Only those two wards can compute it; the ephemeral key is
 *   fresh per grant, so no tag repeats and nothing links two grants for the same patient.
 * ECDH runs on libsecp256k1 in WebAssembly (tiny-secp256k1; Electron's BoringSSL has no secp256k1),
 * AES-GCM natively (aesGcm.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { pointFromScalar, pointMultiply } from 'tiny-secp256k1';
import { sha256 } from '@noble/hashes/sha2.js';
import { getAddress } from 'ethers';
import { WardError } from '../model/errors';
import { AES_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmDecrypt, gcmEncrypt } from '../crypto/aesGcm';
import { normalizePublicKey } from '../crypto/envelope';
import { concatBytes, hexToBytes } from '../crypto/hex';
import { ByteWriter } from './wire';

/** Which consortium: its chain and its ledger contract. */
export interface ConsortiumContext {
  chainId: number;
  ledger: string;
}

export const EPK_BYTES = 33;
export const TAG_BYTES = 16;

const utf8 = (s: string) => new TextEncoder().encode(s);
const LABEL = {
  share: utf8('WardLedger/consortium/v1/share-key\0'),
  record: utf8('WardLedger/consortium/v1/record\0'),
  tag: utf8('WardLedger/consortium/v1/tag\0'),
  grant: utf8('WardLedger/consortium/v1/grant\0'),
  reader: utf8('WardLedger/consortium/v1/reader\0'),
};
const OPEN_FAILED = 'A consortium record could not be opened: it was altered, or it belongs to another place in the chain.';

/**
 * An address in its checksummed form (ethers' getAddress: throws on a bad one), remembered: a batch
 * names the same few addresses (ledger, wards, authors, patients) for each of its records, and
 * each checksum is a keccak. Bounded: cleared when it holds CHECKSUMS_KEPT addresses.
 */
export function checksumAddress(address: string): string {
  let known = checksums.get(address);
  if (known === undefined) {
    known = getAddress(address);
    if (checksums.size >= CHECKSUMS_KEPT) checksums.clear();
    checksums.set(address, known);
  }
  return known;
}
const checksums = new Map<string, string>();
const CHECKSUMS_KEPT = 4096;

// Both are asked for every record sealed or opened, for the same few wards and ledgers: their bytes
// are kept. Callers only read them.
const contextBytesOf = new Map<string, Uint8Array>();
const addressBytesOf = new Map<string, Uint8Array>();

function remembered(cache: Map<string, Uint8Array>, key: string, make: () => Uint8Array): Uint8Array {
  let bytes = cache.get(key);
  if (!bytes) {
    bytes = make();
    if (cache.size >= 1024) cache.clear();
    cache.set(key, bytes);
  }
  return bytes;
}

function contextBytes(c: ConsortiumContext): Uint8Array {
  return remembered(contextBytesOf, `${c.chainId}:${c.ledger}`, () => new ByteWriter().u64(c.chainId).hex(checksumAddress(c.ledger), 20, 'ledger address').finish());
}

function addressBytes(a: string, what: string): Uint8Array {
  try {
    return remembered(addressBytesOf, a, () => hexToBytes(checksumAddress(a), 20, what));
  } catch {
    throw new WardError('BAD_INPUT', `The ${what} is not a valid address.`);
  }
}

/** 65-byte 04-prefixed point of a 64-byte (registry format) public key. */
function point(publicKey: string): Uint8Array {
  return concatBytes(Uint8Array.of(4), hexToBytes(normalizePublicKey(publicKey), 64, 'public key'));
}

/**
 * Point arithmetic on libsecp256k1 compiled to WebAssembly (tiny-secp256k1, as record signatures
 * use it): its multiplication is constant-time in the secret and several times faster than
 * @noble/curves' (one agreement per grant sealed or opened: the pull's largest cost).
 */
/** The 65-byte uncompressed public point of a sync private key (for openGrant). */
export function syncPublicPoint(privateKey: string): Uint8Array {
  return publicKeyOf(hexToBytes(privateKey, 32, 'private key'), false);
}

function publicKeyOf(secret: Uint8Array, compressed: boolean): Uint8Array {
  const p = pointFromScalar(secret, compressed);
  if (!p) throw new WardError('CRYPTO', 'A consortium key is not a valid secp256k1 key.');
  return p;
}

function ecdhX(privateKey: string | Uint8Array, publicPoint: Uint8Array): Uint8Array {
  const secret = typeof privateKey === 'string' ? hexToBytes(privateKey, 32, 'private key') : privateKey;
  try {
    const shared = pointMultiply(publicPoint, secret, true);
    if (!shared) throw new Error('no point');
    return shared.subarray(1);
  } catch {
    throw new WardError('CRYPTO', 'A consortium key agreement failed: a key is not a valid secp256k1 key.');
  }
}

// --- share keys and sealed records -------------------------------------------------------------

/** The AES key of share `shareIndex` of batch `batchId` published by `publisher`. */
export function deriveShareKey(shareSecret: Uint8Array, c: ConsortiumContext, publisher: string, batchId: string, shareIndex: number): Uint8Array {
  if (!(shareSecret instanceof Uint8Array) || shareSecret.length < 32) throw new WardError('BAD_INPUT', 'The ward\'s share secret must be 32 bytes.');
  const info = concatBytes(LABEL.share, contextBytes(c), addressBytes(publisher, 'publishing ward'), hexToBytes(batchId, 32, 'batch id'), new ByteWriter().u32(shareIndex).finish());
  return hkdf(sha256, shareSecret, undefined, info, AES_KEY_BYTES);
}

function recordPlace(c: ConsortiumContext, publisher: string, batchId: string, index: number): { nonce: Uint8Array; aad: Uint8Array } {
  const nonce = new Uint8Array(GCM_NONCE_BYTES);
  new DataView(nonce.buffer).setUint32(GCM_NONCE_BYTES - 4, index);
  const aad = concatBytes(LABEL.record, contextBytes(c), addressBytes(publisher, 'publishing ward'), hexToBytes(batchId, 32, 'batch id'), new ByteWriter().u32(index).finish());
  return { nonce, aad };
}

/** Seal record `index` of a batch under its share key (ciphertext || 16-byte tag). */
export function sealRecord(shareKey: Uint8Array, c: ConsortiumContext, publisher: string, batchId: string, index: number, plaintext: Uint8Array): Uint8Array {
  const { nonce, aad } = recordPlace(c, publisher, batchId, index);
  return gcmEncrypt(shareKey, nonce, plaintext, aad);
}

/** Open record `index` of a batch. @throws WardError('CRYPTO') when altered or misplaced. */
export function openRecord(shareKey: Uint8Array, c: ConsortiumContext, publisher: string, batchId: string, index: number, sealed: Uint8Array): Uint8Array {
  const { nonce, aad } = recordPlace(c, publisher, batchId, index);
  return gcmDecrypt(shareKey, nonce, sealed, aad, OPEN_FAILED);
}

// --- tags -------------------------------------------------------------------------------------

/**
 * The key for tags of grants from `publisher` to `receiver`, computed by either side: the
 * publisher with its sync private key and the receiver's sync public key, or the receiver with its
 * sync private key and the publisher's sync public key.
 */
export function tagKey(ownPrivateKey: string, otherSyncPublicKey: string, c: ConsortiumContext, publisher: string, receiver: string): Uint8Array {
  const x = ecdhX(ownPrivateKey, point(otherSyncPublicKey));
  try {
    const info = concatBytes(LABEL.tag, contextBytes(c), addressBytes(publisher, 'publishing ward'), addressBytes(receiver, 'receiving ward'));
    return hkdf(sha256, x, undefined, info, 32);
  } finally {
    x.fill(0);
  }
}

export function tagOf(key: Uint8Array, epk: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(epk).digest().subarray(0, TAG_BYTES));
}

export function tagMatches(key: Uint8Array, epk: Uint8Array, tag: Uint8Array): boolean {
  return tag.length === TAG_BYTES && timingSafeEqual(tagOf(key, epk), tag);
}

// --- grants: ECIES to the receiving ward's sync key --------------------------------------------

function grantKeys(x: Uint8Array, c: ConsortiumContext, publisher: string, receiverPoint: Uint8Array, epk: Uint8Array) {
  const info = concatBytes(LABEL.grant, contextBytes(c), addressBytes(publisher, 'publishing ward'), receiverPoint.subarray(1), epk);
  const okm = hkdf(sha256, x, undefined, info, AES_KEY_BYTES + GCM_NONCE_BYTES);
  return { key: okm.subarray(0, AES_KEY_BYTES), nonce: okm.subarray(AES_KEY_BYTES) };
}

/**
 * A grant as published: ephemeral key (33) || tag (16) || AEAD(plaintext) with the tag as additional
 * data. `tagKeyToReceiver` is tagKey(publisher → receiving ward).
 */
export function sealGrant(plaintext: Uint8Array, c: ConsortiumContext, publisher: string, receiverSyncPublicKey: string, tagKeyToReceiver: Uint8Array): Uint8Array {
  const ephemeral = secp256k1.utils.randomSecretKey();
  try {
    const epk = publicKeyOf(ephemeral, true);
    const receiverPoint = point(receiverSyncPublicKey);
    const x = ecdhX(ephemeral, receiverPoint);
    const { key, nonce } = grantKeys(x, c, publisher, receiverPoint, epk);
    x.fill(0);
    const tag = tagOf(tagKeyToReceiver, epk);
    const sealed = gcmEncrypt(key, nonce, plaintext, tag);
    key.fill(0);
    return concatBytes(epk, tag, sealed);
  } finally {
    ephemeral.fill(0);
  }
}

/** The ephemeral key and tag at the front of a published grant (no crypto; for matching). */
export function grantHead(grant: Uint8Array): { epk: Uint8Array; tag: Uint8Array } | null {
  if (grant.length < EPK_BYTES + TAG_BYTES + GCM_TAG_BYTES) return null;
  return { epk: grant.subarray(0, EPK_BYTES), tag: grant.subarray(EPK_BYTES, EPK_BYTES + TAG_BYTES) };
}

/**
 * Open a grant with the receiving ward's sync private key; `receiverPoint`, the uncompressed public
 * key of that private key (syncPublicPoint), when the caller keeps it: computing it is a third of
 * the cost. @throws WardError('CRYPTO').
 */
export function openGrant(grant: Uint8Array, c: ConsortiumContext, publisher: string, receiverSyncPrivateKey: string, receiverPoint?: Uint8Array): Uint8Array {
  const head = grantHead(grant);
  if (!head) throw new WardError('CRYPTO', 'A key grant is too short to be one.');
  const secret = hexToBytes(receiverSyncPrivateKey, 32, 'private key');
  receiverPoint ??= publicKeyOf(secret, false);
  const x = ecdhX(secret, head.epk);
  const { key, nonce } = grantKeys(x, c, publisher, receiverPoint, head.epk);
  x.fill(0);
  try {
    return gcmDecrypt(key, nonce, grant.subarray(EPK_BYTES + TAG_BYTES), head.tag, 'A key grant could not be opened: it was altered or is not for this ward.');
  } finally {
    key.fill(0);
  }
}

// --- a secret wrapped for one person's key (inside a grant) ------------------------------------

/** ECIES of a 32-byte secret for `readerPublicKey`, bound to `context`: epk (33) || ct (32) || tag (16). */
export function sealForReader(secret: Uint8Array, readerPublicKey: string, context: string): Uint8Array {
  const ephemeral = secp256k1.utils.randomSecretKey();
  try {
    const epk = publicKeyOf(ephemeral, true);
    const readerPoint = point(readerPublicKey);
    const x = ecdhX(ephemeral, readerPoint);
    const okm = hkdf(sha256, x, undefined, concatBytes(LABEL.reader, readerPoint.subarray(1), epk, utf8(context)), AES_KEY_BYTES + GCM_NONCE_BYTES);
    x.fill(0);
    const sealed = gcmEncrypt(okm.subarray(0, AES_KEY_BYTES), okm.subarray(AES_KEY_BYTES), secret, LABEL.reader);
    okm.fill(0);
    return concatBytes(epk, sealed);
  } finally {
    ephemeral.fill(0);
  }
}

export const READER_SEALED_BYTES = EPK_BYTES + AES_KEY_BYTES + GCM_TAG_BYTES;

/** Open what sealForReader sealed. @throws WardError('CRYPTO') for another reader or context. */
export function openForReader(sealed: Uint8Array, readerPrivateKey: string, context: string): Uint8Array {
  if (sealed.length !== READER_SEALED_BYTES) throw new WardError('CRYPTO', 'A wrapped key is damaged.');
  const secret = hexToBytes(readerPrivateKey, 32, 'private key');
  const epk = sealed.subarray(0, EPK_BYTES);
  const x = ecdhX(secret, epk);
  const okm = hkdf(sha256, x, undefined, concatBytes(LABEL.reader, publicKeyOf(secret, false).subarray(1), epk, utf8(context)), AES_KEY_BYTES + GCM_NONCE_BYTES);
  x.fill(0);
  try {
    return gcmDecrypt(okm.subarray(0, AES_KEY_BYTES), okm.subarray(AES_KEY_BYTES), sealed.subarray(EPK_BYTES), LABEL.reader, 'A wrapped key could not be opened with this key.');
  } finally {
    okm.fill(0);
  }
}
