/** Clinical records as readers see them: content, provenance, history, consent, audit, verification. */
import type { DeviceProvenance } from './devices';
import type { News2Result } from './news2';
import type { PersonRef, PersonWithAge } from './people';
import type { NormalisedVitals } from './vitals';

export type RecordKind = 'vitals' | 'note' | 'diagnosis' | 'amendment';

/** What a reader sees of one record's content, decrypted. */
export interface RecordContent {
  vitals?: NormalisedVitals;
  /** NEWS2 as computed when the vitals were recorded (scale in force for the patient then). */
  news2?: News2Result;
  note?: string;
  diagnosis?: { text: string; code?: string };
  /** For amendments: why, and the corrected content is in vitals/note/diagnosis. */
  reason?: string;
  device?: DeviceProvenance;
}

export type ProvenanceStatus = 'verified' | 'pending' | 'tampered' | 'unverifiable';

export interface Provenance {
  status: ProvenanceStatus;
  signatureValid: boolean;
  contentMatchesAnchor: boolean;
  anchored: boolean;
  wardBlock: number | null;
  wardTx: string | null;
  batchRoot: string | null;
  /** Plain-language problems found, empty when verified. */
  problems: string[];
}

export interface RecordView {
  id: string;
  kind: RecordKind;
  createdAt: string;
  author: PersonRef;
  amends: string | null;
  /** Ids of later records that amend this one. */
  amendedBy: string[];
  content: RecordContent | null;
  provenance: Provenance;
}

/** Which part of a history a page holds: records are read a window at a time, newest first. */
export interface HistoryWindow {
  /** The period asked for (ISO times): `from` is where this page was meant to reach back to. */
  from: string;
  to: string;
  /** Pass as `before` to load the records before these; null when there are none. */
  earlier: string | null;
}

export interface PatientHistory {
  patient: PersonWithAge;
  news2Scale: 1 | 2;
  /** This page's records, newest first. */
  records: RecordView[];
  window: HistoryWindow;
  /** True when this read used break-glass access. */
  breakGlass: boolean;
}


export interface ConsentGrant {
  grantee: PersonRef;
  grantedAt: string;
  revokedAt: string | null;
}

export type AuditAction = 'read' | 'export' | 'verify' | 'amend' | 'grant' | 'revoke';

/** One page of the access log, newest first. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  earlier: string | null;
}

export interface AuditEntry {
  at: string;
  actor: PersonRef;
  action: AuditAction;
  patient: PersonRef | null;
  breakGlass: boolean;
  reason: string | null;
  wardBlock: number;
  wardTx: string;
}

export interface VerificationItem {
  recordId: string;
  kind: string;
  /** The signer's address (what the signature proves). */
  author: string;
  /** The author's name as signed inside the record, when the signed content is readable. */
  authorName: string | null;
  ok: boolean;
  signature: boolean;
  integrity: boolean;
  anchor: boolean;
  problems: string[];
}

export interface VerificationReport {
  ok: boolean;
  checked: number;
  failed: number;
  items: VerificationItem[];
  /** Problems with the file as a whole (not FHIR, schema errors). */
  fileProblems: string[];
}
