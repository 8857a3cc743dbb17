/**
 * Remember which records were already fully verified (signature, content vs anchor, inclusion
 * proof) so that opening a 10,000-record history does not redo ~10,000 signature recoveries —
 * while still catching data altered after the check.
 *
 * The memo is a tag HMAC-SHA256(secret, recordId, digest of every signed field, ciphertext hash,
 * signature, anchor root, scope). A later check recomputes the tag from the data as it is *now*:
 * any altered byte in a signed field (amends, patient reference, kind, author, role, time, content
 * hash, commitment...), the stored ciphertext, signature or anchor gives a different tag, and nobody without the secret (e.g.
 * someone editing the store on disk, tag column included) can forge a matching one. The secret
 * is per process by default (nothing to protect at rest; the cache is simply cold after restart),
 * or supplied by the core so that tags may be persisted beside the records.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WardError } from '../model/errors';
import type { Envelope } from './envelope';
import { hexToBytes } from './hex';

/** What was verified: named fields (hashed where long), or a record's covered fields as bytes. */
export type VerifiedFacts = FieldFacts | CoveredFacts;

/**
 * A record's fields as one run of bytes (records/recordMemo.ts lays them out): MACed as they are,
 * one HMAC, no digests first.
 */
export interface CoveredFacts {
  recordId: string;
  /** The bytes, or the bytes in parts MACed one after the other (the same tag as the parts joined). */
  covered: Uint8Array | readonly Uint8Array[];
  /** What was verified, e.g. 'ward' (as in FieldFacts). */
  scope: string;
  /**
   * 'stored': the bytes are the record's stored form (recordMemo.ts), MACed under a label of its
   * own, so a tag of one form never vouches for bytes of the other; absent: the field form.
   */
  form?: 'stored';
}

export interface FieldFacts {
  recordId: string;
  /**
   * Digest of the signed fields: the fast path skips the signature check, so everything the
   * signature covers must be in the tag (ward records use CoveredFacts, every field as bytes).
   */
  signedFields: string;
  /** Digest of the stored ciphertext (see ciphertextHashOf). */
  ciphertextHash: string;
  /** The author's signature that was verified. */
  signature: string;
  /** Root the record was proven under (ward or consortium anchor); null if none yet. */
  anchorRoot: string | null;
  /** What was verified, e.g. 'ward' or 'consortium', so a weaker check never vouches for a stronger one. */
  scope?: string;
}

const LABEL = Buffer.from('WardLedger/verified/v2', 'utf8');
/** Another label for covered bytes: a tag of one kind of facts never matches the other kind. */
const COVERED_LABEL = Buffer.from('WardLedger/verified-bytes/v3', 'utf8');
/** And another for covered bytes in the stored form. */
const STORED_LABEL = Buffer.from('WardLedger/verified-stored/v4', 'utf8');

/** SHA-256 (0x hex) of an envelope's payload nonce and ciphertext, or of raw bytes. */
export function ciphertextHashOf(data: Envelope | Uint8Array): string {
  const h = createHash('sha256');
  if (data instanceof Uint8Array) h.update(data);
  else h.update(hexToBytes(data.iv, undefined, 'nonce')).update(hexToBytes(data.ct, undefined, 'ciphertext'));
  return '0x' + h.digest('hex');
}

/** Tags a cache keeps at most (about 250 B each): the oldest are forgotten first, so memory stays flat. */
export const VERIFIED_TAGS_KEPT = 100_000;

export class VerifiedCache {
  readonly #secret: Buffer;
  readonly #tags = new Map<string, Buffer>();

  /**
   * @param secret at least 32 bytes; a fresh random per-process secret when omitted.
   * @param capacity tags remembered at most (markVerified), oldest forgotten first: a forgotten
   *   record is simply verified again (or vouched for by a tag persisted with it).
   */
  constructor(secret?: Uint8Array, readonly capacity = VERIFIED_TAGS_KEPT) {
    if (secret !== undefined && (!(secret instanceof Uint8Array) || secret.length < 32)) {
      throw new WardError('BAD_INPUT', 'The verification cache secret must be at least 32 bytes.');
    }
    this.#secret = secret ? Buffer.from(secret) : randomBytes(32);
  }

  /** The tag (0x hex) for these facts; persist it with the record if the secret is persistent. */
  tagOf(facts: VerifiedFacts): string {
    return '0x' + this.#mac(facts).toString('hex');
  }

  /** Record that `facts` were verified just now. Returns the tag. */
  markVerified(facts: VerifiedFacts): string {
    const tag = this.#mac(facts);
    const id = normalize(facts.recordId);
    this.#tags.delete(id);
    if (this.#tags.size >= this.capacity) this.#tags.delete(this.#tags.keys().next().value!);
    this.#tags.set(id, tag);
    return '0x' + tag.toString('hex');
  }

  /**
   * True only if these facts, as they are now, match a tag made by markVerified (the remembered
   * one, or `tag` if given, e.g. loaded from disk). Never throws for malformed input.
   */
  isStillVerified(facts: VerifiedFacts, tag?: string): boolean {
    try {
      const expected = tag === undefined ? this.#tags.get(normalize(facts.recordId)) : Buffer.from(hexToBytes(tag, 32));
      if (!expected) return false;
      return timingSafeEqual(expected, this.#mac(facts));
    } catch {
      return false;
    }
  }

  /** Drop the memo for a record (e.g. after an amendment or a failed re-check). */
  forget(recordId: string): void {
    this.#tags.delete(normalize(recordId));
  }

  get size(): number {
    return this.#tags.size;
  }

  #mac(facts: VerifiedFacts): Buffer {
    if (typeof facts !== 'object' || facts === null) throw new WardError('BAD_INPUT', 'Nothing to verify.');
    if ('covered' in facts) return this.#macCovered(facts);
    // One buffer, one update: the same bytes as updating field by field, a fraction of the calls.
    const parts: Buffer[] = [LABEL];
    for (const field of [facts.recordId, facts.signedFields, facts.ciphertextHash, facts.signature, facts.anchorRoot ?? '', facts.scope ?? '']) {
      if (typeof field !== 'string') throw new WardError('BAD_INPUT', 'Verification facts must be strings.');
      const bytes = Buffer.from(normalize(field), 'utf8');
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32BE(bytes.length);
      parts.push(len, bytes); // length-prefixed: field boundaries cannot shift
    }
    return createHmac('sha256', this.#secret).update(Buffer.concat(parts)).digest();
  }

  #macCovered(facts: CoveredFacts): Buffer {
    const { recordId, covered, scope, form } = facts;
    const parts = covered instanceof Uint8Array ? [covered] : covered;
    if (typeof recordId !== 'string' || typeof scope !== 'string' || !Array.isArray(parts) || (form !== undefined && form !== 'stored')) throw new WardError('BAD_INPUT', 'Verification facts must be strings and bytes.');
    for (const p of parts) if (!(p instanceof Uint8Array)) throw new WardError('BAD_INPUT', 'Verification facts must be strings and bytes.');
    const label = form === 'stored' ? STORED_LABEL : COVERED_LABEL;
    const id = normalize(recordId);
    const mac = createHmac('sha256', this.#secret);
    // label, the id's and the scope's lengths, id, scope, then the parts: the fixed head and a small
    // first part laid out in one scratch buffer, one update (the same bytes MACed: the same tag),
    // where they were five updates and three buffers a record.
    const first = parts[0];
    const headLength = label.length + 8 + 3 * (id.length + scope.length);
    let from = 0;
    if (headLength + (first && first.length <= SMALL_PART ? first.length : 0) <= macScratch.length) {
      let at = label.copy(macScratch, 0) + 8;
      const idLength = macScratch.write(id, at, 'utf8');
      at += idLength;
      const scopeLength = macScratch.write(scope, at, 'utf8');
      at += scopeLength;
      macScratch.writeUInt32BE(idLength, label.length);
      macScratch.writeUInt32BE(scopeLength, label.length + 4);
      if (first && first.length <= SMALL_PART) {
        macScratch.set(first, at);
        at += first.length;
        from = 1;
      }
      mac.update(macScratch.subarray(0, at));
    } else {
      const idBytes = Buffer.from(id, 'utf8');
      const what = Buffer.from(scope, 'utf8');
      const head = Buffer.allocUnsafe(8);
      head.writeUInt32BE(idBytes.length, 0);
      head.writeUInt32BE(what.length, 4);
      mac.update(label).update(head).update(idBytes).update(what);
    }
    for (let i = from; i < parts.length; i++) mac.update(parts[i]!);
    return mac.digest();
  }
}

/** A first part of covered bytes this small is MACed with the head (copied into the scratch). */
const SMALL_PART = 256;
/** Where #macCovered lays out a tag's head (used synchronously: HMAC's update copies what it is given). */
const macScratch = Buffer.alloc(1024);

/** Hex fields compare case-insensitively. */
function normalize(s: string): string {
  return s.toLowerCase();
}
