/** Who is on the ward: roles, standing on the ward chain, and how people are referred to. */

export const roles = ['it-admin', 'doctor', 'nurse', 'patient', 'insurer'] as const;
export type Role = (typeof roles)[number];
/** Roles whose registration needs an IT admin's approval on the chain. */
export const staffRoles: readonly Role[] = ['it-admin', 'doctor', 'nurse', 'insurer'];

export type MemberStatus = 'pending' | 'approved' | 'rejected' | 'revoked';

/** A logged-in person as they see themselves. */
export interface Profile {
  address: string;
  name: string;
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

/** A person with their age, where the reader may see it (-1 when not readable, e.g. staff). */
export type PersonWithAge = PersonRef & { age: number };

/** A staff registration waiting for an IT admin's decision. */
export interface PendingRegistration {
  address: string;
  name: string;
  age: number;
  role: Role;
  requestedAt: string;
}
