/**
 * Checking every record in a store without any reader's key (after a migration, after a restore):
 * the author's signature (per record, or the batch signature with the record's inclusion in the
 * signed tree), the salted commitment over the content hash, the inclusion proof under the anchored
 * root, and that root on the ward chain (each root once). What it cannot check without a reader's
 * key is whether the encrypted content matches its signed hash: readers check that when they open
 * a record, as always.
 */
import { checkHashCommitment } from '../crypto/commitment';
import { verifyInclusion } from '../crypto/merkle';
import { leafOf } from '../storage/storedRecord';
import type { WardStore } from '../storage/wardStore';
import { signatureHolds } from './provenance';

export interface IntegrityReport {
  records: number;
  verified: number;
  /** Durable records not anchored yet (they are anchored when the ward next starts). */
  pending: number;
  failed: number;
  /** The first failures (record id and what failed), at most 100. */
  failures: Array<{ id: string; problems: string[] }>;
  checkedAt: number;
}

export interface IntegrityProgress {
  records: number;
}

export async function checkEveryRecord(store: WardStore, rootOnChain: (root: string) => Promise<boolean>, onProgress: (p: IntegrityProgress) => void = () => undefined): Promise<IntegrityReport> {
  const report: IntegrityReport = { records: 0, verified: 0, pending: 0, failed: 0, failures: [], checkedAt: 0 };
  for await (const chunk of store.allEntries()) {
    await store.fillProofs(chunk);
    for (const { record, anchor } of chunk) {
      const problems: string[] = [];
      if (!signatureHolds(record)) problems.push('The signature is not valid for the stated author.');
      if (!checkHashCommitment(record.contentHash, record.salt, record.commitment)) problems.push('The content hash does not match its commitment.');
      if (anchor) {
        if (!verifyInclusion(anchor.root, leafOf(record), anchor.proof)) problems.push('The record does not match its ward-chain anchor.');
        else if (!(await rootOnChain(anchor.root))) problems.push('The anchor is not on the ward chain.');
      }
      report.records++;
      if (problems.length) {
        report.failed++;
        if (report.failures.length < 100) report.failures.push({ id: record.id, problems });
      } else if (anchor) report.verified++;
      else report.pending++;
    }
    onProgress({ records: report.records });
  }
  report.checkedAt = Date.now();
  return report;
}
