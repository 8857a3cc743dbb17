/** What the ward store holds besides records, as the record services see it. */
import type { Envelope } from '../crypto/envelope';

/** A consent change (a grant or revoke transaction on the ward chain by the patient). */
export interface ConsentEntry {
  t: 'consent';
  patient: string;
  grantee: string;
  action: 'grant' | 'revoke';
  at: number;
  tx: string;
}

/** An access on the ward chain with what the chain cannot hold in the clear (patient, sealed reason). */
export interface AuditRecord {
  t: 'audit';
  actor: string;
  patient: string | null;
  /** The AccessLedger action number (chain/wardContracts.ts auditActions). */
  action: number;
  breakGlass: boolean;
  reason: Envelope | null;
  at: number;
  block: number;
  tx: string;
  /**
   * Written back from the chain's AccessAudited event after the local entry went missing
   * (records/chainCheck.ts): actor, action, time and break-glass are the chain's; the reason was
   * only ever local and is gone.
   */
  restored?: true;
}
/** The ward's access log: audits and consent changes, by time. */
export type ActivityEntry = ConsentEntry | AuditRecord;

/** How a new record is filed: what only its writer knows (the store cannot read content). */
export interface RecordMeta {
  /** Time it is filed under in the patient's history: when it was measured (default createdAt). */
  at?: number;
  /** The vitals it carries: 'complete' (every NEWS2 parameter) or 'partial' (e.g. an oximeter reading). */
  vitals?: 'complete' | 'partial';
  /** A batch-signed record: its place in the signature tree (written in the same or an earlier commit). */
  signatureTree?: { treeNo: number; leafIndex: number };
  /** Whether it waits in the consortium outbox once the ward has one (records pulled from the consortium do not). Default true. */
  publish?: boolean;
}

/** A monitor bound to a bed: recording resumes after a restart. Kept by driver and serial. */
export interface Binding {
  driver: string;
  serial: string;
  model: string;
  patient: string;
  intervalSeconds: number;
  boundBy: string;
  since: number;
}

/** A ward-chain anchor of a tree. */
export interface TreeAnchor {
  batchId: number;
  block: number;
  tx: string;
}

/** A page of a paged read, and where the next page starts (null when there is none). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/**
 * Where a record is on the hospital consortium chain: the batch a ward published it in, and its
 * proof (under its share's root, then the share's under the batch root). `from` is set for a
 * record received from another ward.
 */
export interface ConsortiumPlace {
  ward: string;
  batchId: string;
  root: string;
  block: number;
  /** The transaction, or null when an earlier attempt's transaction got it there. */
  tx: string | null;
  shareIndex: number;
  index: number;
  recordProof: string[];
  shareProof: string[];
  /** A received record: the ward that published it. */
  from?: { account: string; name: string };
  /** When this ward learned it (ms). */
  at: number;
}

/** One patient's share in a batch this ward published: what a later share grant (a transfer of care) needs. */
export interface ConsortiumShareEntry {
  ward: string;
  batchId: string;
  root: string;
  block: number;
  index: number;
  first: number;
  count: number;
  shareProof: string[];
  /** The share header (consortium/payload.ts ShareHeader), as JSON. */
  header: unknown;
}
