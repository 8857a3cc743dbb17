/**
 * Key scopes: one data key, wrapped once for the readers, encrypting a bounded run of records
 * (e.g. one monitor's stream for one patient for an hour, or one patient's records in a shift).
 *
 * Why: a per-record envelope costs one ECDH per reader to seal and one to open (~1,000/s per core
 * with @noble/curves), which caps device ingest far below 2,000 readings/s and makes opening a
 * 10,000-record history take seconds. Inside a scope a record costs one AES-GCM operation.
 *
 * Safety: every record still gets a fresh random 96-bit nonce, and its GCM additional data binds
 * the scope id and the record context, so records cannot be moved between scopes or records. The
 * number of records per key is capped (MAX_RECORDS_PER_SCOPE) far below the 2^32 random-nonce
 * bound of NIST SP 800-38D. Readers of a scope read every record in it: choose scope boundaries
 * that match access decisions (a grant re-wraps the scope key, a revoke ends the scope).
 */
import { WardError } from '../model/errors';
import { GCM_NONCE_BYTES, gcmDecrypt, gcmEncrypt } from './aesGcm';
import type { Envelope } from './envelope';
import { addRecipients, openWithDataKey, sealEnvelopeKeepingKey, unwrapDataKey } from './envelope';
import { bytesToHex, concatBytes, hexToBytes } from './hex';
import { pooledRandomBytes } from './randomPool';

/** Stored once per scope: the scope key wrapped for each reader (an Envelope with an empty payload). */
export interface KeyScope {
  v: 1;
  scopeId: string;
  keys: Envelope;
}

/** One record encrypted under a scope key. Byte fields are 0x hex. */
export interface ScopedCiphertext {
  v: 1;
  scopeId: string;
  iv: string;
  ct: string;
}

/** Records one scope key may encrypt (random nonces: stay far below 2^32). */
export const MAX_RECORDS_PER_SCOPE = 1 << 20;

const RECORD_LABEL = new TextEncoder().encode('WardLedger/scope/v1/record\0');
const DAMAGED = 'The record could not be decrypted: its encrypted data was altered or does not belong to this record.';

/** An unwrapped scope key held in memory. Call destroy() when the scope is closed or the session locks. */
export class ScopeKey {
  readonly scopeId: string;
  readonly #key: Uint8Array;
  /** The start of every record's additional data in this scope (recordAad), made once. */
  readonly #aadHead: Buffer;
  #used = 0;
  #destroyed = false;

  /** @internal use createKeyScope / openKeyScope. */
  constructor(scopeId: string, key: Uint8Array) {
    this.scopeId = scopeId;
    this.#key = key;
    this.#aadHead = Buffer.from(recordAadHead(scopeId));
  }

  /** Encrypt one record of the scope, bound to `context` (the record id). */
  seal(plaintext: Uint8Array, context: string): ScopedCiphertext {
    this.#assertOpen();
    if (!(plaintext instanceof Uint8Array)) throw new WardError('BAD_INPUT', 'The record content must be bytes.');
    if (this.#used >= MAX_RECORDS_PER_SCOPE) throw new WardError('CRYPTO', 'This key scope is full; start a new scope.');
    this.#used++;
    const iv = new Uint8Array(pooledRandomBytes(GCM_NONCE_BYTES));
    return { v: 1, scopeId: this.scopeId, iv: bytesToHex(iv), ct: bytesToHex(gcmEncrypt(this.#key, iv, plaintext, recordAad(this.scopeId, context))) };
  }

  /** Decrypt one record of the scope. @throws WardError('CRYPTO') if altered, misplaced or of another scope. */
  open(sealed: ScopedCiphertext, context: string): Uint8Array {
    this.#assertOpen();
    if (typeof sealed !== 'object' || sealed === null || sealed.v !== 1 || typeof sealed.iv !== 'string' || typeof sealed.ct !== 'string') {
      throw new WardError('CRYPTO', DAMAGED);
    }
    if (sealed.scopeId !== this.scopeId) throw new WardError('CRYPTO', 'This record belongs to another key scope.');
    return gcmDecrypt(this.#key, hexToBytes(sealed.iv, GCM_NONCE_BYTES, 'nonce', 'CRYPTO'), hexToBytes(sealed.ct, undefined, 'ciphertext', 'CRYPTO'), this.#aad(context), DAMAGED);
  }

  /**
   * Decrypt one record of the scope from its nonce and ciphertext as bytes (views of the stored
   * body: no hex decoded), the record's cipher naming `scopeId`. The same checks as `open`.
   * @throws WardError('CRYPTO') if altered, misplaced or of another scope.
   */
  openBytes(scopeId: string, iv: Uint8Array, ct: Uint8Array, context: string): Uint8Array {
    this.#assertOpen();
    if (scopeId !== this.scopeId) throw new WardError('CRYPTO', 'This record belongs to another key scope.');
    return gcmDecrypt(this.#key, iv, ct, this.#aad(context), DAMAGED);
  }

  /** recordAad(this.scopeId, context), from the head made once. */
  #aad(context: string): Uint8Array {
    if (typeof context !== 'string' || context.length === 0) throw new WardError('BAD_INPUT', 'An encryption context (record id) is required.');
    const head = this.#aadHead;
    const out = Buffer.allocUnsafe(head.length + Buffer.byteLength(context, 'utf8'));
    head.copy(out, 0);
    out.write(context, head.length, 'utf8');
    return out;
  }

  /** A copy of the key, for unwrapScopeKey only. */
  exportForRewrap(): Uint8Array {
    this.#assertOpen();
    return new Uint8Array(this.#key);
  }

  /** Records still allowed under this key (counted in this process only). */
  get remaining(): number {
    return MAX_RECORDS_PER_SCOPE - this.#used;
  }

  /** Zero the key; further use throws. */
  destroy(): void {
    this.#key.fill(0);
    this.#destroyed = true;
  }

  #assertOpen(): void {
    if (this.#destroyed) throw new WardError('CRYPTO', 'This key scope has been closed.');
  }
}

/** Start a scope: a fresh key wrapped for `recipientPublicKeys` (64-byte registry format). */
export function createKeyScope(recipientPublicKeys: string[], scopeId: string): { scope: KeyScope; key: ScopeKey } {
  const { envelope, dataKey } = sealEnvelopeKeepingKey(new Uint8Array(0), recipientPublicKeys, scopeContext(scopeId));
  return { scope: { v: 1, scopeId, keys: envelope }, key: new ScopeKey(scopeId, dataKey) };
}

/** Unwrap a scope key as one of its readers. @throws WardError('CRYPTO') for a non-reader or a damaged scope. */
export function openKeyScope(scope: KeyScope, privateKeyHex: string): ScopeKey {
  assertScopeShape(scope);
  const context = scopeContext(scope.scopeId);
  const dataKey = unwrapDataKey(scope.keys, privateKeyHex, context);
  try {
    // The empty payload's tag proves this key belongs to this scope id.
    openWithDataKey(scope.keys, dataKey, context);
  } catch (e) {
    dataKey.fill(0);
    throw e;
  }
  return new ScopeKey(scope.scopeId, dataKey);
}

/**
 * The raw scope key, for a reader who hands it on in another wrapping (a consortium scope grant
 * for another ward's care team). Zero it when done.
 * @throws WardError('CRYPTO') as openKeyScope.
 */
export function unwrapScopeKey(scope: KeyScope, privateKeyHex: string): Uint8Array {
  const key = openKeyScope(scope, privateKeyHex);
  const raw = key.exportForRewrap();
  key.destroy();
  return raw;
}

/** A scope key received in another wrapping (a consortium scope grant). */
export function scopeKeyFromRaw(scopeId: string, raw: Uint8Array): ScopeKey {
  if (!(raw instanceof Uint8Array) || raw.length !== 32) throw new WardError('CRYPTO', 'A scope key must be 32 bytes.');
  scopeContext(scopeId); // validates the id
  return new ScopeKey(scopeId, new Uint8Array(raw));
}

/** Grant readers on a whole scope (re-wraps the scope key; records are unchanged). */
export function addScopeRecipients(scope: KeyScope, privateKeyHex: string, newRecipientPublicKeys: string[]): KeyScope {
  assertScopeShape(scope);
  return { v: 1, scopeId: scope.scopeId, keys: addRecipients(scope.keys, privateKeyHex, newRecipientPublicKeys, scopeContext(scope.scopeId)) };
}

function scopeContext(scopeId: string): string {
  if (typeof scopeId !== 'string' || scopeId.length === 0) throw new WardError('BAD_INPUT', 'A key scope needs an id.');
  return 'WardLedger/scope/' + scopeId;
}

/** A record's GCM additional data: label, scope id (length-prefixed), record context. */
function recordAad(scopeId: string, context: string): Uint8Array {
  if (typeof context !== 'string' || context.length === 0) throw new WardError('BAD_INPUT', 'An encryption context (record id) is required.');
  return concatBytes(recordAadHead(scopeId), new TextEncoder().encode(context));
}

function recordAadHead(scopeId: string): Uint8Array {
  const scope = new TextEncoder().encode(scopeId);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, scope.length);
  return concatBytes(RECORD_LABEL, len, scope);
}

function assertScopeShape(scope: KeyScope): void {
  if (typeof scope !== 'object' || scope === null || scope.v !== 1 || typeof scope.scopeId !== 'string' || typeof scope.keys !== 'object') {
    throw new WardError('CRYPTO', 'The key scope is damaged or of an unknown version.');
  }
}
