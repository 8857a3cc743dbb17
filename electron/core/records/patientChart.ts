/**
 * A patient's chart: what clinicians add to it (vitals with NEWS2 on the patient's scale, notes,
 * diagnoses, amendments, escalations) and what readers see of it (the verified history, audited).
 */
import { ethers } from 'ethers';
import { observationContent, previewObservation } from '../clinical/vitalsAssessment';
import type { Actor } from '../identity/actor';
import type { People } from '../identity/people';
import { WardError } from '../model/errors';
import type { News2Scale } from '../model/news2';
import { FUTURE_TOLERANCE_SECONDS, type EscalationInput, type ObservationInput, type VitalsPreview } from '../model/observations';
import type { PersonRef } from '../model/people';
import type { PatientHistory, RecordContent, RecordKind, RecordView } from '../model/records';
import type { AccessPolicy, CareRelations } from './access';
import type { AuditTrail } from './auditTrail';
import type { OpenedRecord } from './provenance';
import type { RecordReader } from './recordReader';
import type { RecordStore } from './recordStore';
import { measuredAtOf, recordView, supersededIds } from './recordViews';
import type { RecordWriter } from './recordWriter';

export interface Amendment extends Partial<Omit<ObservationInput, 'vitals'>> {
  recordId: string;
  reason: string;
  vitals?: ObservationInput['vitals'];
  note?: string;
  diagnosis?: { text: string; code?: string | null };
}

export class PatientChart {
  constructor(
    private readonly store: RecordStore,
    private readonly access: AccessPolicy,
    private readonly reader: RecordReader,
    private readonly writer: RecordWriter,
    private readonly audit: AuditTrail,
    private readonly people: People,
    private readonly care: CareRelations,
  ) {}

  /** The NEWS2 scale in force for a patient (Scale 1 unless a clinician chose Scale 2). */
  scaleOf(patient: string): News2Scale {
    return this.care.currentOf(patient)?.news2Scale ?? 1;
  }

  /** A set as typed, for the live NEWS2 and the form's questions while entering it (nothing is written). */
  preview(patient: string | null, input: ObservationInput): VitalsPreview {
    return previewObservation(input, patient ? this.scaleOf(patient) : 1, Date.now());
  }

  /** A hand-entered set, through the one vitals path, on the patient's NEWS2 scale. */
  async addVitals(actor: Actor, patient: string, input: ObservationInput): Promise<RecordView> {
    this.access.requireWrite(actor, patient);
    return this.add(actor, patient, 'vitals', observationContent(input, this.scaleOf(patient), { kind: 'entered', now: Date.now() }));
  }

  /**
   * Who was informed of a worrying score, when and how they responded, signed by the nurse or
   * doctor who escalated, tied to the vitals record that prompted it.
   */
  async addEscalation(actor: Actor, patient: string, e: EscalationInput): Promise<RecordView> {
    this.access.requireWrite(actor, patient);
    const p = ethers.getAddress(patient);
    const target = this.store.records.get(e.forRecord);
    if (!target || target.patient !== p || (target.kind !== 'vitals' && target.kind !== 'amendment')) {
      throw new WardError('BAD_INPUT', 'An escalation belongs to a vitals record of this patient.', { fields: { forRecord: 'Choose the observation set that prompted it.' } });
    }
    const informedAt = Date.parse(e.informedAt);
    if (informedAt > Date.now() + FUTURE_TOLERANCE_SECONDS * 1000) {
      throw new WardError('BAD_INPUT', 'The time they were informed cannot be in the future.', { fields: { informedAt: 'The time they were informed cannot be in the future.' } });
    }
    const informed = { name: e.informed.name, role: e.informed.role, ...(e.informed.address ? { address: ethers.getAddress(e.informed.address) } : {}) };
    return this.add(actor, p, 'escalation', { escalation: { forRecord: e.forRecord, informed, informedAt: new Date(informedAt).toISOString(), response: e.response } });
  }

  addNote(actor: Actor, patient: string, text: string): Promise<RecordView> {
    return this.add(actor, patient, 'note', { note: text });
  }

  addDiagnosis(actor: Actor, patient: string, text: string, code?: string | null): Promise<RecordView> {
    return this.add(actor, patient, 'diagnosis', { diagnosis: diagnosisOf(text, code) });
  }

  /** A correction: a new record that amends the original (nothing is rewritten), audited. */
  async amend(actor: Actor, a: Amendment): Promise<RecordView> {
    const original = this.reader.recordOf(a.recordId);
    this.access.requireWrite(actor, original.patient);
    if (original.kind === 'escalation') {
      throw new WardError('BAD_INPUT', 'An escalation is corrected by recording another escalation.', { fields: { _: 'Record a new escalation instead.' } });
    }
    const content: RecordContent = { reason: a.reason };
    if (a.vitals !== undefined) {
      // The correction keeps the time the original set was taken unless the time itself is corrected.
      const opened = await this.reader.openOne(actor, original.id);
      const amending = { measuredAt: opened.sealed ? measuredAtOf(opened.sealed.content, original.createdAt) : new Date(original.createdAt).toISOString() };
      const { vitals, takenAt, lateEntryReason, confirmed, missingReason } = a;
      const corrected = observationContent({ vitals, takenAt, lateEntryReason, confirmed, missingReason }, this.scaleOf(original.patient), { kind: 'entered', now: Date.now(), amending });
      Object.assign(content, corrected);
    }
    if (a.note) content.note = a.note;
    if (a.diagnosis) content.diagnosis = diagnosisOf(a.diagnosis.text, a.diagnosis.code);
    if (!content.vitals && !content.note && !content.diagnosis) {
      throw new WardError('BAD_INPUT', 'An amendment needs the corrected vitals, note or diagnosis.', { fields: { _: 'Give the corrected content.' } });
    }
    const r = await this.writer.create(actor, original.patient, 'amendment', content, { amends: original.id });
    await this.audit.record(actor, original.patient, 'amend');
    return this.view(actor, r.id);
  }

  /** Every record of the patient the reader may read, verified; the read is audited on the chain. */
  async history(actor: Actor, patientAddress: string, breakGlassReason?: string): Promise<PatientHistory> {
    const patient = ethers.getAddress(patientAddress);
    const basis = this.access.basis(actor, patient, breakGlassReason);
    const opened = await this.reader.openAll(actor, patient);
    const names = this.people.namesFor(actor);
    const authors = new Map<string, PersonRef>();
    for (const o of opened) if (!authors.has(o.record.author)) authors.set(o.record.author, await names.ref(o.record.author));
    const breakGlass = basis === 'break-glass';
    await this.audit.record(actor, patient, 'read', breakGlass ? { reason: breakGlassReason, breakGlass: true } : {});
    const superseded = supersededIds(opened);
    return {
      patient: await names.person(patient),
      news2Scale: this.scaleOf(patient),
      records: opened.map((o) => recordView(o, this.store, (a) => authors.get(a), superseded.has(o.record.id))),
      breakGlass,
    };
  }

  /** Write a record for a patient the writer may write for; the reply shows it as readers see it. */
  private async add(actor: Actor, patient: string, kind: RecordKind, content: RecordContent): Promise<RecordView> {
    this.access.requireWrite(actor, patient);
    const r = await this.writer.create(actor, patient, kind, content);
    return this.view(actor, r.id);
  }

  private async view(actor: Actor, id: string): Promise<RecordView> {
    const opened: OpenedRecord = await this.reader.openOne(actor, id);
    const author = await this.people.namesFor(actor).ref(opened.record.author);
    return recordView(opened, this.store, () => author, false);
  }
}

function diagnosisOf(text: string, code?: string | null): { text: string; code?: string } {
  return { text, ...(code ? { code } : {}) };
}
