/**
 * Every read, export, verification and amendment, and every display of a patient's name and
 * latest observations in a list, is an AccessAudited event on the ward chain, sent by the person
 * who acted (so the chain shows who). A local index keeps what the event cannot hold in the clear:
 * which patient, and the written reason (sealed for the patient, the care team and the IT admins;
 * the chain holds only a salted commitment to it). The access log also lists consent and every
 * change of care relationship (both on the chain too), with flags on relationships created to read.
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
import type { AccessPolicy, CareRelations } from './access';
import { careFlags, type CareFlag } from './careFlags';
import type { ChainCheck } from './chainCheck';
import type { Patients } from './patients';
import type { CareChange } from '../model/ward';
import type { ActivityEntry, AuditRecord } from '../storage/storeTypes';
import { timeOfCursor, type WardStore } from '../storage/wardStore';

const actionNames: Record<number, AuditAction> = { 0: 'read', 1: 'export', 2: 'verify', 3: 'amend', 4: 'list' };
/** What a restored entry says in place of its reason (the chain holds only a commitment to it). */
export const RESTORED_REASON = 'Reason not available locally: this entry was deleted from this workstation and restored from the ward chain.';
/** Entries in one page of the access log. */
export const AUDIT_PAGE_SIZE = 100;
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
    private readonly store: () => WardStore,
    private readonly contracts: () => WardContracts,
    private readonly identity: IdentityService,
    private readonly provider: () => ethers.Provider,
    private readonly patients: Patients,
    private readonly access: AccessPolicy,
    private readonly people: People,
    private readonly care: CareRelations,
    private readonly check: Pick<ChainCheck, 'patient'>,
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
    await this.store().write((w) => {
      for (const patient of patients) w.audit({ t: 'audit', actor: actor.address, patient, action: auditActions.list, breakGlass: false, reason: null, at, block: receipt.blockNumber, tx: receipt.hash });
    });
  }

  /**
   * The access log as the viewer may see it, newest first, a page at a time: patients see their
   * own; doctors choose a patient whose record they may read; IT admins see the whole ward's or
   * one patient's. Changes of care relationship (kept with the admissions) join the page whose
   * span of time holds them.
   */
  async listFor(viewer: Actor, patientAddress: string | null, before: string | null = null, limit = AUDIT_PAGE_SIZE): Promise<AuditPage> {
    let patient = patientAddress ? ethers.getAddress(patientAddress) : null;
    if (viewer.role === 'patient') patient = viewer.address;
    else if (viewer.role === 'doctor') {
      if (!patient) throw new WardError('BAD_INPUT', 'Choose a patient to see their access log.', { fields: { patient: 'Choose a patient.' } });
      this.access.basis(viewer, patient);
    }
    // One patient's log: entries the store lost are restored from the ward chain before it is read.
    const storeCheck = patient ? await this.check.patient(patient) : null;
    const page = await this.store().activity({ patient, limit, cursor: before });
    // This page spans [older, newer): the next page starts below its last entry's time.
    const newer = before ? timeOfCursor(before) : Number.POSITIVE_INFINITY;
    const older = page.next ? page.items.at(-1)!.at : Number.NEGATIVE_INFINITY;
    const changes = this.care.changesOf(patient).filter((c) => c.at < newer && c.at >= older);
    const flags = await this.flags(page.items, changes);
    const names = this.people.namesFor(viewer).ref;
    const entries: AuditEntry[] = [];
    for (const a of page.items) {
      const flag = a.t === 'audit' ? flags.reads.get(readKey(a)) : undefined;
      entries.push({ ...(await this.entryFor(viewer, a, names)), flag: flag ? await flagText(flag, names) : null });
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
    return { entries: entries.sort((x, y) => y.at.localeCompare(x.at)), earlier: page.next, storeCheck };
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
        flag: null,
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
      reason: a.restored ? RESTORED_REASON : this.openReason(viewer, a.reason, a.tx),
      flag: null,
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

  /**
   * Flags on the care changes and the reads and exports of the patients this page names, from each
   * such patient's whole access history (a relationship can span pages); keyed by transaction.
   */
  private async flags(items: readonly ActivityEntry[], changes: readonly CareChange[]) {
    const out = { changes: new Map<CareChange, CareFlag>(), reads: new Map<string, CareFlag>() };
    const isNurse = (a: string) => this.identity.directory.staffName(a)?.role === 'nurse';
    const named = new Set([...changes.map((c) => c.patient), ...items.flatMap((a) => (a.t === 'audit' && a.patient ? [a.patient] : []))]);
    const store = this.store();
    for (const patient of named) {
      const patientChanges = this.care.changesOf(patient);
      if (patientChanges.length === 0) continue;
      // Reads before the patient's first change of care lie in no relationship: paging stops there.
      const since = Math.min(...patientChanges.map((c) => c.at));
      const reads: AuditRecord[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: ActivityEntry[]; next: string | null } = await store.activity({ patient, limit: 1000, cursor });
        for (const a of page.items) if (a.t === 'audit' && (a.action === auditActions.read || a.action === auditActions.export)) reads.push(a);
        cursor = (page.items.at(-1)?.at ?? 0) < since ? null : page.next;
      } while (cursor);
      // The patient's first record by measured time: records are written after they are measured.
      const first = (await store.window(patient, { order: 'asc', limit: 1, proofs: false })).items[0];
      const f = careFlags(patientChanges, reads, (at) => !!first && first.at < at, isNurse);
      for (const [k, v] of f.changes) out.changes.set(k, v);
      for (const [k, v] of f.reads) out.reads.set(readKey(k), v);
    }
    return out;
  }
}

/** One audited access: its transaction, actor and patient (a list's transaction audits several patients). */
function readKey(a: AuditRecord): string {
  return `${a.tx}|${a.actor}|${a.patient ?? ''}|${a.action}`;
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
