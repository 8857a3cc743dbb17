/**
 * Web3 Secret Storage v3 ("keystore v3"), the file format ethers, geth and web3.js read and write:
 * https://ethereum.org/en/developers/docs/data-structures-and-encoding/web3-secret-storage/
 *
 *   DK  = KDF(password, salt)                 scrypt (what ethers writes) or PBKDF2-HMAC-SHA256
 *   MAC = keccak256(DK[16..31] ‖ ciphertext)  checks the password before anything is decrypted
 *   key = AES-128-CTR(DK[0..15], iv) over the 32-byte private key
 *
 * Written here rather than through ethers so that the key derivation can run natively off the
 * event loop (keyDerivation.ts); the files stay interchangeable with ethers' both ways (tested).
 * As ethers does, the password is NFKC-normalised before derivation, so a password typed with
 * another keyboard's composed or compatibility characters opens the same file.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { computeAddress, getAddress, keccak256 } from 'ethers';
import { WardError } from '../model/errors';
import { bytesToHex, concatBytes, hexToBytes } from '../crypto/hex';
import type { KdfParams } from './keyDerivation';

export type DeriveKey = (password: Uint8Array, params: KdfParams) => Promise<Uint8Array>;

/** scrypt strength of new keystores: ethers' default and the keystore standard's usual N = 2^17, r = 8, p = 1. */
export interface ScryptStrength {
  n: number;
  r: number;
  p: number;
}

export interface ParsedKeystore {
  address: string | null;
  kdf: KdfParams;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  mac: Uint8Array;
}

const damaged = (what: string) =>
  new WardError('INTEGRITY', `This account's keystore file is damaged and cannot be opened (${what}). Restore it from a backup of the data directory; until then this person cannot log in.`);

export function passwordBytes(password: string): Uint8Array {
  return new TextEncoder().encode(password.normalize('NFKC'));
}

/** Parse and check a keystore v3 file; WardError('INTEGRITY') naming what is wrong. */
export function parseKeystore(json: string): ParsedKeystore {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw damaged('not JSON');
  }
  if (typeof data !== 'object' || data === null) throw damaged('not a keystore');
  if (Number(data.version) !== 3) throw damaged('not keystore version 3');
  // The standard writes "crypto"; ethers (and early geth) write "Crypto".
  const c = (data.crypto ?? data.Crypto) as Record<string, unknown> | undefined;
  if (typeof c !== 'object' || c === null) throw damaged('no crypto section');
  if (c.cipher !== 'aes-128-ctr') throw damaged('unsupported cipher');
  const iv = hexField((c.cipherparams as Record<string, unknown> | undefined)?.iv, 'iv', 16);
  const ciphertext = hexField(c.ciphertext, 'ciphertext', 32);
  const mac = hexField(c.mac, 'mac', 32);
  const kp = c.kdfparams as Record<string, unknown> | undefined;
  if (typeof kp !== 'object' || kp === null) throw damaged('no kdfparams');
  const salt = hexField(kp.salt, 'salt');
  let kdf: KdfParams;
  if (c.kdf === 'scrypt') {
    kdf = { kdf: 'scrypt', salt, n: intField(kp.n, 'n'), r: intField(kp.r, 'r'), p: intField(kp.p, 'p'), dklen: intField(kp.dklen, 'dklen') };
  } else if (c.kdf === 'pbkdf2') {
    if (kp.prf !== 'hmac-sha256') throw damaged('unsupported prf');
    kdf = { kdf: 'pbkdf2', salt, c: intField(kp.c, 'c'), prf: 'hmac-sha256', dklen: intField(kp.dklen, 'dklen') };
  } else {
    throw damaged('unsupported kdf');
  }
  if (kdf.dklen < 32) throw damaged('derived key too short');
  let address: string | null = null;
  if (data.address !== undefined) {
    try {
      address = getAddress('0x' + String(data.address).replace(/^0x/i, ''));
    } catch {
      throw damaged('malformed address');
    }
  }
  return { address, kdf, iv, ciphertext, mac };
}

/** The MAC of the standard: keccak256(DK[16..31] ‖ ciphertext). */
function macOf(derivedKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return hexToBytes(keccak256(concatBytes(derivedKey.subarray(16, 32), ciphertext)), 32);
}

function aes128Ctr(derivedKey: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
  const key = derivedKey.subarray(0, 16);
  const c = decrypt ? createDecipheriv('aes-128-ctr', key, iv) : createCipheriv('aes-128-ctr', key, iv);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/**
 * Decrypt a parsed keystore. A wrong password fails the MAC: WardError('WRONG_PASSWORD'); a MAC
 * that matches but a key that does not belong to the recorded address: WardError('INTEGRITY').
 */
export async function decryptKeystore(keystore: ParsedKeystore, password: string, derive: DeriveKey): Promise<{ privateKey: string; address: string }> {
  const dk = await derive(passwordBytes(password), keystore.kdf);
  const mac = macOf(dk, keystore.ciphertext);
  if (!timingSafeEqual(mac, keystore.mac)) throw new WardError('WRONG_PASSWORD', 'Name or password is incorrect.');
  const privateKey = bytesToHex(aes128Ctr(dk, keystore.iv, keystore.ciphertext, true));
  let address: string;
  try {
    address = computeAddress(privateKey);
  } catch {
    throw damaged('the decrypted key is not a valid key');
  }
  if (keystore.address && keystore.address !== address) throw damaged('the key does not belong to the recorded address');
  return { privateKey, address };
}

/** Encrypt a private key into a keystore v3 JSON text, as ethers lays it out (address without 0x, uuid id). */
export async function encryptKeystore(privateKey: string, password: string, strength: ScryptStrength, derive: DeriveKey): Promise<string> {
  const salt = new Uint8Array(randomBytes(32));
  const iv = new Uint8Array(randomBytes(16));
  const kdf: KdfParams = { kdf: 'scrypt', salt, n: strength.n, r: strength.r, p: strength.p, dklen: 32 };
  const dk = await derive(passwordBytes(password), kdf);
  const ciphertext = aes128Ctr(dk, iv, hexToBytes(privateKey, 32), false);
  const hex = (b: Uint8Array) => bytesToHex(b).slice(2);
  return JSON.stringify({
    address: computeAddress(privateKey).slice(2).toLowerCase(),
    id: randomUUID(),
    version: 3,
    crypto: {
      cipher: 'aes-128-ctr',
      cipherparams: { iv: hex(iv) },
      ciphertext: hex(ciphertext),
      kdf: 'scrypt',
      kdfparams: { dklen: 32, n: strength.n, p: strength.p, r: strength.r, salt: hex(salt) },
      mac: hex(macOf(dk, ciphertext)),
    },
  });
}

function hexField(v: unknown, name: string, length?: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(v as string, length);
  } catch {
    throw damaged(`malformed ${name}`);
  }
  if (bytes.length === 0) throw damaged(`empty ${name}`);
  return bytes;
}

function intField(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw damaged(`malformed ${name}`);
  return v;
}
