/**
 * The IT admin's decisions on staff registrations. Approving is a registry transaction, then local
 * work that only a holder of keys can do: a clinician (or IT admin) is given the care team key in
 * ward.json, and a new IT admin every profile the approving admin can read.
 *
 * The chain is the truth (issue 9 item 4): the team-key wrapping for the candidate is computed
 * first and journalled with the approval, so a crash or failure after the transaction is settled
 * from the chain at start (the approved doctor is not refused for want of the key) and a retry
 * of "approve" finds the member approved and finishes what is missing instead of refusing. Profile
 * sharing for a new IT admin needs an admin's key: an interrupted one is finished at the next
 * admin's visit to the approvals page.
 */
import { ethers } from 'ethers';
import type { WardNode } from '../chain/wardNode';
import type { ChainMember } from '../chain/registryClient';
import type { WrappedKey } from '../crypto/envelope';
import { WardError } from '../model/errors';
import type { MemberStatus, PendingRegistration, Profile, Role } from '../model/people';
import { failpoint } from '../platform/failpoint';
import type { Intent, IntentJournal } from '../platform/intentJournal';
import { log } from '../platform/log';
import { isTeamKeyHolder, shareTeamKey } from './careTeam';
import type { IdentityService } from './identityService';
import type { WardConfigStore } from './wardConfig';

/** Roles given the care team key on approval (IT admins hand it on to the next clinicians). */
const teamKeyRoles: readonly Role[] = ['doctor', 'nurse', 'it-admin'];

interface ApprovalIntent {
  member: string;
  role: Role;
  publicKey: string;
  /** The care team key wrapped for the member (computed with the approving admin's key). */
  teamRecipients: WrappedKey[];
}

/** Journal kinds: 'approval.approve', and 'approval.profiles' (share profiles with a new IT admin at an admin's next visit). */
const INTENT = 'approval';

export class Approvals {
  constructor(
    private readonly identity: IdentityService,
    private readonly config: WardConfigStore,
    private readonly node: WardNode,
    private readonly journal: IntentJournal,
  ) {}

  async pending(admin: ethers.Wallet): Promise<PendingRegistration[]> {
    this.shareProfilesLeftOver(admin);
    return this.identity.pending(admin);
  }

  async members(admin: ethers.Wallet): Promise<Profile[]> {
    this.shareProfilesLeftOver(admin);
    return this.identity.members(admin);
  }

  async decide(admin: ethers.Wallet, address: string, decision: 'approve' | 'reject'): Promise<{ address: string; status: MemberStatus }> {
    const target = ethers.getAddress(address);
    let settled = false;
    for (const intent of this.journal.pending<ApprovalIntent>(`${INTENT}.approve`)) if (intent.payload.member === target && (await this.settle(intent))) settled = true;
    this.shareProfilesLeftOver(admin);
    const member = await this.identity.member(target);
    if (!member) throw new WardError('NOT_FOUND', 'There is no registration for that account.');
    if (member.status !== 'pending') {
      // A retry of an approval the chain had taken: finish what is missing here.
      if (decision === 'approve' && member.status === 'approved') {
        if (settled) return { address: target, status: 'approved' };
        if (this.lacksTeamKey(member)) {
          this.handOver(admin, member, this.teamRecipients(admin, member));
          log('warn', 'identity.approval_finished', { role: member.role });
          return { address: target, status: 'approved' };
        }
      }
      throw new WardError('CONFLICT', 'This registration is no longer pending.');
    }
    const signer = admin.connect(this.node.provider);
    if (decision === 'reject') {
      await this.identity.registry.reject(signer, target);
      log('info', 'identity.decided', { decision, role: member.role });
      return { address: target, status: 'rejected' };
    }
    const payload: ApprovalIntent = { member: target, role: member.role, publicKey: member.publicKey, teamRecipients: this.teamRecipients(admin, member) };
    const intent = this.journal.begin(`${INTENT}.approve`, await this.node.provider.getBlockNumber(), payload);
    try {
      await this.identity.registry.approve(signer, target);
    } catch (e) {
      this.journal.end(intent.id);
      throw e;
    }
    failpoint('approval.sent');
    this.handOver(admin, member, payload.teamRecipients);
    this.journal.end(intent.id);
    log('info', 'identity.decided', { decision, role: member.role });
    return { address: target, status: 'approved' };
  }

  /** At start: settle every interrupted approval from the chain. */
  async reconcile(): Promise<number> {
    let settled = 0;
    for (const intent of this.journal.pending<ApprovalIntent>(`${INTENT}.approve`)) if (await this.settle(intent)) settled++;
    if (settled) log('warn', 'identity.approvals_reconciled', { settled });
    return settled;
  }

  private lacksTeamKey(member: ChainMember): boolean {
    return teamKeyRoles.includes(member.role) && !isTeamKeyHolder(this.config.get()!.team, member.publicKey);
  }

  /** The care team key wrapped for the member (none when their role does not get it or they have it). */
  private teamRecipients(admin: ethers.Wallet, member: ChainMember): WrappedKey[] {
    if (!this.lacksTeamKey(member)) return [];
    const team = this.config.get()!.team;
    const shared = shareTeamKey(team, admin.privateKey, [member.publicKey]);
    return shared.sealed.recipients.filter((r) => !team.sealed.recipients.some((t) => t.recipient.toLowerCase() === r.recipient.toLowerCase()));
  }

  /** The member gets the care team key (and a new IT admin the profiles the admin can read). */
  private handOver(admin: ethers.Wallet | null, member: Pick<ChainMember, 'address' | 'role' | 'publicKey'>, teamRecipients: WrappedKey[]): void {
    this.addTeamRecipients(teamRecipients);
    if (member.role !== 'it-admin') return;
    if (admin) this.shareAllProfiles(admin, member.publicKey);
    else this.journal.begin(`${INTENT}.profiles`, 0, { member: member.address, role: member.role, publicKey: member.publicKey, teamRecipients: [] });
  }

  private addTeamRecipients(recipients: WrappedKey[]): void {
    const team = this.config.get()!.team;
    const present = new Set(team.sealed.recipients.map((r) => r.recipient.toLowerCase()));
    const added = recipients.filter((r) => !present.has(r.recipient.toLowerCase()));
    if (added.length) this.config.update({ team: { ...team, sealed: { ...team.sealed, recipients: [...team.sealed.recipients, ...added] } } });
  }

  /** Finish an interrupted approval if the chain has it (no admin key at hand), else forget it. */
  private async settle(intent: Intent<ApprovalIntent>): Promise<boolean> {
    const m = await this.identity.member(intent.payload.member);
    const inEffect = m?.status === 'approved';
    if (inEffect) this.handOver(null, { address: intent.payload.member, role: intent.payload.role, publicKey: intent.payload.publicKey }, intent.payload.teamRecipients);
    this.journal.end(intent.id);
    return inEffect;
  }

  private shareProfilesLeftOver(admin: ethers.Wallet): void {
    for (const intent of this.journal.pending<ApprovalIntent>(`${INTENT}.profiles`)) {
      this.shareAllProfiles(admin, intent.payload.publicKey);
      this.journal.end(intent.id);
    }
  }

  private shareAllProfiles(admin: ethers.Wallet, newAdminPublicKey: string): void {
    for (const address of this.identity.directory.knownAddresses()) {
      try {
        this.identity.directory.shareProfile(address, admin.privateKey, [newAdminPublicKey]);
      } catch {
        // Profiles this admin cannot read stay as they are.
      }
    }
  }
}
