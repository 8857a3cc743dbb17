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
import { createTeamKey, openTeamKey } from './careTeam';
import { Directory } from './directory';
import { createStationKey } from './stationKey';
import { KeystoreStore, type Progress } from './keystore';

export class IdentityService {
  readonly keystores: KeystoreStore;
  private directoryCache: Directory | null = null;
  private registryCache: RegistryClient | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly node: WardNode,
    private readonly config: WardConfigStore,
    scryptN: number,
  ) {
    this.keystores = new KeystoreStore(join(dataDir, 'keystores'), scryptN);
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

  /** On start: the registry recorded in ward.json must exist on the chain we opened. */
  async checkDeployment(): Promise<void> {
    if (!this.initialized) return;
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
  async setupWard(input: { wardName: string; name: string; age: number; password: string }, progress?: Progress): Promise<{ address: string }> {
    if (this.initialized) throw new WardError('CONFLICT', 'This ward is already set up.');
    const wallet = await this.keystores.create(input.password, progress);
    const secrets = WardConfigStore.newSecrets();
    const directory = new Directory(this.dataDir, secrets.nameIndexKey);
    const publicKey = publicKeyOf(wallet.privateKey);
    const team = createTeamKey([publicKey]);
    const commitment = directory.sealProfile(wallet.address, { name: input.name, age: input.age, role: 'it-admin' }, [publicKey, team.publicKey]);
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

  /** Register: patients are active at once; staff wait for an IT admin's approval on the chain. */
  async register(input: { role: Role; name: string; age: number; password: string }, progress?: Progress): Promise<{ address: string; status: MemberStatus }> {
    const existing = this.directory.addressForName(input.name);
    if (existing) {
      const m = await this.registry.member(existing);
      if (m && (m.status === 'pending' || m.status === 'approved')) {
        throw new WardError('CONFLICT', 'An account with this name is already registered on this ward. Log in, or register with your full name.', {
          fields: { name: 'This name is already registered.' },
        });
      }
    }
    const wallet = await this.keystores.create(input.password, progress);
    const publicKey = publicKeyOf(wallet.privateKey);
    const admins = (await this.registry.members()).filter((m) => m.role === 'it-admin' && m.status === 'approved');
    const commitment = this.directory.sealProfile(wallet.address, { name: input.name, age: input.age, role: input.role }, [
      publicKey,
      this.ward().team.publicKey,
      ...admins.map((a) => a.publicKey),
    ]);
    await this.registry.requestRegistration(wallet.connect(this.node.provider), input.role, publicKey, commitment);
    this.directory.setAddressForName(input.name, wallet.address);
    if (input.role !== 'patient') this.directory.setStaffName(wallet.address, input.name, input.role);
    const status: MemberStatus = staffRoles.includes(input.role) ? 'pending' : 'approved';
    log('info', 'identity.registered', { role: input.role, status });
    return { address: wallet.address, status };
  }

  /** Check the password and the account's standing; returns the unlocked wallet and profile. */
  async login(name: string, password: string, progress?: Progress): Promise<{ wallet: ethers.Wallet; profile: Profile }> {
    const address = this.directory.addressForName(name);
    if (!address) throw new WardError('WRONG_PASSWORD', 'Name or password is incorrect.');
    const wallet = await this.keystores.unlock(address, password, progress);
    return { wallet, profile: await this.profileOf(wallet) };
  }

  /** Re-check a password for an existing account (unlock). */
  async verifyPassword(address: string, password: string, progress?: Progress): Promise<ethers.Wallet> {
    return this.keystores.unlock(address, password, progress);
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
}
