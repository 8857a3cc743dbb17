/**
 * Recovery keys: backups a ward writes unattended (nightly, across restarts) are encrypted to a
 * public key, whose private half the IT admin keeps offline (a file on a USB stick in the safe,
 * sealed with its own passphrase). The running ward holds nothing that opens its backups: a stolen
 * workstation or backup disk gives no way into them, and no passphrase has to be typed again
 * after every restart for the backups to go on.
 *
 * Cryptography: X25519 (RFC 7748, @noble/curves). Each backup draws an ephemeral key pair; its
 * archive key is HKDF-SHA256 (RFC 5869) of the shared secret, salted with the ephemeral and the
 * recovery public keys, under a label of its own. The private key file seals the 32-byte private
 * key with AES-256-GCM under scrypt(passphrase), the public key as its associated data.
 *
 * The public key travels as text an IT admin can paste and compare: `wlrk1-` then the key and a
 * 4-byte SHA-256 check in base64url (a mistyped key is refused, never encrypted to), and a short
 * fingerprint to read aloud.
 */
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { WardError } from '../model/errors';
import { MIN_BACKUP_PASSPHRASE, RECOVERY_KEY_PREFIX as TEXT_PREFIX } from '../model/storeStatus';
import { gcmDecrypt, gcmEncrypt, GCM_NONCE_BYTES } from './aesGcm';
import { scryptKey, type ScryptParams } from './scryptKey';

const CHECK_BYTES = 4;
const FILE_KIND = 'wardledger-recovery-key';
const ARCHIVE_KEY_LABEL = 'wardledger/backup/recovery-key/v1';
const FILE_AAD_LABEL = 'wardledger/recovery-key-file/v1';

/** A recovery key's public half: what a ward encrypts its backups to. */
export interface RecoveryPublicKey {
  kind: 'recovery-public-key';
  bytes: Uint8Array;
}

/** A recovery key opened with its passphrase: what opens the backups. */
export interface RecoveryPrivateKey {
  kind: 'recovery-private-key';
  publicKey: RecoveryPublicKey;
  secret: Uint8Array;
}

/** The private key file (JSON): the private key sealed under its passphrase. */
export interface RecoveryKeyFile {
  kind: typeof FILE_KIND;
  v: 1;
  publicKey: string;
  fingerprint: string;
  createdAt: string;
  kdf: { name: 'scrypt'; salt: string } & ScryptParams;
  nonce: string;
  sealed: string;
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const checkOf = (key: Uint8Array) => createHash('sha256').update(key).digest().subarray(0, CHECK_BYTES);

/** The public key as text: `wlrk1-` and base64url of the key and its check. */
export function recoveryKeyText(key: RecoveryPublicKey): string {
  return TEXT_PREFIX + b64url(Buffer.concat([key.bytes, checkOf(key.bytes)]));
}

/** Sixteen hex digits in four groups (SHA-256 of the key), to compare by eye or read aloud. */
export function recoveryKeyFingerprint(key: RecoveryPublicKey): string {
  const hex = createHash('sha256').update(key.bytes).digest('hex').slice(0, 16).toUpperCase();
  return hex.match(/.{4}/g)!.join('-');
}

/** A recovery public key from its text; BAD_INPUT (field `recoveryKey`) when it is not one or is mistyped. */
export function parseRecoveryPublicKey(text: string): RecoveryPublicKey {
  const refuse = (why: string): never => {
    throw new WardError('BAD_INPUT', why, { fields: { recoveryKey: why } });
  };
  const t = text.trim();
  if (!t.startsWith(TEXT_PREFIX)) refuse(`A recovery key starts with "${TEXT_PREFIX}" (as \`wardledger recovery-key\` printed it).`);
  const body = t.slice(TEXT_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) refuse('That recovery key holds characters a recovery key never has: paste it again.');
  const raw = Buffer.from(body, 'base64url');
  if (raw.length !== 32 + CHECK_BYTES) refuse('That recovery key is too short or too long: paste it whole.');
  const bytes = Uint8Array.from(raw.subarray(0, 32));
  if (!checkOf(bytes).equals(raw.subarray(32))) refuse('That recovery key is mistyped (its check does not match): paste it again.');
  return { kind: 'recovery-public-key', bytes };
}

/** A new recovery key: the file to keep offline (sealed under `passphrase`) and its public half. */
export async function createRecoveryKey(passphrase: string, kdf: ScryptParams = { N: 2 ** 17, r: 8, p: 1 }): Promise<{ file: RecoveryKeyFile; publicKey: RecoveryPublicKey }> {
  // It opens every backup encrypted to the key: at least as long as a backup's own.
  if (passphrase.length < MIN_BACKUP_PASSPHRASE) throw new WardError('BAD_INPUT', `The recovery key's passphrase must have at least ${MIN_BACKUP_PASSPHRASE} characters.`, { fields: { passphrase: `At least ${MIN_BACKUP_PASSPHRASE} characters.` } });
  const secret = x25519.utils.randomSecretKey();
  const publicKey: RecoveryPublicKey = { kind: 'recovery-public-key', bytes: x25519.getPublicKey(secret) };
  const salt = randomBytes(32);
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const key = await scryptKey(passphrase, salt, kdf);
  const text = recoveryKeyText(publicKey);
  const sealed = gcmEncrypt(key, nonce, secret, fileAad(text));
  secret.fill(0);
  return {
    publicKey,
    file: {
      kind: FILE_KIND,
      v: 1,
      publicKey: text,
      fingerprint: recoveryKeyFingerprint(publicKey),
      createdAt: new Date().toISOString(),
      kdf: { name: 'scrypt', ...kdf, salt: salt.toString('hex') },
      nonce: nonce.toString('hex'),
      sealed: b64url(sealed),
    },
  };
}

const notAKey = () => new WardError('BAD_INPUT', 'That file is not a WardLedger recovery key (or it is damaged).');

/** A recovery key file's fields and public half, checked (BAD_INPUT when it is no such file). */
function readKeyFile(fileText: string): { f: RecoveryKeyFile; publicKey: RecoveryPublicKey } {
  let f: RecoveryKeyFile;
  try {
    f = JSON.parse(fileText) as RecoveryKeyFile;
  } catch {
    throw notAKey();
  }
  if (f?.kind !== FILE_KIND || f.v !== 1 || f.kdf?.name !== 'scrypt' || typeof f.publicKey !== 'string' || typeof f.sealed !== 'string') throw notAKey();
  const { N, r, p } = f.kdf;
  if (![N, r, p].every((x) => Number.isSafeInteger(x) && x > 0) || N > 2 ** 20 || r > 32 || p > 16) throw notAKey();
  try {
    return { f, publicKey: parseRecoveryPublicKey(f.publicKey) };
  } catch {
    throw notAKey();
  }
}

/** The public half a recovery key file names, without its passphrase (what a backup is encrypted to). */
export function publicKeyOfFile(fileText: string): RecoveryPublicKey {
  return readKeyFile(fileText).publicKey;
}

/** Open a recovery key file with its passphrase (WRONG_PASSWORD when it does not open it; BAD_INPUT when it is no such file). */
export async function openRecoveryKey(fileText: string, passphrase: string): Promise<RecoveryPrivateKey> {
  const { f, publicKey } = readKeyFile(fileText);
  const { N, r, p } = f.kdf;
  const key = await scryptKey(passphrase, Buffer.from(f.kdf.salt, 'hex'), { N, r, p });
  let secret: Uint8Array;
  try {
    secret = gcmDecrypt(key, Buffer.from(f.nonce, 'hex'), Buffer.from(f.sealed, 'base64url'), fileAad(f.publicKey), 'The recovery key file does not open.');
  } catch {
    throw new WardError('WRONG_PASSWORD', 'That passphrase does not open this recovery key.');
  }
  // The file's public key must be the private key's own (a file pieced together from two keys is refused).
  if (secret.length !== 32 || !Buffer.from(x25519.getPublicKey(secret)).equals(publicKey.bytes)) throw notAKey();
  return { kind: 'recovery-private-key', publicKey, secret };
}

/** A fresh archive key for a backup encrypted to `to`, and the ephemeral public key the archive keeps to derive it again. */
export function archiveKeyFor(to: RecoveryPublicKey): { key: Buffer; ephemeral: Uint8Array } {
  const e = x25519.utils.randomSecretKey();
  const ephemeral = x25519.getPublicKey(e);
  const key = deriveArchiveKey(x25519.getSharedSecret(e, to.bytes), ephemeral, to.bytes);
  e.fill(0);
  return { key, ephemeral };
}

/**
 * The archive key again from the recovery private key and the archive's ephemeral public key.
 * An ephemeral key of small order (its shared secret all zeros, which @noble/curves refuses with a
 * bare Error) is a damaged archive, said as one.
 */
export function archiveKeyWith(key: RecoveryPrivateKey, ephemeral: Uint8Array): Buffer {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(key.secret, ephemeral);
  } catch {
    throw new WardError('INTEGRITY', 'The backup is damaged (its key exchange is not valid); nothing was restored.');
  }
  return deriveArchiveKey(shared, ephemeral, key.publicKey.bytes);
}

function deriveArchiveKey(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), ARCHIVE_KEY_LABEL, 32));
}

function fileAad(publicKeyText: string): Buffer {
  return Buffer.from(`${FILE_AAD_LABEL}\n${publicKeyText}`, 'utf8');
}
