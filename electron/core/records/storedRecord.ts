/**
 * What the record store keeps. A record is stored as:
 *  - public metadata needed to index, anchor and verify it (ids, pseudonymous patient reference,
 *    author, time, content hash, salted commitment, signature);
 *  - its content, encrypted under the patient's current key scope (never in the clear).
 * The chain holds only the Merkle root over leaves (recordId, patientRef, commitment, author,
 * createdAt); each record keeps its inclusion proof.
 */
import type { RecordContent, RecordKind } from '../model/records';
import type { Role } from '../model/people';
import type { Envelope } from '../crypto/envelope';
import type { KeyScope, ScopedCiphertext } from '../crypto/keyScope';
import type { LeafFields } from '../crypto/merkle';

export interface StoredRecord {
  id: string;
  patient: string;
  patientRef: string;
  kind: RecordKind;
  author: string;
  /** 'station' for readings recorded unattended by the workstation from a bound device. */
  authorRole: Role | 'station';
  /**
   * 2: the role is among the signed fields (EIP-712 typed data version 2, every record written
   * now); absent: written before, signed without the role (version 1), which still verifies.
   */
  signedVersion?: 2;
  /** Milliseconds since the epoch (also the EIP-712 and leaf createdAt). */
  createdAt: number;
  /** Record id this one amends, or the zero bytes32. */
  amends: string;
  contentHash: string;
  salt: string;
  commitment: string;
  /** EIP-712 Record signature by the author, or, for device batches, see batchSignature. */
  signature: string;
  /** Set for records signed as part of a batch (device streams): the batch's EIP-712 signature (with the role when signedVersion is 2). */
  batchSignature?: { root: string; count: number; createdAt: number; signature: string; proof: string[] };
  cipher: ScopedCiphertext;
}

/** The encrypted plaintext: content plus the fields that bind it to its record. */
export interface SealedContent {
  v: 1;
  id: string;
  patient: string;
  kind: RecordKind;
  author: string;
  createdAt: number;
  /** 128 random bits so equal content never hashes alike. */
  nonce: string;
  /** The author's name as they signed (readers of the record may not be able to read staff profiles). */
  authorName: string;
  content: RecordContent;
}

export interface AnchorRef {
  root: string;
  batchId: number;
  block: number;
  tx: string;
  proof: string[];
}

export type LogEntry =
  | { t: 'scope'; patient: string; scope: KeyScope }
  | { t: 'scopeKeys'; scope: KeyScope }
  | { t: 'scopeEnd'; patient: string; scopeId: string }
  | { t: 'rec'; r: StoredRecord }
  /**
   * Verification memos keyed with a secret derived from the care team key (so only a holder of
   * that key can make one): [recordId, tag]. They let the first open after a restart skip the
   * signature checks of records verified before; altered bytes still fail the tag.
   */
  | { t: 'vtag'; tags: Array<[string, string]> }
  /** Device readings already recorded (hashes of serial + device record id), for dedupe. */
  | { t: 'dev'; keys: string[] }
  | { t: 'batch'; root: string; ids: string[] }
  /**
   * `proofs` is 'batchSignature' when the anchored tree is the one the records' batch signature
   * covers (a station ingest batch anchored alone): each proof is then the one already stored in
   * the record, not written twice (~0.7 KB per reading).
   */
  | { t: 'anchor'; root: string; batchId: number; block: number; tx: string; ids: string[]; proofs: string[][] | 'batchSignature' }
  | { t: 'consent'; patient: string; grantee: string; action: 'grant' | 'revoke'; at: number; tx: string }
  | { t: 'audit'; actor: string; patient: string | null; action: number; breakGlass: boolean; reason: Envelope | null; at: number; block: number; tx: string };

/** The fields of a record that its Merkle leaf commits to (the anchor on the chain). */
export function leafOf(r: StoredRecord): LeafFields {
  return { recordId: r.id, patientRef: r.patientRef, commitment: r.commitment, author: r.author, createdAt: r.createdAt };
}
