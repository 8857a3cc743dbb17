/**
 * Salted hash commitments and pseudonymous patient references — what the chain may hold.
 *
 * A plain hash of a low-entropy medical value (an SpO2 of 97, a blood group) is reversed by
 * hashing every candidate, so the chain only ever sees keccak256(salt || keccak256(content)) with
 * a 256-bit random salt that stays off-chain with the encrypted record. Likewise the patient is
 * named on chain by an HMAC of their address under a ward secret, not by the address itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { getAddress, isHexString, keccak256 } from 'ethers';
import { WardError } from '../model/errors';
import { concatBytes, hexToBytes } from './hex';
import { pooledRandomBytes } from './randomPool';

export interface Commitment {
  /** 32 random bytes, 0x hex. Keep off-chain (inside the encrypted record store). */
  salt: string;
  /** keccak256(salt || keccak256(content)), bytes32 0x hex. Safe to publish. */
  commitment: string;
}

/** Commit to `content` with a fresh random salt: equal contents give different commitments. */
export function commit(content: Uint8Array): Commitment {
  return commitToHash(keccak256(content));
}

/**
 * Commit to an already computed keccak256 content hash (e.g. a record's contentHash), with a
 * fresh salt, or with `salt` when re-deriving an existing commitment.
 */
export function commitToHash(contentHash: string, salt?: string): Commitment {
  const hash = hexToBytes(contentHash, 32, 'content hash');
  const saltBytes = salt === undefined ? new Uint8Array(pooledRandomBytes(32)) : hexToBytes(salt, 32, 'salt');
  const saltHex = '0x' + Buffer.from(saltBytes).toString('hex');
  return { salt: saltHex, commitment: keccak256(concatBytes(saltBytes, hash)) };
}

/** True if `commitment` commits to `content` under `salt`. Never throws for malformed input. */
export function checkCommitment(content: Uint8Array, salt: string, commitment: string): boolean {
  try {
    return sameBytes32(commitToHash(keccak256(content), salt).commitment, commitment);
  } catch {
    return false;
  }
}

/** As checkCommitment, given the content's keccak256 hash instead of its bytes. */
export function checkHashCommitment(contentHash: string, salt: string, commitment: string): boolean {
  try {
    return sameBytes32(commitToHash(contentHash, salt).commitment, commitment);
  } catch {
    return false;
  }
}

const PATIENT_REF_LABEL = Buffer.from('WardLedger/patientRef/v1\0', 'utf8');

/**
 * Pseudonymous on-chain patient reference: HMAC-SHA256(wardSecret, label || address bytes), as
 * bytes32 0x hex. Stable for one ward secret, unlinkable to the address without it.
 * @param wardSecret at least 16 bytes (Uint8Array, or hex).
 * @throws WardError('BAD_INPUT') for a short secret or malformed address.
 */
export function patientRef(wardSecret: Uint8Array | string, patientAddress: string): string {
  const secret = typeof wardSecret === 'string' ? hexToBytes(wardSecret, undefined, 'ward secret') : wardSecret;
  if (!(secret instanceof Uint8Array) || secret.length < 16) throw new WardError('BAD_INPUT', 'The ward secret must be at least 16 bytes.');
  let address: string;
  try {
    address = getAddress(patientAddress);
  } catch {
    throw new WardError('BAD_INPUT', 'The patient address is malformed.');
  }
  const mac = createHmac('sha256', secret).update(PATIENT_REF_LABEL).update(hexToBytes(address, 20)).digest();
  return '0x' + mac.toString('hex');
}

function sameBytes32(a: string, b: string): boolean {
  if (typeof b !== 'string' || !isHexString(b, 32)) return false;
  return timingSafeEqual(hexToBytes(a, 32), hexToBytes(b, 32));
}
