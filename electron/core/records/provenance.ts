/**
 * Local verification of a stored record: decryptable by the reader, content bound to the record,
 * content hash, author signature, salted commitment, Merkle inclusion and the root on the ward
 * chain. Never reports "verified" unless every check passed; a keyed memo (VerifiedCache) skips
 * the costly signature and proof checks for records verified before whose stored bytes are
 * unchanged.
 */
import type { Provenance } from '../model/records';
import { checkHashCommitment } from '../crypto/commitment';
import type { ScopeKey } from '../crypto/keyScope';
import { verifyInclusion } from '../crypto/merkle';
import { contentHashOf, verifyBatchSignature, verifyRecordSignature } from '../crypto/recordSignature';
import { ciphertextHashOf, type VerifiedCache, type VerifiedFacts } from '../crypto/verifiedCache';
import { hexToBytes } from '../crypto/hex';
import { leafOf } from '../storage/storedRecord';
import type { AnchorRef, StoredRecord } from '../storage/storedRecord';
import { fieldsOf, sealedMatches, type SealedContent } from './recordCodec';

export interface OpenedRecord {
  record: StoredRecord;
  sealed: SealedContent | null;
  provenance: Provenance;
}

/** Whether a root is anchored on the ward chain (looked up once per root). */
export type RootCheck = (root: string) => Promise<boolean>;

function provenance(partial: Partial<Provenance> & { problems: string[] }, anchor: AnchorRef | undefined): Provenance {
  const tampered = partial.problems.length > 0;
  return {
    signatureValid: partial.signatureValid ?? false,
    contentMatchesAnchor: partial.contentMatchesAnchor ?? false,
    anchored: !!anchor,
    wardBlock: anchor?.block ?? null,
    wardTx: anchor?.tx || null,
    batchRoot: anchor?.root ?? null,
    problems: partial.problems,
    status: tampered ? (partial.status ?? 'tampered') : anchor ? 'verified' : 'pending',
  };
}

/**
 * What a verification memo vouches for: the stored ciphertext, the signature (for a batch
 * signature also its root, count, time and the record's proof under it), and the anchor with its
 * proof — any of them altered later and the memo no longer matches.
 */
export function verificationFacts(record: StoredRecord, anchor: AnchorRef | undefined): VerifiedFacts {
  const b = record.batchSignature;
  return {
    recordId: record.id,
    ciphertextHash: ciphertextHashOf(hexToBytes(record.cipher.ct)),
    signature: record.signature || (b ? `${b.signature}:${b.root}:${b.count}:${b.createdAt}:${b.proof.join(',')}` : ''),
    anchorRoot: anchor ? `${anchor.root}:${anchor.proof.join(',')}` : null,
    scope: 'ward',
  };
}

/**
 * Records verified in this process, by object: the store's in-memory records and anchors are never
 * changed after they are read or written, so the same objects need no second check here. (The
 * keyed memos are what guard against changes on disk between runs.)
 */
const verifiedObjects = new WeakMap<StoredRecord, AnchorRef>();

export function markObjectVerified(record: StoredRecord, anchor: AnchorRef): void {
  verifiedObjects.set(record, anchor);
}

/**
 * Recently opened, verified records (decrypted content held in this process's memory only, as the
 * scope keys are): reopening a long history does not decrypt and parse every record again. Bounded,
 * oldest out first.
 */
const opened = new Map<string, OpenedRecord>();
const OPENED_CAPACITY = 50_000;

function rememberOpened(o: OpenedRecord): OpenedRecord {
  opened.delete(o.record.id);
  opened.set(o.record.id, o);
  if (opened.size > OPENED_CAPACITY) opened.delete(opened.keys().next().value!);
  return o;
}

/** Drop every decrypted record held in memory (the core stops). */
export function forgetOpened(): void {
  opened.clear();
}

/** Batch signatures checked in this process (one recovery per batch, not per record). */
const verifiedBatches = new Set<string>();

/** The author's signature: per record, or over a batch root that includes this record's leaf. */
export function signatureHolds(record: StoredRecord): boolean {
  const b = record.batchSignature;
  if (!b) return verifyRecordSignature(fieldsOf(record), record.signature, record.author);
  if (!verifyInclusion(b.root, leafOf(record), b.proof)) return false;
  const memo = `${b.root}|${b.signature}|${record.author}|${b.count}|${b.createdAt}`;
  if (verifiedBatches.has(memo)) return true;
  const ok = verifyBatchSignature({ root: b.root, count: b.count, author: record.author, createdAt: b.createdAt }, b.signature, record.author);
  if (ok) verifiedBatches.add(memo);
  return ok;
}

/** A second, persistent memo: its cache, the stored tag of this record, and where new tags go. */
export interface PersistentMemo {
  cache: VerifiedCache;
  tag: string | undefined;
  remember(recordId: string, tag: string): void;
}

export async function openAndVerify(
  record: StoredRecord,
  key: ScopeKey | null,
  anchor: AnchorRef | undefined,
  cache: VerifiedCache,
  rootOnChain: RootCheck,
  persistent?: PersistentMemo,
): Promise<OpenedRecord> {
  if (!key) {
    return { record, sealed: null, provenance: provenance({ problems: ['This record cannot be decrypted with your access.'], status: 'unverifiable' }, anchor) };
  }
  const hit = opened.get(record.id);
  if (hit && hit.record === record && anchor && verifiedObjects.get(record) === anchor && hit.provenance.wardBlock === anchor.block) {
    if (persistent && persistent.tag === undefined) persistent.remember(record.id, persistent.cache.tagOf(verificationFacts(record, anchor)));
    return hit;
  }
  let plaintext: Uint8Array;
  try {
    plaintext = key.open(record.cipher, record.id);
  } catch {
    return { record, sealed: null, provenance: provenance({ problems: ['The encrypted content was altered or does not belong to this record.'] }, anchor) };
  }
  let sealed: SealedContent;
  try {
    sealed = JSON.parse(new TextDecoder().decode(plaintext)) as SealedContent;
  } catch {
    return { record, sealed: null, provenance: provenance({ problems: ['The decrypted content is not readable.'] }, anchor) };
  }
  if (!sealedMatches(sealed, record)) {
    return { record, sealed: null, provenance: provenance({ problems: ['The content belongs to another record.'] }, anchor) };
  }

  if (anchor && verifiedObjects.get(record) === anchor) {
    if (persistent && persistent.tag === undefined) persistent.remember(record.id, persistent.cache.tagOf(verificationFacts(record, anchor)));
    return rememberOpened({ record, sealed, provenance: provenance({ signatureValid: true, contentMatchesAnchor: true, problems: [] }, anchor) });
  }
  const facts = verificationFacts(record, anchor);
  const persisted = anchor && persistent?.tag !== undefined && persistent.cache.isStillVerified(facts, persistent.tag);
  if (anchor && (persisted || cache.isStillVerified(facts))) {
    // Verified earlier in this process: make the memo persistent too, for the next start.
    if (persistent && !persisted) persistent.remember(record.id, persistent.cache.tagOf(facts));
    verifiedObjects.set(record, anchor);
    return rememberOpened({ record, sealed, provenance: provenance({ signatureValid: true, contentMatchesAnchor: true, problems: [] }, anchor) });
  }

  const problems: string[] = [];
  if (contentHashOf(plaintext) !== record.contentHash) problems.push('The content does not match the hash its author signed.');
  const signatureValid = signatureHolds(record);
  if (!signatureValid) problems.push('The signature is not valid for the stated author.');
  let contentMatchesAnchor = checkHashCommitment(record.contentHash, record.salt, record.commitment);
  if (!contentMatchesAnchor) problems.push('The content does not match its commitment.');
  if (anchor) {
    if (!verifyInclusion(anchor.root, leafOf(record), anchor.proof)) {
      contentMatchesAnchor = false;
      problems.push('The record does not match its ward-chain anchor.');
    } else if (!(await rootOnChain(anchor.root))) {
      contentMatchesAnchor = false;
      problems.push('The anchor is not on the ward chain.');
    }
  }
  if (problems.length === 0 && anchor) {
    cache.markVerified(facts);
    verifiedObjects.set(record, anchor);
    if (persistent) persistent.remember(record.id, persistent.cache.tagOf(facts));
  }
  const result = { record, sealed, provenance: provenance({ signatureValid, contentMatchesAnchor: contentMatchesAnchor && !!anchor, problems }, anchor) };
  return result.provenance.status === 'verified' ? rememberOpened(result) : result;
}
