/**
 * What the ward board shows of a patient the viewer may not open (issue 9 item 9, issue 11's
 * "make what the board shows match what the person may open"). Nurses are the care team of every
 * admitted patient and see every row; a doctor sees in full the patients in their care or shared
 * with them. Any other row says only that the bed is taken, since when, and by whose patient — no
 * name, age, vitals, score or observation timing — with the way in for an emergency (break-glass,
 * audited). What is shown in full is audited as shown (AuditTrail.recordShown).
 */
import { personRef } from '../identity/people';
import type { PersonWithAge } from '../model/people';
import type { CensusRow } from '../model/ward';
import type { Admission } from './admissions';

/** The name a restricted row carries in place of the patient's. */
export const notInYourCare = 'Patient not in your care';

export function restrictedRow(a: Admission, doctor: PersonWithAge | null): CensusRow {
  return {
    restricted: true,
    patient: { address: a.patient, name: notInYourCare, role: 'patient', age: -1 },
    bed: a.bed,
    admittedAt: new Date(a.admittedAt).toISOString(),
    responsibleDoctor: doctor ? personRef(doctor) : null,
    // The scale in force is a clinical decision about the patient: not shown either (1 says nothing here).
    news2Scale: 1,
    observations: null,
  };
}
