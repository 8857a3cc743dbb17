/**
 * A patient's chart: what clinicians add to it (vitals with NEWS2 on the patient's scale, notes,
 * diagnoses, amendments) and what readers see of it — the verified history a window at a time
 * (it opens on the last 72 hours of the record, earlier records on demand) and charts of any
 * period, thinned per pixel column. Every read is audited.
 */
import { ethers } from 'ethers';
import { assessVitals, previewVitals, type VitalsPreview } from '../clinical/vitalsAssessment';
import { normaliseVitals } from '../clinical/vitals';
import type { Actor } from '../identity/actor';
import type { People } from '../identity/people';
import { chartSeries, downsampleSeries, type PatientChartData } from '../model/chartSeries';
import { WardError } from '../model/errors';
import type { News2Scale } from '../model/news2';
import type { PersonRef } from '../model/people';
import type { PatientHistory, RecordContent, RecordKind, RecordView } from '../model/records';
import type { ParsedVitals } from '../model/vitals';
import { timeOfCursor, type WardStore } from '../storage/wardStore';
import type { AccessPolicy, CareRelations } from './access';
import type { AuditTrail } from './auditTrail';
import type { RecordReader } from './recordReader';
import { recordView } from './recordViews';
import type { RecordWriter } from './recordWriter';

export interface Amendment {
  recordId: string;
  reason: string;
  vitals?: ParsedVitals;
  note?: string;
  diagnosis?: { text: string; code?: string | null };
}

/** How far back a history opens, from its newest record. */
export const HISTORY_WINDOW_HOURS = 72;
/** Most records in one page of a history (a monitor every minute fills 72 hours with 4,320). */
export const HISTORY_PAGE_LIMIT = 5000;
const HOUR = 3600_000;

export interface HistoryRequest {
  breakGlassReason?: string;
  /** The `earlier` of the page before: load the records before it. */
  before?: string | null;
  /** How far back the page reaches from its newest record (default 72). */
  hours?: number;
}

export interface ChartRequest {
  breakGlassReason?: string;
  /** Period (ms since the epoch; default: the whole history). */
  from?: number;
  to?: number;
  /** Pixel columns the chart is drawn in (default 600). */
  buckets?: number;
}

export class PatientChart {
  constructor(
    private readonly store: () => WardStore,
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
    const original = await this.reader.recordOf(a.recordId);
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

  /**
   * One page of the patient's records the reader may read, verified, newest first: the last 72
   * hours of the record (from its newest record), or, with `before`, the 72 hours before that.
   * The read is audited on the chain.
   */
  async history(actor: Actor, patientAddress: string, request: HistoryRequest = {}): Promise<PatientHistory> {
    const patient = ethers.getAddress(patientAddress);
    const basis = this.access.basis(actor, patient, request.breakGlassReason);
    const store = this.store();
    const before = request.before ?? null;
    const until = before ? timeOfCursor(before) : Date.now();
    const newest = (await store.window(patient, { cursor: before, limit: 1, proofs: false })).items[0];
    const reachFrom = newest ? newest.at : until;
    const from = Math.max(0, reachFrom - (request.hours ?? HISTORY_WINDOW_HOURS) * HOUR);
    const page = await this.reader.openWindow(actor, patient, { from, cursor: before, limit: HISTORY_PAGE_LIMIT });
    // More before this page: the page was cut at its limit, or records older than `from` exist.
    let earlier = page.next;
    if (!earlier && page.last && (await store.window(patient, { cursor: page.last, limit: 1, proofs: false })).items.length) earlier = page.last;

    const names = this.people.namesFor(actor);
    const authors = new Map<string, PersonRef>();
    for (const o of page.items) if (!authors.has(o.record.author)) authors.set(o.record.author, await names.ref(o.record.author));
    const amendedBy = await store.amendmentsOfPatient(patient);
    const breakGlass = basis === 'break-glass';
    await this.audit.record(actor, patient, 'read', breakGlass ? { reason: request.breakGlassReason, breakGlass: true } : {});
    return {
      patient: await names.person(patient),
      news2Scale: this.scaleOf(patient),
      records: page.items.map((o) => recordView(o, amendedBy, (a) => authors.get(a))),
      window: { from: new Date(from).toISOString(), to: new Date(before ? reachFrom : until).toISOString(), earlier },
      breakGlass,
    };
  }

  /**
   * Charts of a period (default the whole history): every record in it is read, verified and
   * charted, then each series is thinned to the lowest and highest reading per pixel column. The
   * read is audited on the chain.
   */
  async chart(actor: Actor, patientAddress: string, request: ChartRequest = {}): Promise<PatientChartData> {
    const patient = ethers.getAddress(patientAddress);
    const basis = this.access.basis(actor, patient, request.breakGlassReason);
    const store = this.store();
    const to = request.to ?? Date.now();
    const oldest = (await store.window(patient, { order: 'asc', limit: 1, proofs: false })).items[0];
    const from = request.from ?? Math.min(oldest?.at ?? to, to);
    if (from > to) throw new WardError('BAD_INPUT', 'The chart period must start before it ends.', { fields: { from: 'Choose a start before the end.' } });
    const amendedBy = await store.amendmentsOfPatient(patient);
    const views: RecordView[] = [];
    for await (const page of this.reader.openRange(actor, patient, { from, to })) {
      for (const o of page) views.push(recordView(o, amendedBy, () => undefined));
    }
    const { series, excluded } = chartSeries(views);
    const breakGlass = basis === 'break-glass';
    await this.audit.record(actor, patient, 'read', breakGlass ? { reason: request.breakGlassReason, breakGlass: true } : {});
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      records: views.length,
      excluded,
      series: downsampleSeries(series, { from, to, buckets: request.buckets ?? 600 }),
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
    return recordView(opened, await this.store().amendmentsOfPatient(opened.record.patient), () => author);
  }
}

function diagnosisOf(text: string, code?: string | null): { text: string; code?: string } {
  return { text, ...(code ? { code } : {}) };
}
