/** Who is on the ward: roles, standing on the ward chain, and how people are referred to. */

export const roles = ['it-admin', 'doctor', 'nurse', 'patient', 'insurer'] as const;
export type Role = (typeof roles)[number];
/** Roles whose registration needs an IT admin's approval on the chain. */
export const staffRoles: readonly Role[] = ['it-admin', 'doctor', 'nurse', 'insurer'];

export type MemberStatus = 'pending' | 'approved' | 'rejected' | 'revoked';

/**
 * What tells a patient apart from another of the same name: date of birth (YYYY-MM-DD) and the
 * hospital number. Null for staff, and for patients registered before they were recorded.
 */
export interface PatientIdentifiers {
  dob: string | null;
  hospitalNumber: string | null;
}

/** A logged-in person as they see themselves (identifiers for patients; absent for staff). */
export interface Profile extends Partial<PatientIdentifiers> {
  address: string;
  name: string;
  /** In whole years: from the date of birth where recorded, else as given at registration. */
  age: number;
  role: Role;
  status: MemberStatus;
}

/** A person as others see them: account, name and role. */
export interface PersonRef {
  address: string;
  name: string;
  /** 'station': readings the workstation recorded from a bound bedside device. */
  role: Role | 'station';
}

/**
 * A person with their age and identifiers, where the reader may see them (age -1 and identifiers
 * null when not readable, e.g. staff).
 */
export type PersonWithAge = PersonRef & PatientIdentifiers & { age: number };

/** Whole years from a date of birth (YYYY-MM-DD) to `on`. */
export function ageOn(dob: string, on: Date): number {
  const [y, m, d] = dob.split('-').map(Number) as [number, number, number];
  const years = on.getUTCFullYear() - y;
  const beforeBirthday = on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d);
  return beforeBirthday ? years - 1 : years;
}

/** A staff registration waiting for an IT admin's decision. */
export interface PendingRegistration {
  address: string;
  name: string;
  age: number;
  role: Role;
  requestedAt: string;
}
