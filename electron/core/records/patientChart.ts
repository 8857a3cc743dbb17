/**
 * A patient's chart: what clinicians add to it (vitals with NEWS2 on the patient's scale, notes,
 * diagnoses, amendments, escalations) and what readers see of it — the verified history a window
 * at a time (it opens on the last 72 hours of the record, earlier records on demand) and charts of
 * any period, thinned per pixel column. Every read is audited.
 */
import { ethers } from 'ethers';
import { observationContent, previewObservation } from '../clinical/vitalsAssessment';
import type { Actor } from '../identity/actor';
import type { Names, People } from '../identity/people';
import { chartSeries, downsampleSeries, readingsExtent, type PatientChartData } from '../model/chartSeries';
import { WardError } from '../model/errors';
import type { News2Scale } from '../model/news2';
import { FUTURE_TOLERANCE_SECONDS, type EscalationInput, type ObservationInput, type VitalsPreview } from '../model/observations';
import type { PersonRef } from '../model/people';
import type { PatientHistory, RecordContent, RecordKind, RecordView } from '../model/records';
import { cursorAt, timeOfCursor, type WardStore } from '../storage/wardStore';
import type { AccessBasis, AccessPolicy, CareRelations } from './access';
import type { AuditTrail } from './auditTrail';
import type { ChainCheck } from './chainCheck';
import type { OpenedRecord } from './provenance';
import type { RecordReader } from './recordReader';
import { measuredAtOf, recordView, verifiedCorrections } from './recordViews';
import type { RecordWriter } from './recordWriter';

export interface Amendment extends Partial<Omit<ObservationInput, 'vitals'>> {
  recordId: string;
  reason: string;
  vitals?: ObservationInput['vitals'];
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
    private readonly check: Pick<ChainCheck, 'patientCheck' | 'giveWayTo'>,
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
    const target = (await this.store().entry(e.forRecord, { proofs: false }))?.record;
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
    const original = await this.reader.recordOf(a.recordId);
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

  /**
   * One page of the patient's records the reader may read, verified, newest first: the last 72
   * hours of the record (from its newest record), or, with `before`, the 72 hours before that.
   * The read is audited on the chain. The patient's data is checked against the ward chain while
   * the page is decrypted: consent as the chain has it decides who is given the page, and what
   * differs is in `storeCheck` (the reply waits for the whole check).
   */
  async history(actor: Actor, patientAddress: string, request: HistoryRequest = {}): Promise<PatientHistory> {
    const patient = ethers.getAddress(patientAddress);
    const names = this.people.namesFor(actor);
    const before = request.before ?? null;
    const until = before ? timeOfCursor(before) : Date.now();
    const store = this.store();
    // The page's records as stored (nothing decrypted): the newest page is also what the patient's
    // store check scans, read once for both.
    const newest = (await store.window(patient, { cursor: before, limit: 1, proofs: false })).items[0];
    const reachFrom = newest ? newest.at : until;
    const from = Math.max(0, reachFrom - (request.hours ?? HISTORY_WINDOW_HOURS) * HOUR);
    const read = store.window(patient, { from, cursor: before, limit: HISTORY_PAGE_LIMIT, proofs: false });
    read.catch(() => undefined);
    const check = this.check.patientCheck(patient, before ? undefined : read.then((p) => p.items));
    // Access as this store's consent has it starts the decryption, and the read is audited from
    // then on (the core opens records on the reader's behalf: an access, never a missing one);
    // access as the chain has it (once the check corrected the store: it only ever takes grants
    // away) decides before anything leaves the core.
    const started = await this.basisNamingPatient(actor, patient, names, request.breakGlassReason);
    let audited = this.auditRead(actor, patient, started === 'break-glass', request.breakGlassReason);
    const opening = read.then((p) => this.reader.openEntries(actor, p.items, { page: true }));
    opening.catch(() => undefined);
    // The start's sweep over older batches waits while the page is decrypted (a person waits for it).
    this.check.giveWayTo(opening);
    await check.consent;
    const basis = await this.basisNamingPatient(actor, patient, names, request.breakGlassReason);
    const breakGlass = basis === 'break-glass';
    // Read on another basis than it started on (a grant the chain no longer has, break-glass given): audited as that too.
    if (basis !== started) audited = Promise.all([audited, this.auditRead(actor, patient, breakGlass, request.breakGlassReason)]).then(() => undefined);
    const stored = await read;
    const last = stored.items.at(-1);
    const page = { items: await opening, next: stored.next, last: last ? cursorAt(last) : null };
    // More before this page: the page was cut at its limit, or records older than `from` exist.
    let earlier = page.next;
    if (!earlier && page.last && (await store.window(patient, { cursor: page.last, limit: 1, proofs: false })).items.length) earlier = page.last;

    // An extra copy of a record (the store was altered) is not shown twice.
    const shown = new Set<string>();
    page.items = page.items.filter((o) => !shown.has(o.record.id) && !!shown.add(o.record.id));
    const authors = new Map<string, PersonRef>();
    // A station's readings show the device name they were signed with (recordView): its directory entry is not opened.
    for (const o of page.items) if (o.record.authorRole !== 'station' && !authors.has(o.record.author)) authors.set(o.record.author, await names.ref(o.record.author));
    const corrections = await this.verifiedCorrectionsOf(actor, patient, page.items);
    const storeCheck = await check.result;
    await audited;
    return {
      patient: await names.person(patient),
      news2Scale: this.scaleOf(patient),
      // An author this ward knows in another role (staff of another ward, for whom the directory has
      // only a pseudonym: a transfer of care) is shown by the name and role signed in the record.
      records: page.items.map((o) => recordView(o, corrections.get(o.record.id) ?? [], (a) => {
        const known = authors.get(a);
        return known && known.role === o.record.authorRole ? known : undefined;
      })),
      window: { from: new Date(from).toISOString(), to: new Date(before ? reachFrom : until).toISOString(), earlier },
      breakGlass,
      readOnly: this.access.writeRefusal(actor, patient, basis),
      storeCheck,
    };
  }

  /**
   * Charts of a period (default the whole history): every record in it is read, verified and
   * charted, then each series is thinned to the lowest and highest reading per pixel column. The
   * read is audited on the chain.
   */
  async chart(actor: Actor, patientAddress: string, request: ChartRequest = {}): Promise<PatientChartData> {
    const patient = ethers.getAddress(patientAddress);
    const basis = await this.basisNamingPatient(actor, patient, this.people.namesFor(actor), request.breakGlassReason);
    const store = this.store();
    const to = request.to ?? Date.now();
    const oldest = (await store.window(patient, { order: 'asc', limit: 1, proofs: false })).items[0];
    const from = request.from ?? Math.min(oldest?.at ?? to, to);
    if (from > to) throw new WardError('BAD_INPUT', 'The chart period must start before it ends.', { fields: { from: 'Choose a start before the end.' } });
    const breakGlass = basis === 'break-glass';
    const audited = this.auditRead(actor, patient, breakGlass, request.breakGlassReason);
    const opened: OpenedRecord[] = [];
    for await (const page of this.reader.openRange(actor, patient, { from, to })) opened.push(...page);
    const corrections = await this.verifiedCorrectionsOf(actor, patient, opened);
    const views = opened.map((o) => recordView(o, corrections.get(o.record.id) ?? [], () => undefined));
    const { series, excluded, oxygen } = chartSeries(views);
    // Periods are read by the time records were stored, and charted by the time they were taken:
    // the whole record reaches back to its earliest reading (a set entered late was taken before
    // the first record was stored); a period drops a late set taken before it began.
    const start = request.from ?? Math.min(from, readingsExtent(series)?.from ?? from);
    await audited;
    return {
      from: new Date(start).toISOString(),
      to: new Date(to).toISOString(),
      records: views.length,
      excluded,
      series: downsampleSeries(series, { from: start, to, buckets: request.buckets ?? 600 }),
      oxygen,
    };
  }

  /**
   * The read's audit, sent once access is decided and awaited before the reply: its transaction is
   * mined on the chain's thread while this thread reads and verifies the records. Nothing leaves
   * the core before the read is on the chain and in the local index; a read that fails after access
   * was granted is audited all the same (an access, never a missing one). A failed audit fails the
   * read when awaited; until then its rejection is held here, not left unhandled.
   */
  private auditRead(actor: Actor, patient: string, breakGlass: boolean, reason: string | undefined): Promise<void> {
    const audited = this.audit.record(actor, patient, 'read', breakGlass ? { reason, breakGlass: true } : {});
    audited.catch(() => undefined);
    return audited;
  }

  /**
   * Records among `shown` corrected by a later record that verified (see verifiedCorrections). A
   * correction can lie outside the window shown (a set measured at the window's edge, corrected
   * later): those are found in the store's amendment index and verified too.
   */
  private async verifiedCorrectionsOf(actor: Actor, patient: string, shown: readonly OpenedRecord[]): Promise<Map<string, string[]>> {
    const index = await this.store().amendmentsOfPatient(patient);
    if (index.size === 0) return verifiedCorrections(shown);
    const ids = new Set(shown.map((o) => o.record.id));
    const outside = new Set<string>();
    for (const o of shown) for (const id of index.get(o.record.id) ?? []) if (!ids.has(id)) outside.add(id);
    const more = await Promise.all([...outside].map((id) => this.reader.openOne(actor, id)));
    return verifiedCorrections([...shown, ...more]);
  }

  /**
   * The access basis; where only break-glass would open the record, the refusal names the patient
   * (name, date of birth, hospital number: details.patient) so the clinician can check it is the
   * person in front of them before overriding access. Nothing clinical is in it.
   */
  private async basisNamingPatient(actor: Actor, patient: string, names: Names, breakGlassReason?: string): Promise<AccessBasis> {
    try {
      return this.access.basis(actor, patient, breakGlassReason);
    } catch (e) {
      if (!(e instanceof WardError) || e.details?.breakGlassAvailable !== true) throw e;
      const { name, age, dob, hospitalNumber } = await names.person(patient);
      throw new WardError(e.code, e.message, { ...e.details, patient: { address: patient, name, age, dob, hospitalNumber } });
    }
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
    // A record just written or opened alone: corrections are listed as stored (not yet verified here).
    return recordView(opened, await this.store().amendmentsOf(id), () => author);
  }
}

function diagnosisOf(text: string, code?: string | null): { text: string; code?: string } {
  return { text, ...(code ? { code } : {}) };
}
