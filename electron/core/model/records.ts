/** Clinical records as readers see them: content, provenance, history, consent, audit, verification. */
import type { DeviceProvenance } from './devices';
import type { News2Result } from './news2';
import type { PersonRef, PersonWithAge } from './people';
import type { NormalisedVitals, UnusualField } from './vitals';

export type RecordKind = 'vitals' | 'note' | 'diagnosis' | 'amendment' | 'escalation';

/** Who was informed of a worrying NEWS2 score, when, and how they responded (a signed record). */
export interface Escalation {
  /** The vitals record (or correction) whose score prompted it. */
  forRecord: string;
  informed: { name: string; role: string; address?: string };
  /** ISO-8601 with zone. */
  informedAt: string;
  response: string;
}

/**
 * What a reader sees of one record's content, decrypted. All of it is signed (the content hash
 * covers the canonical JSON of the whole object).
 */
export interface RecordContent {
  /**
   * When the observation was made (ISO-8601 UTC): the time the nurse took the set, or the time a
   * device measured it (its own clock, `device.deviceTime`, corrected by `device.clockDriftSeconds`).
   * The one clinical time: board, charts, timeline, NEWS2 timing and FHIR effectiveDateTime use it.
   * Absent only in records written before it existed (their createdAt is then the time).
   */
  measuredAt?: string;
  /** Why a set was recorded more than an hour after it was taken. */
  lateEntryReason?: string;
  vitals?: NormalisedVitals;
  /** NEWS2 computed when the vitals were recorded, on the patient's scale then (`news2.scale`). */
  news2?: News2Result;
  /** Values outside the usual range that the author checked and confirmed. */
  confirmedValues?: UnusualField[];
  /** Why NEWS2 parameters are missing (news2.missing names them). */
  missingReason?: string;
  note?: string;
  diagnosis?: { text: string; code?: string };
  /** For amendments: why, and the corrected content is in vitals/note/diagnosis. */
  reason?: string;
  device?: DeviceProvenance;
  escalation?: Escalation;
}

/** The content of a vitals record (or a vitals correction) as every path writes it. */
export type VitalsContent = RecordContent & { measuredAt: string; vitals: NormalisedVitals; news2: News2Result };

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
  /** When the record was signed and stored. */
  createdAt: string;
  /** When its observation was made (content.measuredAt; createdAt for other records). */
  measuredAt: string;
  author: PersonRef;
  amends: string | null;
  /** Ids of later records that amend this one. */
  amendedBy: string[];
  /** A verified later record corrects this one: shown struck through, its score no longer counted. */
  superseded: boolean;
  content: RecordContent | null;
  provenance: Provenance;
}

export interface PatientHistory {
  patient: PersonWithAge;
  news2Scale: 1 | 2;
  records: RecordView[];
  /** True when this read used break-glass access. */
  breakGlass: boolean;
}

export interface ConsentGrant {
  grantee: PersonRef;
  grantedAt: string;
  revokedAt: string | null;
}

export type AuditAction = 'read' | 'export' | 'verify' | 'amend' | 'list' | 'grant' | 'revoke' | 'admit' | 'assign-doctor' | 'discharge';

export interface AuditEntry {
  at: string;
  actor: PersonRef;
  action: AuditAction;
  patient: PersonRef | null;
  breakGlass: boolean;
  reason: string | null;
  /**
   * Why this entry deserves a second look, in plain words (null when it does not): a care
   * relationship someone created for themself, or one created and ended around a read of the record.
   */
  flag: string | null;
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
