/** What the IT admin's consortium screens and the record view's consortium badge show. */

/** Where the ward's consortium node and ledger are (checked on save). */
export interface ConsortiumSettings {
  /** The node's JSON-RPC URL (the hospital's RPC node). */
  url: string;
  /** The ConsortiumLedger contract. */
  ledger: string;
  chainId: number;
  /** Blocks on top of the including one before a batch counts (QBFT: 1). */
  confirmations: number;
}

export interface ConsortiumSettingsView {
  settings: ConsortiumSettings | null;
  /** This ward's sync account (what the consortium admin registers, from the ward card). */
  account: string;
  wardName: string;
}

export type SyncActivity = 'idle' | 'publishing' | 'pulling' | 'waiting' | 'stopped';

export interface SyncConsoleView {
  configured: boolean;
  connection: { status: 'unknown' | 'online' | 'offline'; since: number | null; reason: string | null; failures: number; retryAt: number | null; head: number | null };
  paused: boolean;
  activity: SyncActivity;
  /** Records waiting to be published. */
  queue: number;
  lastSuccess: number | null;
  currentBatch: { batchId: string; records: number; stage: 'prepared' | 'sent' | 'confirmed'; roundRecords: number; roundQueued: number } | null;
  pull: { checkpoint: number; head: number | null; grants: number; records: number; quarantined: number } | null;
  errors: Array<{ at: number; during: 'publish' | 'pull' | 'connect'; code: string; cause: string }>;
  history: PublishedBatchView[];
  /** Cursor of the older published batches (`consortium/batches`); null when the history ends here. */
  olderHistory: string | null;
  quarantine: Array<{ what: 'grant' | 'share' | 'record'; ward: string; wardName: string | null; batchId: string | null; recordId: string | null; block: number; tx: string; cause: string; at: number }>;
  held: Array<{ id: string; cause: string; at: number }>;
}

/** Published batches a ward keeps in its sync history (the consortium chain holds them all). */
export const BATCH_HISTORY_KEPT = 500;

export interface PublishedBatchView {
  batchId: string;
  records: number;
  shares: number;
  payloadBytes: number;
  block: number;
  tx: string | null;
  /** Found on chain already (an earlier attempt got through). */
  already: boolean;
  publishedAt: number;
}

/** A page of older published batches, newest first. */
export interface PublishedBatchPage {
  batches: PublishedBatchView[];
  older: string | null;
}

/** A record's place on the consortium chain, shown only for records actually published (or received). */
export interface ConsortiumBadge {
  ward: string;
  batchId: string;
  block: number;
  tx: string | null;
  /** The record's proof reaches the batch root this ward keeps for it. */
  included: boolean;
  /** The consortium ledger holds that root for the ward's batch: true, false, or null when the node could not be asked. */
  rootOnChain: boolean | null;
  /** A record received from another ward. */
  from: { account: string; name: string } | null;
}

// ---------- transfer of care between wards (records/careTransfer.ts) ----------

/** A ward of the consortium directory, as a clinician picks it (by name). */
export interface ConsortiumWard {
  account: string;
  name: string;
}

/** The wards a patient can be transferred to, and whether the list was read from the node just now. */
export interface TransferTargets {
  wards: ConsortiumWard[];
  /** When the list was read from the consortium (null: never; the consortium is not set up or was never reached). */
  asOf: number | null;
  online: boolean;
}

/** A transfer out of this ward: queued (offline), sent, or refused later (the ward left the consortium). */
export interface OutgoingTransfer {
  id: string;
  patient: string;
  to: ConsortiumWard;
  reason: string;
  by: string;
  at: number;
  status: 'queued' | 'sent' | 'failed';
  /** What the clinician is told: "will be sent when the consortium is reachable", the cause of a failure. */
  message: string;
  sentAt: number | null;
  /** Already published shares of the patient granted to the receiving ward so far. */
  sharesGranted: number;
}

/** A patient another ward transferred to this one, as the receiving care team sees it. */
export interface IncomingTransfer {
  patient: string;
  from: ConsortiumWard;
  /** When the transfer reached this ward (ms), and when the sending ward made it. */
  receivedAt: number;
  sentAt: number | null;
  /** From the transfer note (null when this reader cannot open it). */
  name: string | null;
  dob: string | null;
  hospitalNumber: string | null;
  reason: string | null;
  by: string | null;
  /** Records of the patient received from the sending ward, each verified on receipt. */
  records: number;
  /** Key scopes granted to this ward's care team (the records' content opens with them). */
  scopes: number;
  admittedAt: number | null;
}

// ---------- a patient's share with a clinician of another ward (records/crossWardShares.ts) ----------

/** A person of another ward a patient can share with: the name and ward their ward publishes in the directory. */
export interface CrossWardPerson {
  /** Their 64-byte public key (0x hex): what the share is sealed for. */
  publicKey: string;
  name: string;
  ward: ConsortiumWard;
}

/** The people a patient can choose, and whether the list was read from the node just now. */
export interface CrossWardPeople {
  people: CrossWardPerson[];
  /** When the directory was read (null: never). */
  asOf: number | null;
  online: boolean;
}

/** A patient's share with a person of another ward, as the patient sees it. */
export interface CrossWardShare {
  id: string;
  person: { publicKey: string; name: string };
  ward: ConsortiumWard;
  at: number;
  /** queued (consortium unreachable), sent, failed (the ward left the consortium), revoked (stopped by the patient). */
  status: 'queued' | 'sent' | 'failed' | 'revoked';
  message: string;
  sentAt: number | null;
  revokedAt: number | null;
}

/** A patient of another ward who shared their record with this clinician. */
export interface SharedWithMe {
  patient: string;
  from: ConsortiumWard;
  /** From the sealed note (null when it cannot be opened with this person's key). */
  name: string | null;
  dob: string | null;
  hospitalNumber: string | null;
  /** When the patient shared (ms, from the note), and when it reached this ward. */
  sharedAt: number | null;
  receivedAt: number;
  /** Records of the patient received from that ward, each verified on receipt. */
  records: number;
}

/** A nurse or doctor of this ward, and whether the consortium directory lists them (IT's view). */
export interface DirectoryStaff {
  address: string;
  name: string;
  role: 'nurse' | 'doctor';
  inDirectory: boolean;
}

/** IT's view of the ward's people in the directory. */
export interface DirectoryStaffView {
  staff: DirectoryStaff[];
  /** The directory was read from the node just now (else: as last read). */
  online: boolean;
  /** The consortium is set up on this ward (its settings saved). */
  configured: boolean;
}
