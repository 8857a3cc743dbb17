/**
 * A patient's chart: what clinicians add to it (vitals with NEWS2 on the patient's scale, notes,
 * diagnoses, amendments) and what readers see of it (the verified history, audited).
 */
import { ethers } from 'ethers';
import { assessVitals, previewVitals, type VitalsPreview } from '../clinical/vitalsAssessment';
import { normaliseVitals } from '../clinical/vitals';
import type { Actor } from '../identity/actor';
import type { People } from '../identity/people';
import { WardError } from '../model/errors';
import type { News2Scale } from '../model/news2';
import type { PersonRef } from '../model/people';
import type { PatientHistory, RecordContent, RecordKind, RecordView } from '../model/records';
import type { ParsedVitals } from '../model/vitals';
import type { AccessPolicy, CareRelations } from './access';
import type { AuditTrail } from './auditTrail';
import type { RecordReader } from './recordReader';
import type { RecordStore } from './recordStore';
import { recordView } from './recordViews';
import type { RecordWriter } from './recordWriter';

export interface Amendment {
  recordId: string;
  reason: string;
  vitals?: ParsedVitals;
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

  /** Vitals as typed, for the live NEWS2 while entering them (nothing is written). */
  preview(patient: string | null, input: unknown): VitalsPreview {
    return previewVitals(input, patient ? this.scaleOf(patient) : 1);
  }

  addVitals(actor: Actor, patient: string, vitals: ParsedVitals): Promise<RecordView> {
    return this.add(actor, patient, 'vitals', assessVitals(normaliseVitals(vitals), this.scaleOf(patient)));
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
    const content: RecordContent = { reason: a.reason };
    if (a.vitals !== undefined) Object.assign(content, assessVitals(normaliseVitals(a.vitals), this.scaleOf(original.patient)));
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
    return {
      patient: await names.person(patient),
      news2Scale: this.scaleOf(patient),
      records: opened.map((o) => recordView(o, this.store, (a) => authors.get(a))),
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
    const opened = await this.reader.openOne(actor, id);
    const author = await this.people.namesFor(actor).ref(opened.record.author);
    return recordView(opened, this.store, () => author);
  }
}

function diagnosisOf(text: string, code?: string | null): { text: string; code?: string } {
  return { text, ...(code ? { code } : {}) };
}
