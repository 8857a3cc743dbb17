import type { RouteLocationRaw } from 'vue-router';
import type { Role } from './api/contract';

/** How each role is named on screen (typed against the contract so a new role cannot be missed). */
export const roleLabels: Record<Role, string> = {
  patient: 'Patient',
  doctor: 'Doctor',
  nurse: 'Nurse',
  insurer: 'Insurer',
  'it-admin': 'IT admin',
};

/** Roles offered on the registration form, in the order people expect them. */
export const registrableRoles: readonly Role[] = ['patient', 'doctor', 'nurse', 'insurer', 'it-admin'];

/** The route name of each role's home page. */
export const homeRouteName: Record<Role, string> = {
  patient: 'patient-home',
  doctor: 'doctor-home',
  nurse: 'nurse-home',
  insurer: 'insurer-home',
  'it-admin': 'admin',
};

/** Where a person lands after logging in: their role's home page. */
export function homeFor(role: Role): RouteLocationRaw {
  return { name: homeRouteName[role] };
}

/** The role of anyone who can appear as an author or actor (records from a bound bedside device are signed by the ward station). */
export function personRoleLabel(role: Role | 'station'): string {
  return role === 'station' ? 'Bedside monitor' : roleLabels[role];
}
