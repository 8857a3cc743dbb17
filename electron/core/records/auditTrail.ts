/**
 * Every read, export, verification and amendment is an AccessAudited event on the ward chain, sent
 * by the person who acted (so the chain shows who). A local index keeps what the event cannot
 * hold in the clear: which patient, and the written reason (sealed for the patient, the care
 * team and the IT admins; the chain holds only a salted commitment to it).
 */
import { ethers } from 'ethers';
import type { AuditAction, AuditEntry, AuditPage } from '../model/records';
import type { PersonRef } from '../model/people';
import { auditActions, type WardContracts } from '../chain/wardContracts';
import { commit } from '../crypto/commitment';
import { openEnvelope, sealEnvelope } from '../crypto/envelope';
import type { Actor } from '../identity/actor';
import type { IdentityService } from '../identity/identityService';
import type { People } from '../identity/people';
import { WardError } from '../model/errors';
import type { AccessPolicy } from './access';
import type { Patients } from './patients';
import type { ActivityEntry } from '../storage/storeTypes';
import type { WardStore } from '../storage/wardStore';

const actionNames: Record<number, AuditAction> = { 0: 'read', 1: 'export', 2: 'verify', 3: 'amend' };
/** Entries in one page of the access log. */
export const AUDIT_PAGE_SIZE = 100;
const ZERO = ethers.ZeroHash;

export class AuditTrail {
  constructor(
    private readonly store: () => WardStore,
    private readonly contracts: () => WardContracts,
    private readonly identity: IdentityService,
    private readonly provider: () => ethers.Provider,
    private readonly patients: Patients,
    private readonly access: AccessPolicy,
    private readonly people: People,
  ) {}

  /** Record one access on the chain and in the local index. */
  async record(actor: Actor, patient: string | null, action: keyof typeof auditActions, options: { patientRef?: string; reason?: string; breakGlass?: boolean } = {}): Promise<void> {
    const ref = options.patientRef ?? (patient ? this.patients.refOf(patient) : ZERO);
    const reasonBytes = options.reason ? new TextEncoder().encode(options.reason) : null;
    const receipt = await this.contracts().recordAccess(actor.wallet.connect(this.provider()), {
      patientRef: ref,
      subjectRef: ethers.keccak256(ethers.concat([ref, ethers.toUtf8Bytes(action)])),
      action: auditActions[action],
      reasonCommitment: reasonBytes ? commit(reasonBytes).commitment : ZERO,
      breakGlass: options.breakGlass ?? false,
    });
    let sealedReason = null;
    if (reasonBytes) {
      const readers = [this.identity.wardConfig.team.publicKey];
      if (patient) {
        const p = await this.identity.member(patient);
        if (p) readers.push(p.publicKey);
      }
      const admins = await this.people.approved(['it-admin']);
      readers.push(...admins.map((a) => a.publicKey));
      sealedReason = sealEnvelope(reasonBytes, readers, `wardledger/audit-reason/${receipt.hash}`);
    }
    await this.store().write((w) =>
      w.audit({
        t: 'audit',
        actor: actor.address,
        patient,
        action: auditActions[action],
        breakGlass: options.breakGlass ?? false,
        reason: sealedReason,
        at: Date.now(),
        block: receipt.blockNumber,
        tx: receipt.hash,
      }),
    );
  }

  /**
   * The access log as the viewer may see it, newest first, a page at a time: patients see their
   * own; doctors choose a patient whose record they may read; IT admins see the whole ward's or
   * one patient's.
   */
  async listFor(viewer: Actor, patientAddress: string | null, before: string | null = null, limit = AUDIT_PAGE_SIZE): Promise<AuditPage> {
    let patient = patientAddress ? ethers.getAddress(patientAddress) : null;
    if (viewer.role === 'patient') patient = viewer.address;
    else if (viewer.role === 'doctor') {
      if (!patient) throw new WardError('BAD_INPUT', 'Choose a patient to see their access log.', { fields: { patient: 'Choose a patient.' } });
      this.access.basis(viewer, patient);
    }
    const page = await this.store().activity({ patient, limit, cursor: before });
    const names = this.people.namesFor(viewer).ref;
    const entries: AuditEntry[] = [];
    for (const a of page.items) entries.push(await this.entryFor(viewer, a, names));
    return { entries, earlier: page.next };
  }

  /** One access log entry (an audited access or a consent change) as the viewer may read it. */
  private async entryFor(viewer: Actor, a: ActivityEntry, names: (address: string) => Promise<PersonRef>): Promise<AuditEntry> {
    if (a.t === 'consent') {
      return {
        at: new Date(a.at).toISOString(),
        actor: await names(a.patient),
        action: a.action,
        patient: await names(a.patient),
        breakGlass: false,
        reason: `${a.action === 'grant' ? 'Shared with' : 'Stopped sharing with'} ${(await names(a.grantee)).name}`,
        wardBlock: 0,
        wardTx: a.tx,
      };
    }
    return {
      at: new Date(a.at).toISOString(),
      actor: await names(a.actor),
      action: actionNames[a.action] ?? 'read',
      patient: a.patient ? await names(a.patient) : null,
      breakGlass: a.breakGlass,
      reason: this.openReason(viewer, a.reason, a.tx),
      wardBlock: a.block,
      wardTx: a.tx,
    };
  }

  private openReason(viewer: Actor, env: Parameters<typeof openEnvelope>[0] | null, tx: string): string | null {
    if (!env) return null;
    for (const k of [viewer.wallet.privateKey, viewer.teamKey]) {
      if (!k) continue;
      try {
        return new TextDecoder().decode(openEnvelope(env, k, `wardledger/audit-reason/${tx}`));
      } catch {
        // try the next key
      }
    }
    return '(reason sealed: not readable with your access)';
  }
}
