/** The ward as its screens show it: status, sessions, home pages, the board and patient lists. */
import type { News2Band, News2Result } from './news2';
import type { PersonRef, PersonWithAge, Profile } from './people';
import type { ProvenanceStatus, RecordKind } from './records';
import type { NormalisedVitals } from './vitals';

export interface WardStatus {
  initialized: boolean;
  wardName: string | null;
  chainId: number;
  blockNumber: number;
  registryAddress: string | null;
  lockTimeoutSeconds: number;
  /** Device readings measured longer ago than this many days are flagged before they can be assigned. */
  maxReadingAgeDays: number;
}

export interface SessionInfo {
  token: string;
  profile: Profile;
  wardName: string;
  lockTimeoutSeconds: number;
}

/** One vitals set as the board and lists show it. */
export interface ObservationSummary {
  recordId: string;
  /** When it was measured (the observation's clinical time). */
  measuredAt: string;
  vitals: NormalisedVitals;
  /** As stored with the record; `news2.scale` is the scale it was scored on. */
  news2: News2Result;
  /** Entered by a nurse or doctor, assigned from a meter's memory, or recorded by a bound monitor. */
  source: 'entered' | 'device' | 'monitor';
  /** This set is a correction (amendment) of an earlier one. */
  correction: boolean;
}

/** A record of the patient that could not be verified: shown wherever the patient is, never skipped silently. */
export interface UnverifiedRecord {
  recordId: string;
  kind: RecordKind;
  recordedAt: string;
  status: ProvenanceStatus;
  problem: string;
}

/**
 * Where a patient's observations stand. The observation clock runs from the last complete NEWS2
 * set; device and partial readings are shown beside it and never reset it (they can only bring
 * the next set forward when they suggest a higher risk).
 */
export interface ObservationStatus {
  /** The last complete, verified NEWS2 set in force (corrections replace what they amend). */
  lastComplete: ObservationSummary | null;
  /** A later partial or device reading, shown beside the last complete set. */
  newerReading: ObservationSummary | null;
  /** Risk band shown: the last complete set's, or a newer reading's lower bound when that is higher. */
  risk: News2Band | null;
  riskFromNewerReading: boolean;
  /** When the next full set is due (NEWS2 monitoring frequency, RCP 2017). */
  dueAt: string;
  overdue: boolean;
  /** The last complete set calls for escalation (medium, high, or a single parameter scoring 3) and none is recorded. */
  escalationDue: boolean;
  /** The escalation recorded for the last complete set, if any. */
  escalation: { recordId: string; informedAt: string; informed: string } | null;
  /** Records of this patient that failed verification. */
  unverified: UnverifiedRecord[];
}

/** One row of the ward board. */
interface CensusRowBase {
  patient: PersonWithAge;
  bed: string;
  admittedAt: string;
  responsibleDoctor: PersonRef | null;
  news2Scale: 1 | 2;
}

/**
 * A row is restricted when the viewer may not open this patient's record (a doctor who is not
 * responsible and was not granted access): it then shows the bed and the responsible doctor only
 * — no name, age, vitals or score — so the board never shows more than the viewer may open.
 */
export type CensusRow = (CensusRowBase & { restricted: false; observations: ObservationStatus }) | (CensusRowBase & { restricted: true; observations: null });

/** A patient on a doctor's or insurer's list: in the doctor's care, or shared with them. */
export interface PatientSummary extends PersonWithAge {
  bed: string | null;
  news2Scale: 1 | 2;
  responsibleDoctor: PersonRef | null;
  /** Null for insurers (who read vitals from the record itself). */
  observations: ObservationStatus | null;
  /** Deteriorating, overdue, unverified or awaiting escalation: listed first. */
  needsAttention: boolean;
}

export interface DoctorHome {
  me: Profile;
  wardName: string;
  /** The doctor's patients, those needing attention first. */
  patients: PatientSummary[];
}

export interface PatientHome {
  me: Profile;
  wardName: string;
}

/** A vitals entry kept for the session that typed it (see ward/observationDrafts.ts). */
export interface DraftView {
  /** The form as typed, every box as text. */
  form: Record<string, string>;
  updatedAt: string;
  /** Being typed; being saved; saved (a reload during the save learns it here); the save failed. */
  state: 'editing' | 'saving' | 'saved' | 'failed';
  submissionId: string | null;
  saved: { recordId: string; savedAt: string; measuredAt: string; news2: News2Result | null; escalate: boolean } | null;
  error: string | null;
}

export type CareChangeKind = 'admit' | 'assign-doctor' | 'discharge';

/** One change of a patient's care relationships, as the ward chain recorded it (CareChanged). */
export interface CareChange {
  patient: string;
  change: CareChangeKind;
  /** Who made the change (the transaction's sender). */
  by: string;
  /** The responsible doctor after the change (null: none). */
  doctor: string | null;
  /** The bed, for an admission. */
  bed: string | null;
  at: number;
  tx: string;
  block: number;
}
