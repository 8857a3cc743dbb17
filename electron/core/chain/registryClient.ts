/**
 * Typed access to the WardRegistry contract: deployment, registration requests, decisions and
 * member reads. Role and status numbers are translated to the API's names in one place.
 */
import { ethers } from 'ethers';
import { WardRegistry } from '../../../contracts/generated/artifacts';
import type { MemberStatus, Role } from '../model/people';
import { deployContract, sendContractTx, type RevertMessages } from './sendTransaction';

const roleByIndex: Array<Role | null> = [null, 'it-admin', 'doctor', 'nurse', 'patient', 'insurer'];
const statusByIndex: Array<MemberStatus | null> = [null, 'pending', 'approved', 'rejected', 'revoked'];

export function roleIndex(role: Role): number {
  return roleByIndex.indexOf(role);
}

export interface ChainMember {
  address: string;
  role: Role;
  status: MemberStatus;
  publicKey: string;
  profileCommitment: string;
  requestedAt: number;
  decidedAt: number;
  decidedBy: string;
}

const registryInterface = new ethers.Interface(WardRegistry.abi as unknown as ethers.InterfaceAbi);

const registryErrors: RevertMessages = {
  AlreadyRegistered: ['CONFLICT', 'This account is already registered.'],
  NotITAdmin: ['FORBIDDEN', 'Only an approved IT admin can do this.'],
  NotPending: ['CONFLICT', 'This registration is no longer pending.'],
  NotApproved: ['CONFLICT', 'This account is not an approved member.'],
  CannotRevokeSelf: ['FORBIDDEN', 'An IT admin cannot revoke their own account.'],
  PublicKeyMismatch: ['BAD_INPUT', 'The public key does not belong to the registering account.'],
  InvalidRole: ['BAD_INPUT', 'Choose a valid role.'],
};

export class RegistryClient {
  readonly contract: ethers.Contract;
  /**
   * Member reads are cached: only this core writes to its ward chain (in-process node, data-dir
   * lock), and every write goes through `send`, which drops the cache. Names on the ward board,
   * authorisation checks and pickers would otherwise cost one or more eth_calls each.
   */
  private readonly memberCache = new Map<string, Promise<ChainMember | null>>();
  private membersCache: Promise<ChainMember[]> | null = null;

  constructor(
    readonly address: string,
    private readonly provider: ethers.Provider,
  ) {
    this.contract = new ethers.Contract(address, registryInterface, provider);
  }

  /** Deploy a new registry; the deployer becomes the ward's first IT admin. */
  static deploy(admin: ethers.Signer, adminPublicKey: string, profileCommitment: string): Promise<{ address: string; block: number }> {
    return deployContract(registryInterface, WardRegistry.bytecode, admin, [adminPublicKey, profileCommitment], registryErrors);
  }

  /** True when the registry's code is present at the address (the chain data matches). */
  async isDeployed(): Promise<boolean> {
    return (await this.provider.getCode(this.address)) !== '0x';
  }

  private async send(signer: ethers.Signer, method: string, args: unknown[]): Promise<ethers.TransactionReceipt> {
    try {
      return await sendContractTx(this.contract, signer, method, args, registryErrors);
    } finally {
      this.memberCache.clear();
      this.membersCache = null;
    }
  }

  requestRegistration(signer: ethers.Signer, role: Role, publicKey: string, profileCommitment: string): Promise<ethers.TransactionReceipt> {
    return this.send(signer, 'requestRegistration', [roleIndex(role), publicKey, profileCommitment]);
  }

  approve(admin: ethers.Signer, account: string): Promise<ethers.TransactionReceipt> {
    return this.send(admin, 'approve', [account]);
  }

  reject(admin: ethers.Signer, account: string): Promise<ethers.TransactionReceipt> {
    return this.send(admin, 'reject', [account]);
  }

  /** The member record, or null when the address never registered. */
  member(address: string): Promise<ChainMember | null> {
    const key = ethers.getAddress(address);
    let cached = this.memberCache.get(key);
    if (!cached) {
      cached = this.readMember(key);
      cached.catch(() => this.memberCache.delete(key));
      this.memberCache.set(key, cached);
    }
    return cached;
  }

  private async readMember(address: string): Promise<ChainMember | null> {
    const m = await this.contract.getFunction('member')(address);
    const role = roleByIndex[Number(m.role)];
    const status = statusByIndex[Number(m.status)];
    if (!role || !status) return null;
    return {
      address: ethers.getAddress(address),
      role,
      status,
      publicKey: m.publicKey as string,
      profileCommitment: m.profileCommitment as string,
      requestedAt: Number(m.requestedAt),
      decidedAt: Number(m.decidedAt),
      decidedBy: m.decidedBy as string,
    };
  }

  members(): Promise<ChainMember[]> {
    if (!this.membersCache) {
      const read = this.readMembers();
      read.catch(() => (this.membersCache = null));
      this.membersCache = read;
    }
    return this.membersCache;
  }

  private async readMembers(): Promise<ChainMember[]> {
    const count = Number(await this.contract.getFunction('memberCount')());
    const addresses = await Promise.all(Array.from({ length: count }, (_, i) => this.contract.getFunction('memberAt')(i) as Promise<string>));
    const members = await Promise.all(addresses.map((a) => this.member(a)));
    return members.filter((m): m is ChainMember => m !== null);
  }
}
