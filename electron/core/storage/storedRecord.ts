/**
 * The record format the ward store keeps (and the record services read and verify). A record is:
 *  - public metadata needed to index, anchor and verify it (ids, pseudonymous patient reference,
 *    author, time, content hash, salted commitment, signature);
 *  - its content, encrypted under the patient's current key scope (never in the clear).
 * The chain holds only the Merkle root over leaves (recordId, patientRef, commitment, author,
 * createdAt); each record keeps its inclusion proof.
 */
import type { RecordKind } from '../model/records';
import type { Role } from '../model/people';
import type { ScopedCiphertext } from '../crypto/keyScope';
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

/**
 * The fields of a record its readers use once it is opened (who wrote it, when, what it amends,
 * its batch and its scope), beside its decrypted content. A record held opened in memory keeps
 * only these: its hashes, signature and ciphertext were checked when it was opened, and whoever
 * needs them again (an export) reads the stored record.
 */
export type RecordFields = Pick<StoredRecord, 'id' | 'patient' | 'kind' | 'author' | 'authorRole' | 'createdAt' | 'amends' | 'batchSignature'> & { cipher: Omit<ScopedCiphertext, 'ct'> };

export interface AnchorRef {
  root: string;
  batchId: number;
  block: number;
  tx: string;
  proof: string[];
}

/** The fields of a record that its Merkle leaf commits to (the anchor on the chain). */
export function leafOf(r: StoredRecord): LeafFields {
  return { recordId: r.id, patientRef: r.patientRef, commitment: r.commitment, author: r.author, createdAt: r.createdAt };
}
