/**
 * The ward board and the admission workflow: who is in which bed, where their observations stand
 * (last complete NEWS2 set, newer readings, due time, records that failed verification), admitting
 * (an existing or a newly registered patient), the responsible doctor, the NEWS2 scale (a
 * clinician's recorded decision) and discharge. A row shows in full only what its viewer may open,
 * and showing it is audited (boardVisibility.ts); care changes go through CareChanges.
 */
import type { Actor } from '../identity/actor';
import type { IdentityService } from '../identity/identityService';
import type { Names, People } from '../identity/people';
import { WardError } from '../model/errors';
import type { News2Scale } from '../model/news2';
import type { PersonRef, PersonWithAge } from '../model/people';
import type { CensusRow } from '../model/ward';
import type { AccessPolicy } from '../records/access';
import type { AuditTrail } from '../records/auditTrail';
import type { Patients } from '../records/patients';
import type { RecordWriter } from '../records/recordWriter';
import { personRef } from '../identity/people';
import type { Admission, Admissions } from './admissions';
import type { Census } from './census';
import type { CareChanges } from './careChanges';
import { restrictedRow } from './boardVisibility';
import { activationSecret, newActivationCode } from '../identity/activationCode';

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
    private readonly observations: Census,
    private readonly writer: RecordWriter,
    private readonly care: CareChanges,
    private readonly audit: AuditTrail,
  ) {}

  async census(actor: Actor): Promise<CensusRow[]> {
    const names = this.people.namesFor(actor);
    const rows = await Promise.all(this.admissions.current().map((a) => this.row(actor, a, names)));
    await this.audit.recordShown(actor, rows.filter((r) => !r.restricted).map((r) => r.patient.address));
    return rows;
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
    return this.row(actor, await this.care.admit(actor, patient.address, a.bed, a.responsibleDoctor ?? null));
  }

  /** Admit a patient transferred from another ward (not registered on this one: records/careTransfer.ts checks the transfer). */
  async admitTransferred(actor: Actor, patient: string, a: Admit): Promise<CensusRow> {
    return this.row(actor, await this.care.admit(actor, patient, a.bed, a.responsibleDoctor ?? null));
  }

  /**
   * Register a new patient (active at once) and admit them; `warning` when the name is the same
   * as, or looks like, another account's. The patient's key is created under a one-time
   * activation code, returned once for the nurse to hand over; the patient replaces it with their
   * own password at first login.
   */
  async registerAndAdmit(
    actor: Actor,
    person: { name: string; dob: string; hospitalNumber: string },
    a: Admit,
  ): Promise<CensusRow & { warning?: string; activationCode: string }> {
    if (a.responsibleDoctor) await this.care.requireDoctor(a.responsibleDoctor);
    if (this.admissions.current().some((x) => x.bed.toLowerCase() === a.bed.toLowerCase())) {
      throw new WardError('CONFLICT', `Bed ${a.bed} is already occupied.`, { fields: { bed: `Bed ${a.bed} is already occupied.` } });
    }
    const code = newActivationCode();
    const reg = await this.identity.register({ role: 'patient', ...person, password: activationSecret(code), activation: true });
    const admitted = await this.row(actor, await this.care.admit(actor, reg.address, a.bed, a.responsibleDoctor ?? null));
    return { ...admitted, activationCode: code, ...(reg.warning ? { warning: reg.warning } : {}) };
  }

  async assignDoctor(actor: Actor, patient: string, doctor: string): Promise<CensusRow> {
    return this.row(actor, await this.care.assignDoctor(actor, patient, doctor));
  }

  /** Set the NEWS2 SpO2 scale; the decision and its reason are recorded as a note in the chart. */
  async setNews2Scale(actor: Actor, patient: string, scale: News2Scale, reason: string): Promise<CensusRow> {
    this.access.requireWrite(actor, patient);
    const a = this.admissions.setScale(patient, scale, actor.address);
    await this.writer.create(actor, patient, 'note', { note: `NEWS2 SpO2 scale set to Scale ${scale}. Reason: ${reason}` });
    return this.row(actor, a);
  }

  discharge(actor: Actor, patient: string): Promise<void> {
    return this.care.discharge(actor, patient);
  }

  private async row(actor: Actor, a: Admission, names: Names = this.people.namesFor(actor)): Promise<CensusRow> {
    const doctor = a.responsibleDoctor ? await names.person(a.responsibleDoctor) : null;
    if (!this.access.mayRead(actor, a.patient)) return restrictedRow(a, doctor);
    return {
      restricted: false,
      patient: await names.person(a.patient),
      bed: a.bed,
      admittedAt: new Date(a.admittedAt).toISOString(),
      responsibleDoctor: doctor ? personRef(doctor) : null,
      news2Scale: a.news2Scale,
      observations: await this.observations.status(actor, a),
    };
  }
}
