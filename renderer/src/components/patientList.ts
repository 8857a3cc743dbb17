import type { CensusRow } from '../api/contract';

/** One row of a patient list (doctor's patients, patients who shared with an insurer). */
export interface PatientListRow {
  address: string;
  name: string;
  age: number;
  bed: string | null;
  latest: CensusRow['latest'];
  /** When only the time of the latest vitals is known (doctor/home). */
  latestVitalsAt?: string | null;
}
