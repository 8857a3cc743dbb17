import type { Role } from '../api/contract';

export interface NavLink {
  routeName: string;
  label: string;
  roles: readonly Role[];
}

/**
 * The navigation, in order. A new page is one entry here plus its route in ./routes.
 * The core enforces who may do what; this only hides links a role cannot use.
 */
export const navLinks: readonly NavLink[] = [
  { routeName: 'doctor-home', label: 'My patients', roles: ['doctor'] },
  { routeName: 'ward', label: 'Ward board', roles: ['doctor'] },
  { routeName: 'patient-home', label: 'My details', roles: ['patient'] },
  { routeName: 'my-record', label: 'My record', roles: ['patient'] },
  { routeName: 'sharing', label: 'Sharing', roles: ['patient'] },
  { routeName: 'access-log', label: 'Access log', roles: ['patient'] },
  { routeName: 'nurse-home', label: 'Ward board', roles: ['nurse'] },
  { routeName: 'incoming-transfers', label: 'Incoming transfers', roles: ['nurse', 'doctor'] },
  { routeName: 'shared-with-me', label: 'Shared with you', roles: ['nurse', 'doctor'] },
  { routeName: 'insurer-home', label: 'Verify records', roles: ['insurer'] },
  { routeName: 'admin', label: 'Ward administration', roles: ['it-admin'] },
  { routeName: 'consortium-sync', label: 'Consortium sync', roles: ['it-admin'] },
  { routeName: 'audit-log', label: 'Audit log', roles: ['it-admin'] },
  { routeName: 'devices', label: 'Devices', roles: ['nurse', 'doctor', 'it-admin'] },
];

export function navFor(role: Role): NavLink[] {
  return navLinks.filter((link) => link.roles.includes(role));
}
