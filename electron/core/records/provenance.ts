/**
 * Local verification of a stored record: decryptable by the reader, content bound to the record,
 * content hash, author signature, salted commitment, Merkle inclusion and the root on the ward
 * chain. Never reports "verified" unless every check passed; keyed memos (VerifiedCache) skip the
 * costly signature and proof checks for records verified before whose stored bytes are unchanged.
 *
 * Verification runs in two steps so a window of records reads no Merkle tree it does not need:
 * `openFromMemo` decrypts and answers from the memos (no proofs needed); what it cannot answer is
 * checked in full by `verifyInFull`, after the caller filled the records' proofs.
 */
import { hash } from 'node:crypto';
import type { Provenance } from '../model/records';
import { checkHashCommitment } from '../crypto/commitment';
import type { ScopeKey } from '../crypto/keyScope';
import { verifyInclusion } from '../crypto/merkle';
import { contentHashOf, verifyBatchSignature, verifyRecordSignature } from '../crypto/recordSignature';
import type { VerifiedCache, VerifiedFacts } from '../crypto/verifiedCache';
import { BoundedCache, ByteBoundedCache } from '../storage/boundedCache';
import { leafOf, type AnchorRef, type RecordFields, type StoredRecord } from '../storage/storedRecord';
import { cipherBytesOf } from '../storage/recordBinary';
import type { StoredBytes } from '../storage/wardStore';
import { batchFieldsOf, fieldsOf, sealedMatches, unpackSealed, type SealedContent } from './recordCodec';
import { memoCoveredBytes, storedCoveredBytes, type StoredForm } from './recordMemo';

export interface OpenedRecord {
  /**
   * The fields readers use (a record held opened keeps only these beside its decrypted content):
   * whoever needs the stored record itself, with its hashes, signature and ciphertext (an export,
   * a refiling), takes the entry it read.
   */
  record: RecordFields;
  sealed: SealedContent | null;
  provenance: Provenance;
}

/** An opened record with the stored record it was read from (hashes, signature, ciphertext, proofs). */
export type OpenedStored = OpenedRecord & { record: StoredRecord };

/** One decoder for every record opened (not one a record). */
const utf8 = new TextDecoder();

/** Whether a root is anchored on the ward chain (looked up once per root). */
export type RootCheck = (root: string) => Promise<boolean>;

/**
 * The provenance of a record that verified is its anchor's: one frozen object per anchor, shared
 * by the records verified under it (a page of 5,000 readings has some 5 anchors; two objects a
 * record fewer to make and to hold).
 */
const verifiedUnder = new BoundedCache<string, Provenance>(4096);

function verifiedProvenance(anchor: AnchorRef): Provenance {
  const key = `${anchor.root}|${anchor.block}|${anchor.tx}`;
  let p = verifiedUnder.get(key);
  if (!p) {
    p = Object.freeze({ signatureValid: true, contentMatchesAnchor: true, anchored: true, wardBlock: anchor.block, wardTx: anchor.tx || null, batchRoot: anchor.root, problems: Object.freeze([]) as unknown as string[], status: 'verified' as const });
    verifiedUnder.set(key, p);
  }
  return p;
}

function provenance(partial: Partial<Provenance> & { problems: string[] }, anchor: AnchorRef | undefined): Provenance {
  const tampered = partial.problems.length > 0;
  if (!tampered && anchor && partial.signatureValid && partial.contentMatchesAnchor) return verifiedProvenance(anchor);
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
 * What a verification memo vouches for (records/recordMemo.ts, as bytes): the stored ciphertext,
 * every field the author's signature and the Merkle leaf cover, the signature itself (for a batch
 * signature also its root, count and time), and the anchor's root and place on the chain. Proofs
 * are not part of it: once a leaf was proven under a root on the chain, the same leaf stays under
 * that root, so a record whose memo holds needs no tree read at all. Any of these altered later
 * and the memo no longer matches.
 *
 * `stored`: the bytes the record was decoded from (its patient and binary body as the store holds
 * them): the memo then covers those bytes as they are (the stored form, no field re-encoded);
 * without them (a body kept as JSON, a record not read from the store) its fields (the field form).
 */
export function verificationFacts(record: StoredRecord, anchor: AnchorRef | undefined, stored?: StoredForm & { id: string }): VerifiedFacts {
  if (stored && stored.id === record.id && stored.patient === record.patient) return storedFacts(record, anchor, stored);
  return { recordId: record.id, covered: memoCoveredBytes(record, anchor), scope: 'ward' };
}

/** The facts in the stored form, for a record read with bytes known to be its own (same id and patient). */
function storedFacts(record: RecordFields, anchor: AnchorRef | undefined, stored: StoredForm): VerifiedFacts {
  return { recordId: record.id, covered: storedCoveredBytes(stored, record.batchSignature, anchor), scope: 'ward', form: 'stored' };
}

/** The anchor a record was verified under (its root, batch and block) is this one. */
const sameAnchor = (a: Pick<AnchorRef, 'root' | 'batchId' | 'block'>, b: AnchorRef): boolean => a.root === b.root && a.batchId === b.batchId && a.block === b.block;

/**
 * A digest of every field a record's signature, commitment, anchor leaf and ciphertext cover (and
 * its batch signature but not the proof), for a record read without its stored bytes: reopened,
 * it is served from memory only if the digest is the same.
 */
function fieldsDigest(r: StoredRecord): string {
  const b = r.batchSignature;
  const fields = [r.id, r.patient, r.patientRef, r.kind, r.author, r.authorRole, r.signedVersion ?? '', r.createdAt, r.amends, r.contentHash, r.salt, r.commitment, r.signature];
  fields.push(b ? `${b.root}|${b.count}|${b.createdAt}|${b.signature}` : '-', r.cipher.v, r.cipher.scopeId, r.cipher.iv, r.cipher.ct);
  return 'f' + hash('sha256', fields.join('\n'), 'base64');
}

/**
 * What the opened-record cache may hold: an estimate of heap bytes, not a count of records. 44 MB
 * holds some 17,000 station readings (about 2.6 KB each by `openedBytes`) or 20,000 nurse sets
 * (2.3 KB): a 10,000-record history and a 72 h window of another patient; a history larger than
 * the cache is opened from the persistent memos (decrypted again, nothing re-verified).
 */
export const OPENED_CACHE_BYTES = 44 * 1024 * 1024;

/**
 * Estimated heap bytes of a record held opened: 1,200 for its fields (RecordFields), its place in
 * the cache, the digest of the bytes it was read from and, once reopened, its view; its parsed
 * content, which grows with the plaintext: about the ciphertext's hex length (the plaintext is
 * deflated before sealing); 80 a batch-signature string or proof hash. Measured with the growth
 * bench's 15,000 readings held: the core's heap 20 MB after start, 51 MB after the opens, about
 * 2.1 KB a record before any view (docs/storage.md, "Memory of a running ward").
 */
export function openedBytes(o: OpenedRecord, stored?: StoredBytes): number {
  // The hex length from the body's bytes where read with them (the record spells its hex only when
  // asked); a record without its bytes is a stored record, with its ciphertext's hex.
  const raw = stored && stored.id === o.record.id ? cipherBytesOf(stored.body) : null;
  const ctHexLength = raw ? 2 + 2 * raw.ct.length : (o.record as StoredRecord).cipher.ct.length;
  return 1200 + ctHexLength + 80 * ((o.record.batchSignature?.proof.length ?? 0) + (o.record.batchSignature ? 4 : 0));
}

/** An opened record held in memory: the anchor it was verified under and a digest of the bytes it was read from. */
export interface HeldOpen {
  anchor: Pick<AnchorRef, 'root' | 'batchId' | 'block'>;
  /** The fields readers use, its content and provenance. */
  opened: OpenedRecord;
  /**
   * SHA-256 of what it was read from: 'b' and the stored body it was decoded from, or 'f' and its
   * fields (`fieldsDigest`: a record read without its stored bytes). A digest rather than a copy:
   * a copy of the bodies held some 10 MB of small buffers outside the heap after a 15,000-record
   * open, and the ciphertexts' hex 16 MB of the heap, for 1 us of hashing a record at its next open.
   */
  digest: string;
  /** Estimated heap bytes (openedBytes). */
  bytes: number;
  /** The persistent memo whose tag for it is stored (written once per process, not read at every open). */
  persistedFor: VerifiedCache | null;
}

/**
 * Recently opened, verified records (decrypted content held in this process's memory only, as the
 * scope keys are), by id with the anchor they were verified under and a digest of the stored
 * bytes they were read from: reopening a history neither decodes, decrypts nor parses a record whose stored bytes
 * are the same (`reopened`: their digest compared), and a record whose stored bytes changed is not
 * a hit. Bounded by bytes (OPENED_CACHE_BYTES), oldest out first.
 */
const opened = new ByteBoundedCache<string, HeldOpen>(OPENED_CACHE_BYTES, (e) => e.bytes);

const bodyDigest = (body: Uint8Array): string => 'b' + hash('sha256', body, 'base64');

function rememberOpened(o: OpenedStored, anchor: AnchorRef, stored: StoredBytes | undefined, persistedFor: VerifiedCache | null): OpenedRecord {
  hold(o, anchor, stored && stored.id === o.record.id ? bodyDigest(stored.body) : fieldsDigest(o.record), openedBytes(o, stored), persistedFor);
  return o;
}

/** Keep an opened record for the next open of the bytes its digest names (see `opened`). */
function hold(o: OpenedRecord, anchor: AnchorRef, digest: string, bytes: number, persistedFor: VerifiedCache | null): void {
  // A copy of the fields readers use (RecordFields: no hashes, signature or ciphertext, read again
  // from the store whenever they are needed); a copy also because the store keeps where it read
  // each record object from (a WeakMap holding views of its read buffers), which must not live as
  // long as this cache.
  const record = heldFields(o.record);
  const { sealed } = o;
  if (sealed && sealedMatches(sealed, record)) {
    // The sealed content names the record's id, patient and author again, equal strings: it
    // shares the record's instead of holding its own copies (the values do not change).
    sealed.id = record.id;
    sealed.patient = record.patient;
    sealed.author = record.author;
  }
  const kept: OpenedRecord = { record, sealed, provenance: o.provenance };
  opened.set(o.record.id, { anchor: { root: anchor.root, batchId: anchor.batchId, block: anchor.block }, opened: kept, digest, bytes, persistedFor });
}

/**
 * The fields a held record keeps (RecordFields), field by field: every held record then shares
 * one of two hidden classes (a rest pattern gave each its own descriptor array: 6 MB over 15,000
 * records).
 */
function heldFields(r: RecordFields): RecordFields {
  const { v, scopeId, iv } = r.cipher;
  const held: RecordFields = { id: r.id, patient: r.patient, kind: r.kind, author: r.author, authorRole: r.authorRole, createdAt: r.createdAt, amends: r.amends, cipher: { v, scopeId, iv } };
  if (r.batchSignature) held.batchSignature = r.batchSignature;
  return held;
}

/**
 * The opened record held for exactly the bytes this entry was read from — the same body under the
 * same patient, read with the same batch signature, under the same anchor — or undefined (decode
 * and open it). Equal bytes decode to the same record, field for field, so nothing is decoded to
 * tell; any byte edited since it was opened and it is not a hit. Hand it to `openReused`.
 */
export function reopened(entry: { stored?: StoredBytes; anchor: AnchorRef | undefined }): HeldOpen | undefined {
  const s = entry.stored;
  if (!s || !entry.anchor) return undefined;
  const hit = opened.get(s.id);
  if (!hit || !sameAnchor(hit.anchor, entry.anchor)) return undefined;
  const r = hit.opened.record;
  const b = r.batchSignature;
  const h = s.signedBy;
  if (r.patient !== s.patient) return undefined;
  if (h ? !(b && h.signature && b.root === h.root && b.count === h.signature.count && b.createdAt === h.signature.createdAt && b.signature === h.signature.signature) : b) return undefined;
  return hit.digest === bodyDigest(s.body) ? hit : undefined;
}

/**
 * A held record for a reader: only with a key to its scope (the cache is the process's, not the
 * reader's); the reader's persistent memo (`persistent`, null: none) gets its tag the first time
 * the record is read here with it (`remember`), over `stored`: the bytes `reopened` found it for.
 */
export function openReused(hit: HeldOpen, stored: StoredBytes, key: ScopeKey | null, persistent: VerifiedCache | null, remember: PersistentMemo['remember']): OpenedRecord | undefined {
  if (!key) return undefined;
  if (persistent && hit.persistedFor !== persistent) {
    const { record } = hit.opened;
    remember(record.id, persistent.tagOf(storedFacts(record, { ...hit.anchor, tx: '', proof: [] }, stored)));
    hit.persistedFor = persistent;
  }
  return hit.opened;
}

/** The record held opened for this very record (read with or without its stored bytes), if any. */
function heldFor(record: StoredRecord, anchor: AnchorRef, stored: StoredBytes | undefined): HeldOpen | undefined {
  if (stored && stored.id === record.id) return reopened({ stored, anchor });
  const hit = opened.get(record.id);
  return hit && sameAnchor(hit.anchor, anchor) && hit.digest === fieldsDigest(record) ? hit : undefined;
}

/** Drop every decrypted record held in memory (nobody is logged in, or the core stops). */
export function forgetOpened(): void {
  opened.clear();
}

/**
 * Run `work` (which opens these records) and drop afterwards what it added to the records held
 * opened: work done with nobody logged in (the station sealing its hours) leaves no decrypted
 * record behind, nor evicts what a reader holds.
 */
export async function withoutHolding<T>(ids: readonly string[], work: () => Promise<T>): Promise<T> {
  const heldBefore = new Set(ids.filter((id) => opened.get(id) !== undefined));
  try {
    return await work();
  } finally {
    for (const id of ids) if (!heldBefore.has(id)) opened.delete(id);
  }
}

/** How many decrypted records this process holds (diagnostics and tests; no content). */
export function heldOpenedCount(): number {
  return opened.size;
}

/** Batch signatures checked in this process (one recovery per batch, not per record). */
const verifiedBatches = new BoundedCache<string, true>(16_384);

/**
 * The author's signature: per record, or over a batch root that includes this record's leaf
 * (`included`: already known from the batch's tree checked whole, else its proof is walked).
 */
export function signatureHolds(record: StoredRecord, included?: boolean): boolean {
  const b = record.batchSignature;
  const batch = batchFieldsOf(record);
  if (!b || !batch) return verifyRecordSignature(fieldsOf(record), record.signature, record.author);
  if (!(included ?? verifyInclusion(b.root, leafOf(record), b.proof))) return false;
  const memo = `${b.root}|${b.signature}|${record.author}|${b.count}|${b.createdAt}|${batch.authorRole ?? ''}`;
  if (verifiedBatches.get(memo)) return true;
  const ok = verifyBatchSignature(batch, b.signature, record.author);
  if (ok) verifiedBatches.set(memo, true);
  return ok;
}

/** A second, persistent memo: its cache, the stored tag of this record, and where new tags go. */
export interface PersistentMemo {
  cache: VerifiedCache;
  tag: string | undefined;
  remember(recordId: string, tag: string): void;
}

/** The memos a verification may use and feed. */
export interface Memos {
  /** Verified in this process (a per-process secret). */
  cache: VerifiedCache;
  rootOnChain: RootCheck;
  persistent?: PersistentMemo;
}

/** A record decrypted whose memos did not vouch for it: verifyInFull checks it (proofs needed). */
export interface ToCheck {
  record: StoredRecord;
  anchor: AnchorRef | undefined;
  plaintext: Uint8Array;
  sealed: SealedContent;
  facts: VerifiedFacts;
  /**
   * The record's leaf found (or not) in its batch trees checked whole (VerifiedTrees); a check
   * left undefined walks the record's proof (which must then be filled).
   */
  included?: { signature?: boolean; anchor?: boolean };
  /** The bytes the record was read from (kept with it once verified). */
  stored?: StoredBytes;
}

/**
 * Decrypt and answer from the memos: an OpenedRecord when the record is unreadable, broken, or
 * vouched for by a memo; otherwise what `verifyInFull` must check.
 */
export function openFromMemo(record: StoredRecord, anchor: AnchorRef | undefined, key: ScopeKey | null, memos: Memos, stored?: StoredBytes): { opened: OpenedRecord } | { check: ToCheck } {
  if (!key) {
    return { opened: { record, sealed: null, provenance: provenance({ problems: ['This record cannot be decrypted with your access.'], status: 'unverifiable' }, anchor) } };
  }
  const hit = anchor && heldFor(record, anchor, stored);
  if (hit) {
    const { persistent } = memos;
    if (persistent && persistent.tag === undefined) persistent.remember(record.id, persistent.cache.tagOf(verificationFacts(record, anchor, stored)));
    return { opened: hit.opened };
  }
  const facts = verificationFacts(record, anchor, stored);
  let plaintext: Uint8Array;
  try {
    // From the stored body's bytes when read with it (the same nonce and ciphertext the record's hex spells).
    const raw = stored && stored.id === record.id ? cipherBytesOf(stored.body) : null;
    plaintext = raw ? key.openBytes(record.cipher.scopeId, raw.iv, raw.ct, record.id) : key.open(record.cipher, record.id);
  } catch {
    return { opened: { record, sealed: null, provenance: provenance({ problems: ['The encrypted content was altered or does not belong to this record.'] }, anchor) } };
  }
  let sealed: SealedContent;
  try {
    plaintext = unpackSealed(plaintext);
    sealed = JSON.parse(utf8.decode(plaintext)) as SealedContent;
  } catch {
    return { opened: { record, sealed: null, provenance: provenance({ problems: ['The decrypted content is not readable.'] }, anchor) } };
  }
  if (!sealedMatches(sealed, record)) {
    return { opened: { record, sealed: null, provenance: provenance({ problems: ['The content belongs to another record.'] }, anchor) } };
  }
  const { persistent } = memos;
  const persisted = anchor && persistent?.tag !== undefined ? persistedMemo(persistent.cache, persistent.tag, facts, record, anchor) : false;
  if (anchor && (persisted || memos.cache.isStillVerified(facts))) {
    // Verified earlier (in this process or before a restart): make the memo persistent too, in the stored form.
    if (persistent && persisted !== 'current') persistent.remember(record.id, persistent.cache.tagOf(facts));
    const verified = { record, sealed, provenance: provenance({ signatureValid: true, contentMatchesAnchor: true, problems: [] }, anchor) };
    return { opened: rememberOpened(verified, anchor, stored, persistent?.cache ?? null) };
  }
  return { check: { record, anchor, plaintext, sealed, facts, stored } };
}

/**
 * A record an opened block vouches for (records/openedBlocks.ts: its verified, decrypted content
 * and its fields, sealed under the reader's memo family and bound to exactly these stored bytes
 * and this anchor): verified as its memo would have it, nothing decoded or decrypted. Undefined
 * when the reader holds no key to its scope or the content does not name the record: it is then
 * opened the usual way. `persistedFor`: the memo family whose tags were stored with the block.
 */
export function openVouched(record: RecordFields, anchor: AnchorRef, key: ScopeKey | null, sealed: SealedContent, stored: StoredBytes, persistedFor: VerifiedCache): OpenedRecord | undefined {
  if (!key || stored.id !== record.id || !sealedMatches(sealed, record)) return undefined;
  const o: OpenedRecord = { record, sealed, provenance: verifiedProvenance(anchor) };
  hold(o, anchor, bodyDigest(stored.body), openedBytes(o, stored), persistedFor);
  return o;
}

/**
 * Whether a persistent tag holds for the record: 'current' for a tag of these facts; 'earlier' for
 * a tag of the field form where the facts are in the stored form (a tag written before the stored
 * form existed: honoured, it covers the same fields, and replaced); false for neither.
 */
function persistedMemo(cache: VerifiedCache, tag: string, facts: VerifiedFacts, record: StoredRecord, anchor: AnchorRef): 'current' | 'earlier' | false {
  if (cache.isStillVerified(facts, tag)) return 'current';
  if ('form' in facts && facts.form === 'stored' && cache.isStillVerified(verificationFacts(record, anchor), tag)) return 'earlier';
  return false;
}

/** Every check, for a record no memo vouched for (its proofs must be filled). */
export async function verifyInFull(c: ToCheck, memos: Memos): Promise<OpenedRecord> {
  const { record, anchor, plaintext, sealed, facts } = c;
  const problems: string[] = [];
  if (contentHashOf(plaintext) !== record.contentHash) problems.push('The content does not match the hash its author signed.');
  const b = record.batchSignature;
  const signedInclusion = b ? (c.included?.signature ?? verifyInclusion(b.root, leafOf(record), b.proof)) : undefined;
  const signatureValid = signatureHolds(record, signedInclusion);
  if (!signatureValid) problems.push('The signature is not valid for the stated author.');
  let contentMatchesAnchor = checkHashCommitment(record.contentHash, record.salt, record.commitment);
  if (!contentMatchesAnchor) problems.push('The content does not match its commitment.');
  // A station batch anchored whole: the anchor's root and proof are the signed batch's, walked once.
  const sameWalk = b && anchor && anchor.root === b.root && sameProof(anchor.proof, b.proof);
  if (anchor) {
    if (!(c.included?.anchor ?? (sameWalk ? signedInclusion : verifyInclusion(anchor.root, leafOf(record), anchor.proof)))) {
      contentMatchesAnchor = false;
      problems.push('The record does not match its ward-chain anchor.');
    } else if (!(await memos.rootOnChain(anchor.root))) {
      contentMatchesAnchor = false;
      problems.push('The anchor is not on the ward chain.');
    }
  }
  if (problems.length === 0 && anchor) {
    // One memo is enough: a care-team reader's persistent tag (read back with the record), else this process's.
    if (memos.persistent) memos.persistent.remember(record.id, memos.persistent.cache.tagOf(facts));
    else memos.cache.markVerified(facts);
  }
  const result = { record, sealed, provenance: provenance({ signatureValid, contentMatchesAnchor: contentMatchesAnchor && !!anchor, problems }, anchor) };
  return result.provenance.status === 'verified' && anchor ? rememberOpened(result, anchor, c.stored, memos.persistent?.cache ?? null) : result;
}

function sameProof(a: string[], b: string[]): boolean {
  return a === b || (a.length === b.length && a.every((h, i) => h === b[i]));
}

/** Both steps for one record whose proofs are filled (or will be by `fillProofs` when needed). */
export async function openAndVerify(record: StoredRecord, anchor: AnchorRef | undefined, key: ScopeKey | null, memos: Memos, fillProofs: () => Promise<void> = async () => undefined, stored?: StoredBytes): Promise<OpenedRecord> {
  const first = openFromMemo(record, anchor, key, memos, stored);
  if ('opened' in first) return first.opened;
  await fillProofs();
  return verifyInFull(first.check, memos);
}
