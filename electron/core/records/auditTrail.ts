/**
 * Every read, export, verification and amendment is an AccessAudited event on the ward chain, sent
 * by the person who acted (so the chain shows who). A local index keeps what the event cannot
 * hold in the clear: which patient, and the written reason (sealed for the patient, the care
 * team and the IT admins; the chain holds only a salted commitment to it).
 */
import { ethers } from 'ethers';
import type { AuditAction, AuditEntry } from '../model/records';
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
import type { RecordStore } from './recordStore';

const actionNames: Record<number, AuditAction> = { 0: 'read', 1: 'export', 2: 'verify', 3: 'amend' };
const ZERO = ethers.ZeroHash;

export class AuditTrail {
  constructor(
    private readonly store: RecordStore,
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
    await this.store.append({
      t: 'audit',
      actor: actor.address,
      patient,
      action: auditActions[action],
      breakGlass: options.breakGlass ?? false,
      reason: sealedReason,
      at: Date.now(),
      block: receipt.blockNumber,
      tx: receipt.hash,
    });
  }

  /**
   * The access log as the viewer may see it, newest first: patients see their own; doctors choose
   * a patient whose record they may read; IT admins see the whole ward's or one patient's.
   */
  async listFor(viewer: Actor, patientAddress: string | null): Promise<AuditEntry[]> {
    let patient = patientAddress ? ethers.getAddress(patientAddress) : null;
    if (viewer.role === 'patient') patient = viewer.address;
    else if (viewer.role === 'doctor') {
      if (!patient) throw new WardError('BAD_INPUT', 'Choose a patient to see their access log.', { fields: { patient: 'Choose a patient.' } });
      this.access.basis(viewer, patient);
    }
    return this.list(viewer, patient, this.people.namesFor(viewer).ref);
  }

  /** Audit entries (and consent changes) visible to the viewer, newest first. */
  private async list(viewer: Actor, patient: string | null, names: (address: string) => Promise<PersonRef>): Promise<AuditEntry[]> {
    const keys = [viewer.wallet.privateKey, viewer.teamKey].filter((k): k is string => !!k);
    const openReason = (env: Parameters<typeof openEnvelope>[0] | null, tx: string): string | null => {
      if (!env) return null;
      for (const k of keys) {
        try {
          return new TextDecoder().decode(openEnvelope(env, k, `wardledger/audit-reason/${tx}`));
        } catch {
          // try the next key
        }
      }
      return '(reason sealed: not readable with your access)';
    };
    const entries: AuditEntry[] = [];
    for (const a of this.store.audits) {
      if (patient && a.patient !== patient) continue;
      entries.push({
        at: new Date(a.at).toISOString(),
        actor: await names(a.actor),
        action: actionNames[a.action] ?? 'read',
        patient: a.patient ? await names(a.patient) : null,
        breakGlass: a.breakGlass,
        reason: openReason(a.reason, a.tx),
        wardBlock: a.block,
        wardTx: a.tx,
      });
    }
    for (const c of this.store.consents) {
      if (patient && c.patient !== patient) continue;
      entries.push({
        at: new Date(c.at).toISOString(),
        actor: await names(c.patient),
        action: c.action,
        patient: await names(c.patient),
        breakGlass: false,
        reason: `${c.action === 'grant' ? 'Shared with' : 'Stopped sharing with'} ${(await names(c.grantee)).name}`,
        wardBlock: 0,
        wardTx: c.tx,
      });
    }
    return entries.sort((x, y) => y.at.localeCompare(x.at));
  }
}
