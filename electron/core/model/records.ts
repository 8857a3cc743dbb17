/** Clinical records as readers see them: content, provenance, history, consent, audit, verification. */
import type { ConsortiumBadge } from './consortium';
import type { DeviceProvenance } from './devices';
import type { News2Result } from './news2';
import type { PersonRef, PersonWithAge } from './people';
import type { PatientStoreCheck } from './storeCheck';
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
  /** Where the record is on the hospital consortium chain; absent or null when it is not there (yet). */
  consortium?: ConsortiumBadge | null;
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
  /**
   * Why this reader may not add to the record (a share from a patient of another ward, an
   * insurer's consent), in words; null when they may write as their role allows.
   */
  readOnly: string | null;
  /** This patient's data in this workstation's store against the ward chain (a banner when it differs). */
  storeCheck: PatientStoreCheck;
}


export interface ConsentGrant {
  grantee: PersonRef;
  grantedAt: string;
  revokedAt: string | null;
}

export type AuditAction = 'read' | 'export' | 'verify' | 'amend' | 'list' | 'grant' | 'revoke' | 'admit' | 'assign-doctor' | 'discharge';

/** One page of the access log, newest first. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  earlier: string | null;
  /** For one patient's log: their data against the ward chain (null for the whole ward's log). */
  storeCheck: PatientStoreCheck | null;
}

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
  /** When the record was signed (ISO-8601): the signed time, or the file's claim when nothing signed is readable. */
  recordedAt: string | null;
  /** The signer's address (what the signature proves). */
  author: string;
  /** The author's name in the ward's staff directory (never the file's); null when the verifier has no directory. */
  authorName: string | null;
  /** The role the ward's registry gave the author when the record was anchored; null when not a member or not checked. */
  authorRole: string | null;
  ok: boolean;
  signature: boolean;
  /** The author was a member of the ward in the role they signed with when the record was anchored. */
  member: boolean;
  /** The signed content is intact and every element of the file that shows this record says exactly what was signed. */
  integrity: boolean;
  anchor: boolean;
  /**
   * The record on the hospital consortium chain: 'not-published' when the export does not place it
   * there (not a failure), 'unchecked' when no consortium was given or its node did not answer.
   */
  consortium: ConsortiumVerification;
  problems: string[];
}

/** A record's consortium place as verified against a pinned consortium ledger. */
export type ConsortiumVerification =
  | { status: 'not-published' }
  | {
      status: 'included' | 'failed' | 'unchecked';
      /** The publishing ward's sync account, its name in the consortium directory (null when unknown), batch, block and transaction as the file states them. */
      ward: string;
      wardName: string | null;
      batchId: string;
      block: number;
      tx: string | null;
      /** Why it failed or was not checked (also in the item's problems when it failed). */
      problems: string[];
    };

export interface VerificationReport {
  ok: boolean;
  checked: number;
  failed: number;
  items: VerificationItem[];
  /** Problems with the file as a whole (not FHIR, schema errors, elements no signed record covers). */
  fileProblems: string[];
  /** The ward the records were checked against (pinned by the verifier, never by the file); null: not checked against a chain. */
  ward: { chainId: number; registry: string; pinnedBy: string } | null;
  /** Elements of the file that no signature covers, listed so a reader knows not to rely on them. */
  notCovered: string[];
  /**
   * What the export's signed manifest says it contains: null when the file has no valid manifest.
   * `missing` lists records that could not be exported (damaged), so the export is incomplete.
   */
  manifest: { complete: boolean; records: number; missing: Array<{ recordId: string; kind: string; recordedAt: string; reason: string }> } | null;
  /**
   * The consortium the records' places were checked against (pinned by the verifier); null when
   * none was given. `unreachable`: it could not be asked (node down, no ledger there) while the
   * file places records on it, so those places are unchecked and the report is not a pass.
   */
  consortium: {
    chainId: number;
    ledger: string;
    url: string;
    pinnedBy: string;
    unreachable: string | null;
    /** Records the export places on the consortium, and how many of them verified there. */
    published: number;
    included: number;
    covers: string;
    notCovered: string[];
  } | null;
}
