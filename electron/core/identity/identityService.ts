/**
 * Identity: first-run setup, registration, login and IT approval. Keys live in keystores, profiles
 * in sealed files, roles and approvals on the ward chain's registry.
 */
import { join } from 'node:path';
import { ethers } from 'ethers';
import { staffRoles, type MemberStatus, type PendingRegistration, type Profile, type Role } from '../model/people';
import { RegistryClient, type ChainMember } from '../chain/registryClient';
import { WardContracts } from '../chain/wardContracts';
import type { WardNode } from '../chain/wardNode';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import { publicKeyOf } from '../crypto/envelope';
import { defaultLockTimeoutSeconds, WardConfigStore, type WardConfig } from './wardConfig';
import { createTeamKey, isTeamKeyHolder, openTeamKey, shareTeamKey } from './careTeam';
import { Directory } from './directory';
import { displayName } from './personName';
import { createStationKey } from './stationKey';
import { KeyDerivationQueue } from './keyDerivation';
import { KeystoreStore } from './keystore';
import { PasswordGuard, type Attempt } from './passwordGuard';

export class IdentityService {
  readonly keystores: KeystoreStore;
  /** Throttles password guesses per name, per account and for the workstation. */
  readonly guard = new PasswordGuard();
  private directoryCache: Directory | null = null;
  private registryCache: RegistryClient | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly node: WardNode,
    private readonly config: WardConfigStore,
    scryptN: number,
    kdf: KeyDerivationQueue = new KeyDerivationQueue(),
  ) {
    this.keystores = new KeystoreStore(join(dataDir, 'keystores'), scryptN, kdf);
  }

  get initialized(): boolean {
    return this.config.get() !== undefined;
  }

  private ward(): WardConfig {
    const c = this.config.get();
    if (!c) throw new WardError('CONFLICT', 'The ward has not been set up yet. Complete first-run setup first.');
    return c;
  }

  get directory(): Directory {
    return (this.directoryCache ??= new Directory(this.dataDir, this.ward().nameIndexKey));
  }

  get registry(): RegistryClient {
    return (this.registryCache ??= new RegistryClient(this.ward().registryAddress, this.node.provider));
  }

  /**
   * On start: the registry recorded in ward.json must exist on the chain we opened, and the user
   * directory must be readable (read now, so damage is reported at start, not at the first login).
   */
  async checkDeployment(): Promise<void> {
    if (!this.initialized) return;
    this.directory.knownAddresses();
    if (!(await this.registry.isDeployed())) {
      throw new WardError(
        'INTEGRITY',
        'The ward chain in this data directory does not contain the ward registry recorded in ward.json. The chain data may be missing or from another ward; restore it from a backup.',
      );
    }
  }

  /**
   * First run: create the IT admin's key and the care team key, deploy the registry (the admin
   * becomes its first member) and the record contracts, register this workstation as an
   * anchoring station, and write ward.json last (so a crash mid-setup leaves an unset-up ward).
   */
  async setupWard(input: { wardName: string; name: string; age: number; password: string }): Promise<{ address: string }> {
    if (this.initialized) throw new WardError('CONFLICT', 'This ward is already set up.');
    const wallet = await this.keystores.create(input.password);
    const secrets = WardConfigStore.newSecrets();
    const directory = new Directory(this.dataDir, secrets.nameIndexKey);
    const publicKey = publicKeyOf(wallet.privateKey);
    const team = createTeamKey([publicKey]);
    const commitment = directory.sealProfile(wallet.address, { name: displayName(input.name), age: input.age, role: 'it-admin' }, [publicKey, team.publicKey]);
    const signer = wallet.connect(this.node.provider);
    const deployed = await RegistryClient.deploy(signer, publicKey, commitment);
    const contracts = await WardContracts.deploy(signer, deployed.address);
    const station = createStationKey(this.dataDir);
    await new WardContracts(contracts.anchors, contracts.ledger, this.node.provider).addStation(signer, station.address);
    directory.setAddressForName(input.name, wallet.address);
    directory.setStaffName(wallet.address, input.name, 'it-admin');
    this.config.save({
      v: 1,
      wardName: input.wardName,
      createdAt: new Date().toISOString(),
      registryAddress: deployed.address,
      registryBlock: deployed.block,
      contracts,
      team,
      stationAddress: station.address,
      lockTimeoutSeconds: defaultLockTimeoutSeconds,
      ...secrets,
    });
    this.directoryCache = directory;
    log('info', 'ward.setup', { registry: deployed.address, block: deployed.block });
    return { address: wallet.address };
  }

  /**
   * Register: patients are active at once; staff wait for an IT admin's approval on the chain.
   * A name that looks like another active account's (TR39 confusables: look-alike letters of
   * other alphabets, accents) is refused for staff — records show who signed by name — and comes
   * back with a warning for patients, who may share a name and are told apart by their details.
   */
  async register(input: { role: Role; name: string; age: number; password: string }): Promise<{ address: string; status: MemberStatus; warning?: string }> {
    const name = displayName(input.name);
    const existing = this.directory.addressForName(name);
    if (existing && (await this.isActive(existing))) {
      throw new WardError('CONFLICT', 'An account with this name is already registered on this ward. Log in, or register with your full name.', {
        fields: { name: 'This name is already registered.' },
      });
    }
    const lookalikes = await this.activeOnly(this.directory.lookalikesOf(name));
    let warning: string | undefined;
    if (lookalikes.length > 0) {
      const staffLookalike = lookalikes.some((a) => this.directory.staffName(a) !== null);
      if (input.role !== 'patient' && staffLookalike) {
        const message = 'This name looks the same as the name of another staff member on this ward (it differs only in look-alike letters or accents). Register with your name written so that the two can be told apart, for example with a middle initial.';
        throw new WardError('CONFLICT', message, { fields: { name: 'This name looks the same as another staff member\'s.' } });
      }
      warning = 'Another account on this ward has a name that looks the same as this one (it differs only in look-alike letters or accents). Check the person\'s details whenever you pick them by name.';
    }
    const wallet = await this.keystores.create(input.password);
    const publicKey = publicKeyOf(wallet.privateKey);
    const admins = (await this.registry.members()).filter((m) => m.role === 'it-admin' && m.status === 'approved');
    const commitment = this.directory.sealProfile(wallet.address, { name, age: input.age, role: input.role }, [
      publicKey,
      this.ward().team.publicKey,
      ...admins.map((a) => a.publicKey),
    ]);
    await this.registry.requestRegistration(wallet.connect(this.node.provider), input.role, publicKey, commitment);
    this.directory.setAddressForName(name, wallet.address);
    if (input.role !== 'patient') this.directory.setStaffName(wallet.address, name, input.role);
    const status: MemberStatus = staffRoles.includes(input.role) ? 'pending' : 'approved';
    log('info', 'identity.registered', { role: input.role, status, lookalike: warning !== undefined });
    return { address: wallet.address, status, ...(warning ? { warning } : {}) };
  }

  private async isActive(address: string): Promise<boolean> {
    const m = await this.registry.member(address);
    return !!m && (m.status === 'pending' || m.status === 'approved');
  }

  private async activeOnly(addresses: string[]): Promise<string[]> {
    const active = await Promise.all(addresses.map((a) => this.isActive(a)));
    return addresses.filter((_, i) => active[i]);
  }

  /**
   * Check the password and the account's standing; returns the unlocked wallet and profile.
   * Unknown names cost the same key derivation as known ones and are throttled alike.
   */
  async login(name: string, password: string): Promise<{ wallet: ethers.Wallet; profile: Profile }> {
    const attempt = this.guard.begin(`name:${this.directory.nameKey(name)}`, 'name');
    const address = this.directory.addressForName(name);
    const wallet = await guarded(attempt, () => (address ? this.keystores.unlock(address, password) : this.keystores.refuseUnknown(password)));
    const profile = await this.profileOf(wallet);
    this.directory.rememberLogin(name, wallet.address);
    return { wallet, profile };
  }

  /** Re-check a password for an existing account (unlock), throttled per account. */
  async verifyPassword(address: string, password: string): Promise<ethers.Wallet> {
    const attempt = this.guard.begin(`account:${ethers.getAddress(address)}`, 'account');
    return guarded(attempt, () => this.keystores.unlock(address, password));
  }

  /** The care team's private key for a clinician's session (null for other roles). */
  teamKeyFor(wallet: ethers.Wallet, role: Role): string | null {
    if (role !== 'doctor' && role !== 'nurse') return null;
    return openTeamKey(this.ward().team, wallet.privateKey);
  }

  /** Public key and standing of a member, from the chain. */
  member(address: string): Promise<ChainMember | null> {
    return this.registry.member(address);
  }

  /** Open any profile this reader (own key or the care team key) can read, checked against the chain. */
  async readProfile(address: string, readerPrivateKey: string): Promise<{ name: string; age: number; role: Role } | null> {
    const member = await this.registry.member(address);
    if (!member) return null;
    try {
      const p = this.directory.openProfile(member.address, readerPrivateKey, member.profileCommitment);
      return { name: p.name, age: p.age, role: member.role };
    } catch {
      return null;
    }
  }

  /** Let more readers (a grantee) read a profile the holder can read. */
  shareProfile(address: string, holderPrivateKey: string, readerPublicKeys: string[]): void {
    this.directory.shareProfile(address, holderPrivateKey, readerPublicKeys);
  }

  get wardConfig(): WardConfig {
    return this.ward();
  }

  async profileOf(wallet: ethers.Wallet): Promise<Profile> {
    const member = await this.registry.member(wallet.address);
    if (!member) throw new WardError('NOT_FOUND', 'This account is not registered on the ward chain.');
    if (member.status === 'pending') throw new WardError('PENDING_APPROVAL', 'Your registration is waiting for approval by the ward\'s IT admin.');
    if (member.status === 'rejected') throw new WardError('FORBIDDEN', 'Your registration was not approved. Ask the ward\'s IT admin.');
    if (member.status === 'revoked') throw new WardError('FORBIDDEN', 'This account has been deactivated by the ward\'s IT admin.');
    const stored = this.directory.openProfile(wallet.address, wallet.privateKey, member.profileCommitment);
    return { address: wallet.address, name: stored.name, age: stored.age, role: member.role, status: member.status };
  }

  private profileFor(member: ChainMember, reader: ethers.Wallet): { name: string; age: number } {
    try {
      const p = this.directory.openProfile(member.address, reader.privateKey, member.profileCommitment);
      return { name: p.name, age: p.age };
    } catch (e) {
      // A profile this admin cannot read (registered on another workstation) or a tampered file.
      const why = e instanceof WardError && e.code === 'INTEGRITY' ? '(profile does not match the chain)' : '(profile not readable here)';
      return { name: why, age: -1 };
    }
  }

  async pending(admin: ethers.Wallet): Promise<PendingRegistration[]> {
    const members = await this.registry.members();
    return members
      .filter((m) => m.status === 'pending')
      .map((m) => ({ address: m.address, role: m.role, requestedAt: new Date(m.requestedAt * 1000).toISOString(), ...this.profileFor(m, admin) }));
  }

  async members(admin: ethers.Wallet): Promise<Profile[]> {
    const members = await this.registry.members();
    return members.map((m) => ({ address: m.address, role: m.role, status: m.status, ...this.profileFor(m, admin) }));
  }

  async decide(admin: ethers.Wallet, address: string, decision: 'approve' | 'reject'): Promise<{ address: string; status: MemberStatus }> {
    const target = ethers.getAddress(address);
    const member = await this.registry.member(target);
    if (!member) throw new WardError('NOT_FOUND', 'There is no registration for that account.');
    if (member.status !== 'pending') throw new WardError('CONFLICT', 'This registration is no longer pending.');
    const signer = admin.connect(this.node.provider);
    if (decision === 'approve') {
      await this.registry.approve(signer, target);
      // A new IT admin must be able to read every profile the approving admin can.
      if (member.role === 'it-admin') this.shareAllProfiles(admin, member.publicKey);
      // Clinicians (and IT admins, who hand it on) receive the care team key.
      if (member.role === 'doctor' || member.role === 'nurse' || member.role === 'it-admin') {
        const team = this.ward().team;
        if (!isTeamKeyHolder(team, member.publicKey)) {
          this.config.update({ team: shareTeamKey(team, admin.privateKey, [member.publicKey]) });
        }
      }
    } else {
      await this.registry.reject(signer, target);
    }
    log('info', 'identity.decided', { decision, role: member.role });
    return { address: target, status: decision === 'approve' ? 'approved' : 'rejected' };
  }

  private shareAllProfiles(admin: ethers.Wallet, newAdminPublicKey: string): void {
    for (const address of this.directory.knownAddresses()) {
      try {
        this.directory.shareProfile(address, admin.privateKey, [newAdminPublicKey]);
      } catch {
        // Profiles this admin cannot read stay as they are.
      }
    }
  }
}

/** Run a password check inside a throttled attempt: a wrong password counts, anything else does not. */
async function guarded<T>(attempt: Attempt, check: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await check();
  } catch (e) {
    if (e instanceof WardError && e.code === 'WRONG_PASSWORD') attempt.failed();
    else attempt.abandoned();
    throw e;
  }
  attempt.succeeded();
  return result;
}
