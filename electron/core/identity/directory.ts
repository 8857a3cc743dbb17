/**
 * The ward's user directory on disk:
 *  - users.json maps a keyed hash of each login name to an account address (names themselves are
 *    not stored in the clear; the key lives in ward.json);
 *  - profiles/<address>.json holds the profile (name, age, role) sealed in an envelope for the user
 *    and the ward's IT admins, plus nothing else in the clear.
 * The chain holds the role, status, public key and a salted commitment to the profile.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { ethers } from 'ethers';
import type { Role } from '../model/people';
import { readJson, writeJsonDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';
import { canonicalize } from '../crypto/canonical';
import { checkCommitment, commit } from '../crypto/commitment';
import { addRecipients, openEnvelope, sealEnvelope, type Envelope } from '../crypto/envelope';

export interface StoredProfile {
  name: string;
  age: number;
  role: Role;
}

interface UsersFile {
  v: 1;
  entries: Array<{ nameKey: string; address: string }>;
  /**
   * Staff names are a ward's public directory (patients choose whom to share with, records show
   * who signed); they are not patient data, so they are kept in the clear. Patients are not here.
   */
  staff?: Array<{ address: string; name: string; role: Role }>;
}

interface ProfileFile {
  v: 1;
  address: string;
  envelope: Envelope;
}

/** The sealed plaintext: the profile and the salt of its on-chain commitment. */
interface SealedProfile {
  profile: StoredProfile;
  salt: string;
}

export function normaliseName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export class Directory {
  constructor(
    private readonly dataDir: string,
    private readonly nameIndexKey: string,
  ) {}

  private get usersPath(): string {
    return join(this.dataDir, 'users.json');
  }

  private profilePath(address: string): string {
    return join(this.dataDir, 'profiles', `${address.toLowerCase()}.json`);
  }

  nameKey(name: string): string {
    return createHmac('sha256', Buffer.from(this.nameIndexKey.replace(/^0x/, ''), 'hex')).update(normaliseName(name)).digest('hex');
  }

  /** Read once, then kept in step with every write (only this process writes it: data-dir lock). */
  private users: UsersFile | null = null;

  private readUsers(): UsersFile {
    this.users ??= readJson<UsersFile>(this.usersPath) ?? { v: 1, entries: [] };
    return this.users;
  }

  addressForName(name: string): string | null {
    const key = this.nameKey(name);
    return this.readUsers().entries.find((e) => e.nameKey === key)?.address ?? null;
  }

  /** Point a name at an address (replacing an earlier, rejected account of the same name). */
  setAddressForName(name: string, address: string): void {
    const key = this.nameKey(name);
    const users = this.readUsers();
    users.entries = users.entries.filter((e) => e.nameKey !== key);
    users.entries.push({ nameKey: key, address: ethers.getAddress(address) });
    writeJsonDurable(this.usersPath, users);
    this.users = users;
  }

  setStaffName(address: string, name: string, role: Role): void {
    const users = this.readUsers();
    const a = ethers.getAddress(address);
    users.staff = [...(users.staff ?? []).filter((s) => s.address !== a), { address: a, name, role }];
    writeJsonDurable(this.usersPath, users);
    this.users = users;
  }

  staffName(address: string): { name: string; role: Role } | null {
    const a = ethers.getAddress(address);
    const s = this.readUsers().staff?.find((x) => x.address === a);
    return s ? { name: s.name, role: s.role } : null;
  }

  /** Seal a profile for its readers; returns the on-chain commitment. */
  sealProfile(address: string, profile: StoredProfile, readerPublicKeys: string[]): string {
    const { salt, commitment } = commit(canonicalize(profile));
    const sealed: SealedProfile = { profile, salt };
    const envelope = sealEnvelope(canonicalize(sealed), readerPublicKeys, profileContext(address));
    writeJsonDurable(this.profilePath(address), { v: 1, address: ethers.getAddress(address), envelope } satisfies ProfileFile);
    return commitment;
  }

  private readProfileFile(address: string): ProfileFile {
    const file = readJson<ProfileFile>(this.profilePath(address));
    if (!file) throw new WardError('NOT_FOUND', 'No profile is stored on this workstation for that account.');
    return file;
  }

  hasProfile(address: string): boolean {
    return readJson<ProfileFile>(this.profilePath(address)) !== undefined;
  }

  /**
   * Open a profile with a reader's key and check it against the commitment on the chain, so a
   * profile file edited on disk is detected rather than shown.
   */
  openProfile(address: string, readerPrivateKey: string, chainCommitment: string): StoredProfile {
    const file = this.readProfileFile(address);
    const sealed = JSON.parse(new TextDecoder().decode(openEnvelope(file.envelope, readerPrivateKey, profileContext(address)))) as SealedProfile;
    if (!checkCommitment(canonicalize(sealed.profile), sealed.salt, chainCommitment)) {
      throw new WardError('INTEGRITY', 'A stored profile does not match its commitment on the ward chain.');
    }
    return sealed.profile;
  }

  /** Give more readers (e.g. a newly approved IT admin) access to an existing profile. */
  shareProfile(address: string, readerPrivateKey: string, newReaderPublicKeys: string[]): void {
    const file = this.readProfileFile(address);
    const envelope = addRecipients(file.envelope, readerPrivateKey, newReaderPublicKeys, profileContext(address));
    writeJsonDurable(this.profilePath(address), { ...file, envelope });
  }

  /** Addresses with a profile file on this workstation. */
  knownAddresses(): string[] {
    return this.readUsers().entries.map((e) => e.address);
  }
}

function profileContext(address: string): string {
  return `wardledger/profile/${address.toLowerCase()}`;
}
