import type { Profile } from '../api/contract';
import { roleLabels } from '../roles';

export interface DetailItem {
  label: string;
  value: string;
  /** Show in a monospace font (account addresses). */
  mono?: boolean;
}

/** A person's details in the order every home page shows them: Name, Age, Role, Ward, Account. */
export function profileDetails(profile: Profile, wardName: string | null): DetailItem[] {
  return [
    { label: 'Name', value: profile.name },
    { label: 'Age', value: String(profile.age) },
    { label: 'Role', value: roleLabels[profile.role] },
    { label: 'Ward', value: wardName ?? '—' },
    { label: 'Account', value: profile.address, mono: true },
  ];
}
