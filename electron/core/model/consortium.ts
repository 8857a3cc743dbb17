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
