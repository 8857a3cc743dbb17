/**
 * The ward board and the admission workflow: who is in which bed with their latest vitals and
 * NEWS2, admitting (an existing or a newly registered patient), the responsible doctor, the NEWS2
 * scale (a clinician's recorded decision) and discharge.
 */
import type { Actor } from '../identity/actor';
import type { IdentityService } from '../identity/identityService';
import type { Names, People } from '../identity/people';
import { WardError } from '../model/errors';
import type { News2Scale } from '../model/news2';
import type { PersonRef, PersonWithAge } from '../model/people';
import type { CensusRow } from '../model/ward';
import type { AccessPolicy } from '../records/access';
import type { Patients } from '../records/patients';
import type { RecordReader } from '../records/recordReader';
import type { RecordWriter } from '../records/recordWriter';
import type { Admission, Admissions } from './admissions';
import { censusRow } from './census';

export interface Admit {
  bed: string;
  responsibleDoctor?: string | null;
}

export class WardBoard {
  constructor(
    private readonly admissions: Admissions,
    private readonly identity: IdentityService,
    private readonly people: People,
    private readonly patients: Patients,
    private readonly access: AccessPolicy,
    private readonly reader: RecordReader,
    private readonly writer: RecordWriter,
  ) {}

  census(actor: Actor): Promise<CensusRow[]> {
    const names = this.people.namesFor(actor);
    return Promise.all(this.admissions.current().map((a) => this.row(actor, a, names)));
  }

  /** Registered patients not in a bed now (to admit). */
  async unadmittedPatients(actor: Actor): Promise<PersonWithAge[]> {
    const names = this.people.namesFor(actor);
    const patients = (await this.people.approved(['patient'])).filter((m) => !this.admissions.currentOf(m.address));
    return Promise.all(patients.map((m) => names.person(m.address)));
  }

  /** The ward's approved doctors (to choose a responsible doctor). */
  async doctors(actor: Actor): Promise<PersonRef[]> {
    const names = this.people.namesFor(actor);
    return Promise.all((await this.people.approved(['doctor'])).map((m) => names.ref(m.address)));
  }

  async admit(actor: Actor, patientAddress: string, a: Admit): Promise<CensusRow> {
    const patient = await this.patients.require(patientAddress);
    if (a.responsibleDoctor) await this.requireDoctor(a.responsibleDoctor);
    return this.row(actor, this.admissions.admit(patient.address, a.bed, actor.address, a.responsibleDoctor ?? null));
  }

  /**
   * Register a new patient (active at once) and admit them; `warning` when the name looks like
   * another account's.
   */
  async registerAndAdmit(actor: Actor, person: { name: string; age: number; password: string }, a: Admit): Promise<CensusRow & { warning?: string }> {
    if (a.responsibleDoctor) await this.requireDoctor(a.responsibleDoctor);
    if (this.admissions.current().some((x) => x.bed.toLowerCase() === a.bed.toLowerCase())) {
      throw new WardError('CONFLICT', `Bed ${a.bed} is already occupied.`, { fields: { bed: `Bed ${a.bed} is already occupied.` } });
    }
    const reg = await this.identity.register({ role: 'patient', ...person });
    const admitted = await this.row(actor, this.admissions.admit(reg.address, a.bed, actor.address, a.responsibleDoctor ?? null));
    return reg.warning ? { ...admitted, warning: reg.warning } : admitted;
  }

  async assignDoctor(actor: Actor, patient: string, doctor: string): Promise<CensusRow> {
    await this.requireDoctor(doctor);
    return this.row(actor, this.admissions.assignDoctor(patient, doctor));
  }

  /** Set the NEWS2 SpO2 scale; the decision and its reason are recorded as a note in the chart. */
  async setNews2Scale(actor: Actor, patient: string, scale: News2Scale, reason: string): Promise<CensusRow> {
    this.access.requireWrite(actor, patient);
    const a = this.admissions.setScale(patient, scale, actor.address);
    await this.writer.create(actor, patient, 'note', { note: `NEWS2 SpO2 scale set to Scale ${scale}. Reason: ${reason}` });
    return this.row(actor, a);
  }

  discharge(actor: Actor, patient: string): void {
    this.admissions.discharge(patient, actor.address);
  }

  private async row(actor: Actor, a: Admission, names: Names = this.people.namesFor(actor)): Promise<CensusRow> {
    const latest = await this.reader.latestVitals(actor, a.patient);
    return censusRow(a, await names.person(a.patient), a.responsibleDoctor ? await names.person(a.responsibleDoctor) : null, latest?.sealed ?? null, Date.now());
  }

  private async requireDoctor(address: string): Promise<void> {
    const m = await this.identity.member(address);
    if (!m || m.role !== 'doctor' || m.status !== 'approved') {
      throw new WardError('BAD_INPUT', 'The responsible doctor must be an approved doctor of this ward.', { fields: { responsibleDoctor: 'Choose an approved doctor.' } });
    }
  }
}
