/**
 * Every read, export, verification and amendment, and every display of a patient's name and
 * latest observations in a list, is an AccessAudited event on the ward chain, sent by the person
 * who acted (so the chain shows who). A local index keeps what the event cannot hold in the clear:
 * which patient, and the written reason (sealed for the patient, the care team and the IT admins;
 * the chain holds only a salted commitment to it). The access log also lists consent and every
 * change of care relationship (both on the chain too), with flags on relationships created to read.
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
import type { AccessPolicy, CareRelations } from './access';
import { careFlags, type CareFlag } from './careFlags';
import type { Patients } from './patients';
import type { AuditLogEntry, RecordStore } from './recordStore';
import type { CareChange } from '../model/ward';

const actionNames: Record<number, AuditAction> = { 0: 'read', 1: 'export', 2: 'verify', 3: 'amend', 4: 'list' };
const ZERO = ethers.ZeroHash;
/**
 * A patient shown to the same person in lists (the board refreshes every minute) is audited again
 * after this long: the access log says "shown on the ward board to Nora Nurse", hour by hour.
 */
export const SHOWN_AUDIT_INTERVAL_MS = 3600_000;

export class AuditTrail {
  /** actor|patient → when last audited as shown. */
  private readonly lastShown = new Map<string, number>();

  constructor(
    private readonly store: RecordStore,
    private readonly contracts: () => WardContracts,
    private readonly identity: IdentityService,
    private readonly provider: () => ethers.Provider,
    private readonly patients: Patients,
    private readonly access: AccessPolicy,
    private readonly people: People,
    private readonly care: CareRelations,
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
   * Record, in one transaction, that these patients' names and latest observations were shown to
   * the actor in a list (the ward board, a doctor's patient list).
   */
  async recordShown(actor: Actor, shown: readonly string[]): Promise<void> {
    const now = Date.now();
    const key = (p: string) => `${actor.address}|${p}`;
    const patients = shown.filter((p) => now - (this.lastShown.get(key(p)) ?? 0) >= SHOWN_AUDIT_INTERVAL_MS);
    if (patients.length === 0) return;
    // Claimed before the transaction, so a second list in flight does not audit the same again.
    for (const p of patients) this.lastShown.set(key(p), now);
    try {
      await this.recordShownNow(actor, patients);
    } catch (e) {
      for (const p of patients) this.lastShown.delete(key(p));
      throw e;
    }
  }

  private async recordShownNow(actor: Actor, patients: readonly string[]): Promise<void> {
    const refs = patients.map((p) => this.patients.refOf(p));
    const receipt = await this.contracts().recordAccessBatch(
      actor.wallet.connect(this.provider()),
      refs.map((ref) => ({ patientRef: ref, subjectRef: ethers.keccak256(ethers.concat([ref, ethers.toUtf8Bytes('list')])), action: auditActions.list, reasonCommitment: ZERO, breakGlass: false })),
    );
    const at = Date.now();
    await this.store.append(
      ...patients.map((patient) => ({ t: 'audit' as const, actor: actor.address, patient, action: auditActions.list, breakGlass: false, reason: null, at, block: receipt.blockNumber, tx: receipt.hash })),
    );
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
    const audits = this.store.audits.filter((a) => !patient || a.patient === patient);
    const changes = this.care.changesOf(patient);
    const flags = this.flags(audits, changes);
    const entries: AuditEntry[] = [];
    for (const a of audits) {
      const flag = flags.reads.get(a);
      entries.push({
        at: new Date(a.at).toISOString(),
        actor: await names(a.actor),
        action: actionNames[a.action] ?? 'read',
        patient: a.patient ? await names(a.patient) : null,
        breakGlass: a.breakGlass,
        reason: openReason(a.reason, a.tx),
        flag: flag ? await flagText(flag, names) : null,
        wardBlock: a.block,
        wardTx: a.tx,
      });
    }
    for (const c of changes) {
      const flag = flags.changes.get(c);
      entries.push({
        at: new Date(c.at).toISOString(),
        actor: await names(c.by),
        action: c.change,
        patient: await names(c.patient),
        breakGlass: false,
        reason: await careText(c, names),
        flag: flag ? await flagText(flag, names) : null,
        wardBlock: c.block,
        wardTx: c.tx,
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
        flag: null,
        wardBlock: 0,
        wardTx: c.tx,
      });
    }
    return entries.sort((x, y) => y.at.localeCompare(x.at));
  }

  /** Flags on care changes and on the reads and exports made through them, patient by patient. */
  private flags(audits: readonly AuditLogEntry[], changes: readonly CareChange[]) {
    const out = { changes: new Map<CareChange, CareFlag>(), reads: new Map<AuditLogEntry, CareFlag>() };
    const isNurse = (a: string) => this.identity.directory.staffName(a)?.role === 'nurse';
    for (const patient of new Set(changes.map((c) => c.patient))) {
      const reads = audits.filter((a) => a.patient === patient && (a.action === auditActions.read || a.action === auditActions.export));
      const records = this.store.recordsOf(patient);
      const f = careFlags(
        changes.filter((c) => c.patient === patient),
        reads,
        (at) => records.some((r) => r.createdAt < at),
        isNurse,
      );
      for (const [k, v] of f.changes) out.changes.set(k, v);
      for (const [k, v] of f.reads) out.reads.set(k, v);
    }
    return out;
  }
}

async function careText(c: CareChange, names: (address: string) => Promise<PersonRef>): Promise<string> {
  const doctor = c.doctor ? (await names(c.doctor)).name : null;
  if (c.change === 'admit') return `Admitted to bed ${c.bed ?? '?'}; responsible doctor: ${doctor ?? 'none yet'}`;
  if (c.change === 'assign-doctor') return `Responsible doctor now ${doctor}`;
  return 'Discharged: the ward’s care team no longer reads the record';
}

async function flagText(f: CareFlag, names: (address: string) => Promise<PersonRef>): Promise<string> {
  switch (f.kind) {
    case 'self-assigned':
      return 'Made themself the responsible doctor of a patient who already had records.';
    case 'read-in-self-assigned':
      return 'Read as the responsible doctor they had made themself.';
    case 'short-lived':
      return `This care relationship lasted ${f.minutes} min: ${(await names(f.creator)).name} made it, read the record, and it ended.`;
    case 'read-in-short-lived':
      return `Read during a care relationship the reader made themself, which ended ${f.minutes} min later.`;
  }
}
