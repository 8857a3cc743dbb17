/** The ward as its screens show it: status, sessions, home pages, the board and patient lists. */
import type { News2Result } from './news2';
import type { PersonRef, PersonWithAge, Profile } from './people';
import type { NormalisedVitals } from './vitals';

export interface WardStatus {
  initialized: boolean;
  wardName: string | null;
  chainId: number;
  blockNumber: number;
  registryAddress: string | null;
  lockTimeoutSeconds: number;
}

export interface SessionInfo {
  token: string;
  profile: Profile;
  wardName: string;
  lockTimeoutSeconds: number;
}

/** The newest vitals of a patient with their NEWS2. */
export interface LatestVitals {
  at: string;
  vitals: NormalisedVitals;
  news2: News2Result;
}

/** One row of the ward board. */
export interface CensusRow {
  /**
   * True when the viewer may not open this patient's record (a doctor who is not responsible and
   * was not granted access): the row then shows the bed and the responsible doctor only — no
   * name, age, vitals or score — so the board never shows more than the viewer may open.
   */
  restricted: boolean;
  patient: PersonWithAge;
  bed: string;
  admittedAt: string;
  responsibleDoctor: PersonRef | null;
  news2Scale: 1 | 2;
  latest: LatestVitals | null;
  minutesSinceLastObservation: number | null;
  /** No observation within the interval NEWS2 asks for (or none since admission after 1 h). */
  overdue: boolean;
}

/** A patient on a doctor's or insurer's list: in the doctor's care, or shared with them. */
export interface PatientSummary extends PersonWithAge {
  bed: string | null;
  latest: LatestVitals | null;
}

export interface DoctorHome {
  me: Profile;
  wardName: string;
  /** The doctor's patients; empty until records and admissions exist. */
  patients: Array<{ address: string; name: string; age: number; latestVitalsAt: string | null }>;
}

export interface PatientHome {
  me: Profile;
  wardName: string;
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
