/**
 * The ward's user directory on disk:
 *  - users.json maps a keyed hash of each login name — or, for a patient with a hospital number,
 *    of that number — to an account address (names and numbers are not stored in the clear; the
 *    key lives in ward.json);
 *  - profiles/<address>.json holds the profile (name, age or date of birth, hospital number, role)
 *    sealed in an envelope for the user and the ward's IT admins, plus nothing else in the clear.
 * The chain holds the role, status, public key and a salted commitment to the profile.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { z } from 'zod';
import { roles, type Role } from '../model/people';
import { readJson, writeJsonDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';
import { canonicalize } from '../crypto/canonical';
import { checkCommitment, commit } from '../crypto/commitment';
import { addRecipients, openEnvelope, sealEnvelope, type Envelope } from '../crypto/envelope';
import { displayName, indexForm, legacyIndexForm, lookalikeForms } from './personName';
import { normaliseHospitalNumber } from '../model/fields';

export interface StoredProfile {
  name: string;
  /** Age at registration (profiles with a date of birth derive it from that instead). */
  age: number;
  role: Role;
  /** Patients registered since identifiers were recorded (absent in older profiles). */
  dob?: string;
  hospitalNumber?: string;
}

interface UsersFile {
  v: 1;
  /**
   * nameKey: keyed hash of the login name's index form; lookalikeKeys: keyed hashes of its
   * look-alike forms (personName.ts), written at registration or, for older accounts, at their
   * next login.
   */
  entries: Array<{ nameKey: string; address: string; lookalikeKeys?: string[]; activationPending?: boolean }>;
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

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const usersFile = z.object({
  v: z.literal(1),
  entries: z.array(
    z.object({
      nameKey: z.string().regex(/^[0-9a-f]{64}$/),
      address,
      lookalikeKeys: z.array(z.string().regex(/^[0-9a-f]{64}$/)).optional(),
      activationPending: z.boolean().optional(),
    }),
  ),
  staff: z.array(z.object({ address, name: z.string(), role: z.enum(roles) })).optional(),
});
const profileFile = z.object({ v: z.literal(1), address, envelope: z.object({ iv: z.string(), ct: z.string(), recipients: z.array(z.unknown()) }) });
const USERS_WHAT = "The ward's user directory (users.json: who logs in under which name)";

/** Profiles kept opened (a history reads its patient's name per page; an open costs an ECDH unwrap). */
const OPENED_PROFILES = 256;

export class Directory {
  /**
   * Profiles opened, by address, reader and chain commitment, with the file they were opened from:
   * reused only while the file read now is the same (an edited or re-sealed file is opened and
   * checked against the chain again). Bounded; the oldest goes first.
   */
  private readonly opened = new Map<string, { file: string; profile: StoredProfile }>();

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

  private keyed(text: string): string {
    return createHmac('sha256', Buffer.from(this.nameIndexKey.replace(/^0x/, ''), 'hex')).update(text).digest('hex');
  }

  nameKey(name: string): string {
    return this.keyed(indexForm(name));
  }

  /** Name keys of a name, the current one first (and the one before NFKC, if it differs). */
  private nameKeys(name: string): string[] {
    const legacy = this.keyed(legacyIndexForm(name));
    const current = this.nameKey(name);
    return legacy === current ? [current] : [current, legacy];
  }

  private lookalikeKeys(name: string): string[] {
    return lookalikeForms(name).map((form, i) => this.keyed(`lookalike${i}\0${form}`));
  }

  /** Read once, then kept in step with every write (only this process writes it: data-dir lock). */
  private users: UsersFile | null = null;

  private readUsers(): UsersFile {
    this.users ??= readJson<UsersFile>(this.usersPath, usersFile, USERS_WHAT) ?? { v: 1, entries: [] };
    return this.users;
  }

  private save(users: UsersFile): void {
    writeJsonDurable(this.usersPath, users);
    this.users = users;
  }

  /** The login key of a hospital number (a patient who has one logs in with it). */
  private hospitalNumberKey(hospitalNumber: string): string {
    return this.keyed(`hospital-number\0${normaliseHospitalNumber(hospitalNumber)}`);
  }

  addressForHospitalNumber(hospitalNumber: string): string | null {
    const key = this.hospitalNumberKey(hospitalNumber);
    return this.readUsers().entries.find((e) => e.nameKey === key)?.address ?? null;
  }

  /**
   * A patient with a hospital number logs in with it: the entry is keyed by the number, and
   * carries the name's look-alike keys only (so a patient of the same name is found and warned of,
   * while names may repeat). `activationPending`: the keystore is under a one-time activation code.
   */
  setAddressForHospitalNumber(hospitalNumber: string, name: string, address: string, activationPending: boolean): void {
    const key = this.hospitalNumberKey(hospitalNumber);
    const users = this.readUsers();
    users.entries = users.entries.filter((e) => e.nameKey !== key);
    users.entries.push({ nameKey: key, address: ethers.getAddress(address), lookalikeKeys: this.lookalikeKeys(name), ...(activationPending ? { activationPending } : {}) });
    this.save(users);
  }

  /** Who logs in with this text: a hospital number first, then a name. */
  addressForLogin(text: string): { address: string; by: 'hospital-number' | 'name' } | null {
    const byNumber = this.addressForHospitalNumber(text);
    if (byNumber) return { address: byNumber, by: 'hospital-number' };
    const byName = this.addressForName(text);
    return byName ? { address: byName, by: 'name' } : null;
  }

  /** The account's keystore is still under its one-time activation code. */
  activationPending(address: string): boolean {
    const a = ethers.getAddress(address);
    return this.readUsers().entries.some((e) => e.address === a && e.activationPending === true);
  }

  /** The patient chose their own password: the activation code no longer opens anything. */
  activationDone(address: string): void {
    const a = ethers.getAddress(address);
    const users = this.readUsers();
    users.entries = users.entries.map((e) => (e.address === a ? { nameKey: e.nameKey, address: e.address, ...(e.lookalikeKeys ? { lookalikeKeys: e.lookalikeKeys } : {}) } : e));
    this.save(users);
  }

  addressForName(name: string): string | null {
    const keys = this.nameKeys(name);
    const entries = this.readUsers().entries;
    for (const key of keys) {
      const found = entries.find((e) => e.nameKey === key);
      if (found) return found.address;
    }
    return null;
  }

  /** Point a name at an address (replacing an earlier, rejected account of the same name). */
  setAddressForName(name: string, address: string): void {
    const keys = this.nameKeys(name);
    const users = this.readUsers();
    users.entries = users.entries.filter((e) => !keys.includes(e.nameKey));
    users.entries.push({ nameKey: keys[0]!, address: ethers.getAddress(address), lookalikeKeys: this.lookalikeKeys(name) });
    this.save(users);
  }

  /**
   * Accounts whose names look like this one without being the same name (Unicode TR39
   * confusables: other alphabets' look-alike letters, accents, case). Accounts registered before
   * look-alike keys were kept are compared when they are staff (their names are in the clear)
   * or once they have logged in again.
   */
  lookalikesOf(name: string): string[] {
    const same = new Set(this.nameKeys(name));
    const keys = this.lookalikeKeys(name);
    const users = this.readUsers();
    const staffNames = new Map((users.staff ?? []).map((s) => [s.address, s.name]));
    const keysOf = (e: UsersFile['entries'][number]) => e.lookalikeKeys ?? (staffNames.has(e.address) ? this.lookalikeKeys(staffNames.get(e.address)!) : []);
    return users.entries
      .filter((e) => !same.has(e.nameKey))
      .filter((e) => keysOf(e).some((k, i) => k === keys[i]))
      .map((e) => e.address);
  }

  /** After a login by name: bring the account's entry up to date (current name key, look-alike key). */
  rememberLogin(name: string, address: string): void {
    const users = this.readUsers();
    const entry = users.entries.find((e) => e.address === ethers.getAddress(address));
    if (!entry || (entry.nameKey === this.nameKey(name) && entry.lookalikeKeys)) return;
    this.setAddressForName(name, address);
  }

  setStaffName(address: string, name: string, role: Role): void {
    const users = this.readUsers();
    const a = ethers.getAddress(address);
    users.staff = [...(users.staff ?? []).filter((s) => s.address !== a), { address: a, name: displayName(name), role }];
    this.save(users);
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
    const file = this.readProfile(address);
    if (!file) throw new WardError('NOT_FOUND', 'No profile is stored on this workstation for that account.');
    return file;
  }

  hasProfile(address: string): boolean {
    return this.readProfile(address) !== undefined;
  }

  private readProfile(address: string): ProfileFile | undefined {
    return readJson<ProfileFile>(this.profilePath(address), profileFile, "A person's sealed profile (name, age or date of birth, hospital number)", 'Restore it from a backup of the data directory.');
  }

  /**
   * Open a profile with a reader's key and check it against the commitment on the chain, so a
   * profile file edited on disk is detected rather than shown.
   */
  openProfile(address: string, readerPrivateKey: string, chainCommitment: string): StoredProfile {
    const file = this.readProfileFile(address);
    const stored = JSON.stringify(file);
    // The reader by a digest of its key: no key material in the cache's keys.
    const key = `${ethers.getAddress(address)}|${ethers.keccak256(readerPrivateKey)}|${chainCommitment}`;
    const hit = this.opened.get(key);
    if (hit && hit.file === stored) return { ...hit.profile };
    const sealed = JSON.parse(new TextDecoder().decode(openEnvelope(file.envelope, readerPrivateKey, profileContext(address)))) as SealedProfile;
    if (!checkCommitment(canonicalize(sealed.profile), sealed.salt, chainCommitment)) {
      this.opened.delete(key);
      throw new WardError('INTEGRITY', 'A stored profile does not match its commitment on the ward chain.');
    }
    this.opened.delete(key);
    if (this.opened.size >= OPENED_PROFILES) this.opened.delete(this.opened.keys().next().value!);
    this.opened.set(key, { file: stored, profile: { ...sealed.profile } });
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
