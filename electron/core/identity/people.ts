/**
 * People as a reader may see them: staff from the ward's public directory, patients from the
 * sealed profiles the reader can open (own key or the care team key), else a pseudonym.
 */
import { ethers } from 'ethers';
import type { ChainMember } from '../chain/registryClient';
import type { PersonRef, PersonWithAge, Role } from '../model/people';
import { readerKeys, type Actor } from './actor';
import type { IdentityService } from './identityService';

/** One reader's view of names, memoised for one call (a list naming someone twice reads them once). */
export interface Names {
  /** With age (-1 where the reader cannot see it, e.g. staff). */
  person(address: string): Promise<PersonWithAge>;
  ref(address: string): Promise<PersonRef>;
}

/** A person without their age. */
export function personRef({ address, name, role }: PersonWithAge | PersonRef): PersonRef {
  return { address, name, role };
}

/** Patients this ward knows from elsewhere (a transfer of care's note, records/careTransfer.ts). */
export type PeopleElsewhere = (address: string, keys: Array<string | null>) => Promise<Omit<PersonWithAge, 'address'> | null>;

export class People {
  private elsewhere: PeopleElsewhere | null = null;

  constructor(private readonly identity: IdentityService) {}

  /** Also look patients up here when the ward's own directory has no profile of them. */
  knowFrom(elsewhere: PeopleElsewhere): void {
    this.elsewhere = elsewhere;
  }

  namesFor(reader: Actor): Names {
    const cache = new Map<string, Promise<PersonWithAge>>();
    const person = (address: string): Promise<PersonWithAge> => {
      const a = ethers.getAddress(address);
      let hit = cache.get(a);
      if (!hit) cache.set(a, (hit = this.lookUp(a, reader)));
      return hit;
    };
    return { person, ref: async (address) => personRef(await person(address)) };
  }

  private async lookUp(address: string, reader: Actor): Promise<PersonWithAge> {
    const staff = this.identity.directory.staffName(address);
    if (staff) return { address, name: staff.name, role: staff.role, age: -1, dob: null, hospitalNumber: null };
    for (const key of readerKeys(reader)) {
      if (!key) continue;
      const profile = await this.identity.readProfile(address, key);
      if (profile) return { address, ...profile };
    }
    const other = await this.elsewhere?.(address, readerKeys(reader));
    if (other) return { address, ...other };
    return { address, name: `Patient ${address.slice(0, 8)}…`, role: 'patient', age: -1, dob: null, hospitalNumber: null };
  }

  /** Approved members of the ward in these roles, as the chain lists them. */
  async approved(roles: readonly Role[]): Promise<ChainMember[]> {
    return (await this.identity.registry.members()).filter((m) => m.status === 'approved' && roles.includes(m.role));
  }
}
