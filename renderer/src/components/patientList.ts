import type { PatientSummary } from '../api/contract';

/** One row of a patient list (doctor's patients, patients who shared with an insurer). */
export type PatientListRow = PatientSummary;
