/**
 * Where a patient's observations stand, in words (ward board, doctors' lists): when the next full
 * set is due, where a reading came from, what failed verification. Never colour alone.
 */
import type { News2Band, ObservationStatus, ObservationSummary, RecordKind, UnverifiedRecord } from '../api/contract';
import { formatDateTime } from '../format';
import { bandLabels } from './news2Display';
import { formatMinutesAgo } from './vitalsDisplay';

export const sourceLabels: Record<ObservationSummary['source'], string> = {
  entered: 'partial set',
  device: 'from a meter',
  monitor: 'bound monitor',
};

/** "Overdue 1 h 20 min" or "Due in 3 h 10 min" (the next full NEWS2 set; short enough for one line of a board row). */
export function dueText(s: ObservationStatus, now: number): string {
  const minutes = Math.round((Date.parse(s.dueAt) - now) / 60_000);
  if (s.overdue) return `Overdue ${formatMinutesAgo(-minutes).replace(/ ago$/, '').replace('just now', 'under a minute')}`;
  return `Due in ${formatMinutesAgo(minutes).replace(/ ago$/, '').replace('just now', 'under a minute')}`;
}

/** "12 min ago" for a measured time. */
export function measuredAgo(iso: string, now: number): string {
  return formatMinutesAgo((now - Date.parse(iso)) / 60_000);
}

/** CSS modifier tinting a row by risk (the band is always written too). */
export function riskClass(band: News2Band | null): string {
  return band ? `risk--${band}` : 'risk--none';
}

export function riskLabel(s: ObservationStatus): string {
  if (!s.risk) return 'No complete set yet';
  return `${bandLabels[s.risk]} risk${s.riskFromNewerReading ? ' (from a newer reading)' : ''}`;
}

const kindWords: Record<RecordKind, string> = { vitals: 'vitals', note: 'note', diagnosis: 'diagnosis', amendment: 'correction', escalation: 'escalation' };

/** "The vitals of 10 Mar, 10:00 failed verification (tampered)." */
export function unverifiedText(u: UnverifiedRecord): string {
  return `The ${kindWords[u.kind]} record of ${formatDateTime(u.recordedAt)} failed verification (${u.status}): ${u.problem}`;
}
