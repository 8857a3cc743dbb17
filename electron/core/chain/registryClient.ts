/**
 * Typed access to the WardRegistry contract: deployment, registration requests, decisions and
 * member reads. Role and status numbers are translated to the API's names in one place.
 */
import { ethers } from 'ethers';
import { WardRegistry } from '../../../contracts/generated/artifacts';
import type { MemberStatus, Role } from '../api/contract';
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

  private send(signer: ethers.Signer, method: string, args: unknown[]): Promise<ethers.TransactionReceipt> {
    return sendContractTx(this.contract, signer, method, args, registryErrors);
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
  async member(address: string): Promise<ChainMember | null> {
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

  async members(): Promise<ChainMember[]> {
    const count = Number(await this.contract.getFunction('memberCount')());
    const addresses = await Promise.all(Array.from({ length: count }, (_, i) => this.contract.getFunction('memberAt')(i) as Promise<string>));
    const members = await Promise.all(addresses.map((a) => this.member(a)));
    return members.filter((m): m is ChainMember => m !== null);
  }
}
