/**
 * What checking this workstation's record store against the ward chain found (records/chainCheck.ts):
 * the chain holds every anchor batch's root and leaf count, every grant and revoke, and every
 * audited access, so records deleted or copied, consent edited, and access-log entries deleted in
 * the store are named here. Patients appear only as addresses (pseudonymous accounts), never names.
 */

/** An anchor batch whose records in the store do not match what the chain anchored. */
export interface BatchDifference {
  batchId: number;
  root: string;
  /** Leaves the chain anchored. */
  leafCount: number;
  /** Records of the batch found where the batch put them. */
  found: number;
  /** Records anchored on the chain and gone from the store (leafCount − found); their ids went with them. */
  missing: number;
  /** Patients of missing records, where the store still says whose they were, with counts. */
  patients: Array<{ patient: string; missing: number }>;
  /** 'batch': the store has no such batch at all; 'records': some of its records are gone. */
  problem: 'batch' | 'records';
}

/** A grant the store and the chain disagreed on. */
export interface ConsentDifference {
  patient: string;
  grantee: string;
  chain: 'granted' | 'not granted';
  store: 'granted' | 'not granted';
  /**
   * True: revoked here as on the chain. False: granted on the chain only — it cannot be put in
   * force without the patient's key (the grantee stays refused until the patient grants here again).
   */
  corrected: boolean;
}

/** The check of the whole ward, run at start (incremental from the last block checked). */
export interface StoreCheckReport {
  checkedAt: string;
  /** Blocks looked at for new batches, consent changes and audits (first start: from the ward's setup). */
  fromBlock: number;
  toBlock: number;
  batchesChecked: number;
  batches: BatchDifference[];
  consent: ConsentDifference[];
  /** Audited accesses on the chain whose local access-log entry was gone, written back from the chain. */
  auditRestored: number;
  /** In plain words, for the IT admin; empty when the store agrees with the chain. */
  findings: string[];
}

/** What differs for one patient (shown as a banner over their record and access log). */
export interface PatientStoreCheck {
  /** Records of this patient anchored on the chain and missing from this store. */
  missingRecords: number;
  /** Records of the ward missing from this store whose patient the store no longer names (maybe this one's). */
  missingUnattributed: number;
  /** Extra copies of this patient's records in the store (hidden from the history). */
  extraCopies: number;
  /** Grants of this patient in force here that the chain does not have, revoked here. */
  consentCorrected: number;
  /** Grants of this patient on the chain that are not in force here (checked this time). */
  consentMissing: number;
  /** Access-log entries of this patient restored from the chain. */
  auditRestored: number;
  /** The banner, in plain words; null when this patient's data agrees with the chain. */
  warning: string | null;
}
