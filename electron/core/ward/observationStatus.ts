/**
 * Where a patient's observations stand, for the ward board and the doctors' lists — one
 * computation for both, so they never disagree:
 *
 *  - The observation clock runs from the last complete NEWS2 set in force (a correction replaces
 *    the set it amends; its time is the original's). Device and partial readings are shown beside
 *    it and never reset the clock; a newer reading that already reaches a higher band than the
 *    last complete set raises the risk shown and brings the next set forward.
 *  - Scores are the ones stored with each record, on the scale they were computed on (records
 *    written before every path stored one are scored on the patient's scale, in one place:
 *    clinical/vitalsAssessment.ts news2Of).
 *  - A record that fails verification is listed, never stepped over silently: the board shows the
 *    patient's last verified set *and* the warning.
 *
 * The scan goes from the newest record written back to the last complete set (a set is never
 * written before it is measured, so nothing older can be newer clinically), and never past the
 * admission (earlier stays do not time this one).
 */
import { BAND_RANK, callsForEscalation, monitoringIntervalMinutes } from '../clinical/news2';
import { news2Of } from '../clinical/vitalsAssessment';
import type { News2Band, News2Scale } from '../model/news2';
import type { ProvenanceStatus, RecordContent, RecordKind } from '../model/records';
import type { ObservationStatus, ObservationSummary, UnverifiedRecord } from '../model/ward';

/** What the scan needs of one record (OpenedRecord, flattened so the rule can be tested alone). */
export interface ScannedRecord {
  id: string;
  kind: RecordKind;
  /** When it was written (ms). */
  createdAt: number;
  authorRole: string;
  /** The record it corrects, or null. */
  amends: string | null;
  status: ProvenanceStatus;
  problem: string | null;
  /** Null when it cannot be read (tampered, or not readable with this reader's keys). */
  content: RecordContent | null;
}

/** Unverified records listed per patient (the count beyond is still flagged by the first). */
const MAX_UNVERIFIED = 10;
/** With no set since admission, the first full set is due within an hour. */
const FIRST_SET_MINUTES = 60;

export async function observationStatus(
  newestFirst: AsyncIterable<ScannedRecord>,
  knownFailures: readonly ScannedRecord[],
  admission: { admittedAt: number; news2Scale: News2Scale },
  now: number,
): Promise<ObservationStatus> {
  const superseded = new Set<string>();
  const escalations: Array<{ recordId: string; forRecord: string; informedAt: string; informed: string }> = [];
  const unverified = new Map<string, UnverifiedRecord>();
  let lastComplete: ObservationSummary | null = null;
  let newestPartial: ObservationSummary | null = null;

  for await (const r of newestFirst) {
    if (r.createdAt < admission.admittedAt) break;
    if (lastComplete && r.createdAt < Date.parse(lastComplete.measuredAt)) break;
    if (r.status === 'tampered') {
      unverified.set(r.id, unverifiedOf(r));
      continue;
    }
    const c = r.content;
    if (!c) continue; // not readable with this reader's keys (e.g. written after a grant was revoked)
    if (r.amends) superseded.add(r.amends);
    if (c.escalation) {
      escalations.push({ recordId: r.id, forRecord: c.escalation.forRecord, informedAt: c.escalation.informedAt, informed: `${c.escalation.informed.name} (${c.escalation.informed.role})` });
      continue;
    }
    if (!c.vitals || superseded.has(r.id)) continue;
    const summary: ObservationSummary = {
      recordId: r.id,
      measuredAt: c.measuredAt ?? new Date(r.createdAt).toISOString(),
      vitals: c.vitals,
      news2: news2Of({ vitals: c.vitals, news2: c.news2 }, admission.news2Scale),
      source: r.authorRole === 'station' ? 'monitor' : c.device ? 'device' : 'entered',
      correction: r.amends !== null,
    };
    if (summary.news2.complete) {
      if (!lastComplete || summary.measuredAt > lastComplete.measuredAt) lastComplete = summary;
    } else if (!newestPartial || summary.measuredAt > newestPartial.measuredAt) {
      newestPartial = summary;
    }
  }
  for (const f of knownFailures) if (!unverified.has(f.id) && f.createdAt >= admission.admittedAt) unverified.set(f.id, unverifiedOf(f));

  const newerReading = newestPartial && (!lastComplete || newestPartial.measuredAt > lastComplete.measuredAt) ? newestPartial : null;
  let risk: News2Band | null = lastComplete?.news2.band ?? null;
  let due = lastComplete
    ? Date.parse(lastComplete.measuredAt) + monitoringIntervalMinutes(lastComplete.news2.band!, lastComplete.news2.aggregate) * 60_000
    : admission.admittedAt + FIRST_SET_MINUTES * 60_000;
  let riskFromNewerReading = false;
  if (newerReading) {
    const floor = newerReading.news2.minimumBand;
    if (floor !== 'low' && BAND_RANK[floor] > BAND_RANK[risk ?? 'low']) {
      risk = floor;
      riskFromNewerReading = true;
      due = Math.min(due, Date.parse(newerReading.measuredAt) + monitoringIntervalMinutes(floor, null) * 60_000);
    }
  }

  const deciding = riskFromNewerReading ? newerReading : lastComplete;
  const escalation = deciding
    ? (escalations.find((e) => e.forRecord === deciding.recordId || e.informedAt >= deciding.measuredAt) ?? null)
    : null;
  return {
    lastComplete,
    newerReading,
    risk,
    riskFromNewerReading,
    dueAt: new Date(due).toISOString(),
    overdue: now >= due,
    escalationDue: !!deciding && callsForEscalation(deciding.news2) && !escalation,
    escalation: escalation && { recordId: escalation.recordId, informedAt: escalation.informedAt, informed: escalation.informed },
    unverified: [...unverified.values()].sort((a, b) => b.recordedAt.localeCompare(a.recordedAt)).slice(0, MAX_UNVERIFIED),
  };
}

function unverifiedOf(r: ScannedRecord): UnverifiedRecord {
  return { recordId: r.id, kind: r.kind, recordedAt: new Date(r.createdAt).toISOString(), status: r.status, problem: r.problem ?? 'It failed verification.' };
}

/** Deteriorating, unverified, overdue or awaiting an escalation: such patients are listed first. */
export function needsAttention(s: ObservationStatus): boolean {
  return BAND_RANK[s.risk ?? 'low'] >= BAND_RANK['low-medium'] || s.unverified.length > 0 || s.overdue || s.escalationDue;
}

/**
 * Order for a doctor's list: the highest risk first, then records that failed verification,
 * overdue observations, escalations not recorded, and the soonest due; then by name.
 */
export function byAttention(a: { name: string; observations: ObservationStatus | null }, b: { name: string; observations: ObservationStatus | null }): number {
  const x = a.observations;
  const y = b.observations;
  if (x && y) {
    const keys: Array<[number, number]> = [
      [BAND_RANK[y.risk ?? 'low'], BAND_RANK[x.risk ?? 'low']],
      [Number(y.unverified.length > 0), Number(x.unverified.length > 0)],
      [Number(y.overdue), Number(x.overdue)],
      [Number(y.escalationDue), Number(x.escalationDue)],
      [Date.parse(x.dueAt), Date.parse(y.dueAt)],
    ];
    for (const [p, q] of keys) if (p !== q) return p - q;
  } else if (x || y) return x ? -1 : 1;
  return a.name.localeCompare(b.name);
}
