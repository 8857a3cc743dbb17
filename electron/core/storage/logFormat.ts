/**
 * The lines of `records/log.jsonl`, the log-based record store of WardLedger before the ward store
 * (one JSON entry per line, replayed into memory at every start). Only the migration reads it
 * now (logMigration.ts); nothing writes it any more.
 */
import type { KeyScope } from '../crypto/keyScope';
import type { AuditRecord, ConsentEntry } from './storeTypes';
import type { StoredRecord } from './storedRecord';

export type LogEntry =
  | { t: 'scope'; patient: string; scope: KeyScope }
  | { t: 'scopeKeys'; scope: KeyScope }
  | { t: 'scopeEnd'; patient: string; scopeId: string }
  | { t: 'rec'; r: StoredRecord }
  /**
   * Verification memos keyed with a secret derived from the care team key (so only a holder of
   * that key can make one): [recordId, tag].
   */
  | { t: 'vtag'; tags: Array<[string, string]> }
  /** Device readings already recorded (hashes of serial + device record id), for dedupe. */
  | { t: 'dev'; keys: string[] }
  | { t: 'batch'; root: string; ids: string[] }
  /**
   * `proofs` is 'batchSignature' when the anchored tree is the one the records' batch signature
   * covers (a station ingest batch anchored alone): each proof is then the one already stored in
   * the record.
   */
  | { t: 'anchor'; root: string; batchId: number; block: number; tx: string; ids: string[]; proofs: string[][] | 'batchSignature' }
  | ConsentEntry
  | AuditRecord;
