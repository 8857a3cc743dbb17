/**
 * How a patient is identified on every screen (issue 11): name, date of birth with age, hospital
 * number — at least three identifiers, so two patients of the same name are told apart. The date
 * is written with the month as a word (14 Mar 1955): 03/04 reads differently across locales.
 * Profiles from before identifiers were recorded say so rather than showing nothing.
 */
import type { PatientIdentifiers } from '../api/contract';

export interface IdentifiedPatient extends PatientIdentifiers {
  name: string;
  /** -1 where not readable. */
  age: number;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "14 Mar 1955" from "1955-03-14" (the text as given if it is not such a date). */
export function formatDob(dob: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dob);
  return m ? `${Number(m[3])} ${months[Number(m[2]) - 1] ?? m[2]} ${m[1]}` : dob;
}

/** "DOB 14 Mar 1955 (71 y)"; "DOB not recorded (age 67)" for older profiles. */
export function dobText(p: IdentifiedPatient): string {
  if (p.dob) return `DOB ${formatDob(p.dob)} (${p.age} y)`;
  return p.age >= 0 ? `DOB not recorded (age ${p.age})` : 'DOB not recorded';
}

export function hospitalNumberText(p: PatientIdentifiers): string {
  return p.hospitalNumber ? `Hospital no. ${p.hospitalNumber}` : 'Hospital no. not recorded';
}

/** One line for places that take text only (a select's options, an accessible name). */
export function identityText(p: IdentifiedPatient): string {
  return `${p.name} · ${dobText(p)} · ${hospitalNumberText(p)}`;
}
