/**
 * Changing a patient's care relationships — admission, responsible doctor, discharge. They decide
 * who reads the record without the patient's consent, so changing one is guarded as carefully as
 * a read (issue 9 item 3). The rules, the same here and in AccessLedger (which enforces them on
 * the ward chain), and in the role matrix test:
 *  - nurses and doctors admit; a doctor may name himself responsible doctor;
 *  - the responsible doctor is changed by a nurse, by the responsible doctor handing over, or by a
 *    doctor taking on a patient who has none (or whose doctor left the ward) — for himself only:
 *    no doctor can make himself responsible for another doctor's patient;
 *  - a nurse or the responsible doctor discharges.
 * Every change is a transaction sent by the person acting (CareChanged on the chain, so it is
 * audited like a read and listed in the patient's access log), then the local admissions file. A
 * write-ahead intent lets a crash or failure between the two settle from the chain (at start and
 * before the next change of that patient), and the local admissions are checked against the chain
 * at start: the chain is the truth.
 */
import { ethers } from 'ethers';
import type { Actor } from '../identity/actor';
import type { IdentityService } from '../identity/identityService';
import type { People } from '../identity/people';
import { WardError } from '../model/errors';
import type { CareChangeKind } from '../model/ward';
import { failpoint } from '../platform/failpoint';
import type { Intent, IntentJournal } from '../platform/intentJournal';
import { log } from '../platform/log';
import type { Patients } from '../records/patients';
import type { Admission, Admissions } from './admissions';

/** Where a transaction was mined. */
export interface Mined {
  tx: string;
  block: number;
}

/** What care changes need of the ward chain (AccessLedger; wired in graph.ts). */
export interface CareLedger {
  blockNumber(): Promise<number>;
  admit(actor: Actor, patientRef: string, responsibleDoctor: string | null): Promise<Mined>;
  assignDoctor(actor: Actor, patientRef: string, doctor: string): Promise<Mined>;
  discharge(actor: Actor, patientRef: string): Promise<Mined>;
  careOf(patientRef: string): Promise<{ admitted: boolean; responsibleDoctor: string | null }>;
  /** The newest change of this patient's care by this actor since a block. */
  findChange(patientRef: string, actor: string, fromBlock: number): Promise<Mined | null>;
}

interface CareIntent {
  patient: string;
  change: CareChangeKind;
  by: string;
  doctor: string | null;
  bed: string | null;
  /** When the change took effect, if not now (the demo seeds a ward admitted days ago). */
  at?: number;
}

const INTENT = 'care';

export class CareChanges {
  /** Patients with a change in flight (one change per patient at a time). */
  private readonly busy = new Set<string>();

  constructor(
    private readonly admissions: Admissions,
    private readonly identity: IdentityService,
    private readonly people: People,
    private readonly patients: Patients,
    private readonly journal: IntentJournal,
    private readonly ledger: () => CareLedger,
  ) {}

  /** @param options.admittedAt only for the demo, which seeds a ward admitted days ago; otherwise now. */
  async admit(actor: Actor, patient: string, bed: string, responsibleDoctor: string | null, options: { admittedAt?: number } = {}): Promise<Admission> {
    const p = ethers.getAddress(patient);
    const doctor = responsibleDoctor ? ethers.getAddress(responsibleDoctor) : null;
    if (doctor) await this.requireDoctor(doctor);
    return this.exclusively(p, async (settled) => {
      // A retry of an admission that the chain had taken: it is done now.
      if (settled.some((c) => c.change === 'admit' && c.bed === bed)) return this.admissions.currentOf(p)!;
      this.requireAdmittable(p, bed);
      await this.run(actor, { patient: p, change: 'admit', by: actor.address, doctor, bed, ...(options.admittedAt !== undefined ? { at: options.admittedAt } : {}) }, (ref) => this.ledger().admit(actor, ref, doctor));
      return this.admissions.currentOf(p)!;
    });
  }

  async assignDoctor(actor: Actor, patient: string, doctorAddress: string): Promise<Admission> {
    const p = ethers.getAddress(patient);
    const doctor = ethers.getAddress(doctorAddress);
    await this.requireDoctor(doctor);
    return this.exclusively(p, async () => {
      const a = this.requireCurrent(p);
      await this.requireMayAssign(actor, a, doctor);
      if (a.responsibleDoctor === doctor) return a; // nothing changes
      await this.run(actor, { patient: p, change: 'assign-doctor', by: actor.address, doctor, bed: null }, (ref) => this.ledger().assignDoctor(actor, ref, doctor));
      return this.admissions.currentOf(p)!;
    });
  }

  async discharge(actor: Actor, patient: string): Promise<void> {
    const p = ethers.getAddress(patient);
    await this.exclusively(p, async (settled) => {
      if (settled.some((c) => c.change === 'discharge')) return;
      const a = this.requireCurrent(p);
      if (actor.role !== 'nurse' && a.responsibleDoctor !== actor.address) {
        throw new WardError('FORBIDDEN', 'Only a nurse of the ward or the patient’s responsible doctor can discharge this patient.');
      }
      await this.run(actor, { patient: p, change: 'discharge', by: actor.address, doctor: null, bed: null }, (ref) => this.ledger().discharge(actor, ref));
    });
  }

  /**
   * At start: settle every interrupted change from the chain, then bring each current admission in
   * line with the chain (a changed admissions file, or a change made elsewhere, does not decide who reads).
   */
  async reconcile(): Promise<{ settled: number; aligned: number }> {
    let settled = 0;
    for (const intent of this.journal.pending<CareIntent>(INTENT)) if (await this.settle(intent)) settled++;
    let aligned = 0;
    for (const a of this.admissions.current()) {
      // Admissions made before care relationships were on the chain have no transaction to check.
      if (!a.tx) continue;
      if (this.admissions.alignWithChain(a.patient, await this.ledger().careOf(this.patients.refOf(a.patient)))) aligned++;
    }
    if (settled || aligned) log('warn', 'care.reconciled', { settled, aligned });
    return { settled, aligned };
  }

  /**
   * One change at a time per patient. An interrupted earlier change of the patient is settled
   * first; `change` is told which ones the chain had taken (so a retry of one of them is done).
   */
  private async exclusively<T>(patient: string, change: (settled: CareIntent[]) => Promise<T>): Promise<T> {
    if (this.busy.has(patient)) throw new WardError('CONFLICT', 'Someone is changing this patient’s admission right now; try again in a moment.');
    this.busy.add(patient);
    try {
      const settled: CareIntent[] = [];
      for (const intent of this.journal.pending<CareIntent>(INTENT)) {
        if (intent.payload.patient === patient && (await this.settle(intent))) settled.push(intent.payload);
      }
      return await change(settled);
    } finally {
      this.busy.delete(patient);
    }
  }

  /** Intent → transaction by the actor → local write → intent done. */
  private async run(actor: Actor, change: CareIntent, send: (patientRef: string) => Promise<Mined>): Promise<void> {
    const ref = this.patients.refOf(change.patient);
    const intent = this.journal.begin(`${INTENT}.${change.change}`, await this.ledger().blockNumber(), change);
    let mined: Mined;
    try {
      mined = await send(ref);
    } catch (e) {
      this.journal.end(intent.id);
      throw e;
    }
    failpoint('care.sent');
    this.apply(change, { ...mined, at: change.at ?? Date.now() });
    this.journal.end(intent.id);
  }

  private apply(c: CareIntent, chain: Mined & { at: number }): void {
    if (c.change === 'admit') this.admissions.admit(c.patient, c.bed!, c.by, c.doctor, chain);
    else if (c.change === 'assign-doctor') this.admissions.assignDoctor(c.patient, c.doctor!, c.by, chain);
    else this.admissions.discharge(c.patient, c.by, chain);
  }

  /** Finish an interrupted change if the chain has it, else forget it. Returns whether it was finished. */
  private async settle(intent: Intent<CareIntent>): Promise<boolean> {
    const c = intent.payload;
    const ref = this.patients.refOf(c.patient);
    const chain = await this.ledger().careOf(ref);
    const local = this.admissions.currentOf(c.patient);
    const inEffect =
      c.change === 'admit'
        ? chain.admitted && !local
        : c.change === 'assign-doctor'
          ? chain.admitted && chain.responsibleDoctor === c.doctor && !!local && local.responsibleDoctor !== c.doctor
          : !chain.admitted && !!local;
    if (inEffect) {
      const mined = await this.ledger().findChange(ref, c.by, intent.fromBlock);
      if (!mined) throw new WardError('INTEGRITY', 'The ward chain shows a change of admission whose transaction cannot be found.');
      this.apply(c, { ...mined, at: c.at ?? intent.at });
    }
    this.journal.end(intent.id);
    return inEffect;
  }

  private requireAdmittable(patient: string, bed: string): void {
    this.admissions.requireAdmittable(patient, bed);
    // A bed whose admission is being written (or was interrupted and not settled yet) is taken too.
    const held = this.journal.pending<CareIntent>(`${INTENT}.admit`).some((i) => i.payload.bed?.toLowerCase() === bed.toLowerCase());
    if (held) throw new WardError('CONFLICT', `Bed ${bed} is being assigned right now.`, { fields: { bed: `Bed ${bed} is being assigned right now.` } });
  }

  private requireCurrent(patient: string): Admission {
    const a = this.admissions.currentOf(patient);
    if (!a) throw new WardError('NOT_FOUND', 'This patient is not admitted to the ward.');
    return a;
  }

  private async requireMayAssign(actor: Actor, a: Admission, doctor: string): Promise<void> {
    if (actor.role === 'nurse' || a.responsibleDoctor === actor.address) return;
    if (actor.role === 'doctor') {
      const vacant = !a.responsibleDoctor || !(await this.isApprovedDoctor(a.responsibleDoctor));
      if (vacant && doctor === actor.address) return;
      if (!vacant) {
        const current = await this.people.namesFor(actor).ref(a.responsibleDoctor!);
        throw new WardError(
          'FORBIDDEN',
          `This patient is in the care of ${current.name}. Only a nurse of the ward or ${current.name} can change the responsible doctor. In an emergency, open the record with break-glass access (audited).`,
        );
      }
      throw new WardError('FORBIDDEN', 'A doctor can take on a patient who has no responsible doctor for themself only; a nurse of the ward can assign another doctor.');
    }
    throw new WardError('FORBIDDEN', 'Only a nurse or the responsible doctor can change the responsible doctor.');
  }

  private async isApprovedDoctor(address: string): Promise<boolean> {
    const m = await this.identity.member(address);
    return !!m && m.role === 'doctor' && m.status === 'approved';
  }

  async requireDoctor(address: string): Promise<void> {
    if (!(await this.isApprovedDoctor(address))) {
      throw new WardError('BAD_INPUT', 'The responsible doctor must be an approved doctor of this ward.', { fields: { responsibleDoctor: 'Choose an approved doctor.' } });
    }
  }
}
