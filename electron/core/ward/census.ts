/**
 * One row of the ward board: who is in which bed, their latest vitals and NEWS2, and whether an
 * observation is overdue by the NEWS2 monitoring frequency (RCP 2017, chart 2).
 */
import { news2Of } from '../clinical/vitalsAssessment';
import { personRef } from '../identity/people';
import type { News2Result } from '../model/news2';
import type { PersonWithAge } from '../model/people';
import type { RecordContent } from '../model/records';
import type { CensusRow } from '../model/ward';
import type { Admission } from './admissions';

/**
 * Minimum observation frequency by NEWS2, in minutes: aggregate 0 → 12 h; 1–4 → 4 h; a 3 in
 * one parameter → 1 h; 5–6 → 1 h; ≥ 7 → continuous monitoring, taken here as every 15 min.
 * An incomplete score is treated as its lowest possible band (never less often than that).
 * With no observation since admission, the first is due within 1 h.
 */
export function monitoringIntervalMinutes(news2: News2Result | null): number {
  if (!news2) return 60;
  const band = news2.band ?? news2.minimumBand;
  if (band === 'high') return 15;
  if (band === 'medium' || band === 'low-medium') return 60;
  if ((news2.aggregate ?? 1) === 0 && news2.complete) return 12 * 60;
  return 4 * 60;
}

export function censusRow(
  a: Admission,
  patient: PersonWithAge,
  doctor: PersonWithAge | null,
  latest: { createdAt: number; content: RecordContent } | null,
  now: number,
): Omit<CensusRow, 'restricted'> {
  const vitals = latest?.content.vitals ?? null;
  const news2 = vitals ? news2Of({ vitals, news2: latest!.content.news2 }, a.news2Scale) : null;
  const since = latest ? latest.createdAt : a.admittedAt;
  const minutes = Math.floor((now - since) / 60_000);
  return {
    patient,
    bed: a.bed,
    admittedAt: new Date(a.admittedAt).toISOString(),
    responsibleDoctor: doctor ? personRef(doctor) : null,
    news2Scale: a.news2Scale,
    latest: vitals && news2 ? { at: new Date(latest!.createdAt).toISOString(), vitals, news2 } : null,
    minutesSinceLastObservation: latest ? minutes : null,
    overdue: minutes >= monitoringIntervalMinutes(news2),
  };
}
