/**
 * Vitals entry as a nurse lives it: a set half-typed survives a lock, a reload and going to
 * another screen, and a reload in the middle of a save learns that the set was saved.
 *
 * Where drafts live (a decision): in the core's memory only, per session. A draft is unsigned
 * PHI; the browser's storage would keep it in the clear on disk (and the desktop shell's
 * renderer profile too), and sealing it for the disk would need a key the locked session no
 * longer holds. The session survives a lock and a reload (its token stays in the tab), so its
 * drafts do; logging out ends the session and the drafts go with it (a WeakMap keyed by the
 * session object holds nothing once the session is gone), and so does a restart of the core.
 * Drafts older than DRAFT_HOURS are dropped.
 */
import { ethers } from 'ethers';
import { callsForEscalation } from '../clinical/news2';
import type { Actor } from '../identity/actor';
import type { Session } from '../identity/sessions';
import { WardError } from '../model/errors';
import type { DraftForm, ObservationInput } from '../model/observations';
import type { RecordView } from '../model/records';
import type { DraftView } from '../model/ward';
import type { PatientChart } from '../records/patientChart';

export const DRAFT_HOURS = 12;

interface Draft {
  form: DraftForm;
  updatedAt: number;
  state: DraftView['state'];
  submissionId: string | null;
  saving: Promise<RecordView> | null;
  saved: RecordView | null;
  error: string | null;
}

export class ObservationDrafts {
  private readonly bySession = new WeakMap<Session, Map<string, Draft>>();

  constructor(
    private readonly chart: PatientChart,
    private readonly now: () => number = Date.now,
  ) {}

  /** The session's draft for this patient, or null. */
  get(session: Session, patient: string): DraftView | null {
    const d = this.draftsOf(session).get(ethers.getAddress(patient));
    return d ? viewOf(d) : null;
  }

  /** Keep what is typed so far (a new draft after a saved set starts afresh). */
  put(session: Session, patient: string, form: DraftForm): DraftView {
    const drafts = this.draftsOf(session);
    const key = ethers.getAddress(patient);
    const d = drafts.get(key);
    if (d?.state === 'saving') throw new WardError('CONFLICT', 'This set is being saved; wait for the save to finish.');
    const next: Draft = { form, updatedAt: this.now(), state: 'editing', submissionId: null, saving: null, saved: null, error: null };
    drafts.set(key, next);
    return viewOf(next);
  }

  discard(session: Session, patient: string): void {
    this.draftsOf(session).delete(ethers.getAddress(patient));
  }

  /**
   * Save a set through the patient's chart, remembering how it went for this session: a reload
   * during the save finds the draft 'saving', then 'saved' with the record. Submitting the same
   * submission again (a retry after a reload) returns the record already saved, never a second one.
   */
  async save(session: Session, actor: Actor, patient: string, input: ObservationInput, submissionId: string | null): Promise<RecordView> {
    const drafts = this.draftsOf(session);
    const key = ethers.getAddress(patient);
    const d = drafts.get(key);
    if (submissionId && d?.submissionId === submissionId) {
      if (d.saved) return d.saved;
      if (d.saving) return d.saving;
    }
    if (d?.state === 'saving') throw new WardError('CONFLICT', 'A set for this patient is already being saved.');
    const draft: Draft = { form: d?.form ?? {}, updatedAt: this.now(), state: 'saving', submissionId, saving: null, saved: null, error: null };
    drafts.set(key, draft);
    try {
      draft.saving = this.chart.addVitals(actor, key, input);
      const view = await draft.saving;
      Object.assign(draft, { state: 'saved', saved: view, saving: null, updatedAt: this.now() });
      return view;
    } catch (e) {
      Object.assign(draft, { state: 'failed', saving: null, error: e instanceof WardError ? e.message : 'The set could not be saved.' });
      throw e;
    }
  }

  /** The session's drafts, without those left untouched for DRAFT_HOURS. */
  private draftsOf(session: Session): Map<string, Draft> {
    let drafts = this.bySession.get(session);
    if (!drafts) {
      drafts = new Map();
      this.bySession.set(session, drafts);
    }
    const stale = this.now() - DRAFT_HOURS * 3600_000;
    for (const [k, d] of drafts) if (d.updatedAt < stale && d.state !== 'saving') drafts.delete(k);
    return drafts;
  }
}

function viewOf(d: Draft): DraftView {
  const news2 = d.saved?.content?.news2 ?? null;
  return {
    form: d.form,
    updatedAt: new Date(d.updatedAt).toISOString(),
    state: d.state,
    submissionId: d.submissionId,
    saved: d.saved
      ? { recordId: d.saved.id, savedAt: d.saved.createdAt, measuredAt: d.saved.measuredAt, news2, escalate: news2 ? callsForEscalation(news2) : false }
      : null,
    error: d.error,
  };
}
