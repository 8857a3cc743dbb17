import type { Profile } from '../api/contract';
import { dobText, hospitalNumberText } from '../clinical/patientIdentity';
import { roleLabels } from '../roles';

export interface DetailItem {
  label: string;
  value: string;
  /** Show in a monospace font (account addresses). */
  mono?: boolean;
}

/**
 * A person's details in the order every home page shows them: Name, Age (for patients: date of
 * birth with age, and hospital number), Role, Ward, Account.
 */
export function profileDetails(profile: Profile, wardName: string | null): DetailItem[] {
  const identity = { name: profile.name, age: profile.age, dob: profile.dob ?? null, hospitalNumber: profile.hospitalNumber ?? null };
  const age: DetailItem[] =
    profile.role === 'patient'
      ? [
          { label: 'Date of birth', value: dobText(identity).replace(/^DOB /, '') },
          { label: 'Hospital number', value: hospitalNumberText(identity).replace(/^Hospital no\. /, '') },
        ]
      : [{ label: 'Age', value: String(profile.age) }];
  return [
    { label: 'Name', value: profile.name },
    ...age,
    { label: 'Role', value: roleLabels[profile.role] },
    { label: 'Ward', value: wardName ?? '—' },
    { label: 'Account', value: profile.address, mono: true },
  ];
}
