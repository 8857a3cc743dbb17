/**
 * The periods the record page charts: the records it has loaded (72 hours, more after "Load
 * earlier records"), or a longer period the core reads, verifies and thins per pixel column
 * (`records/chart`), so a month of a monitor's readings is charted without loading it into the page.
 * Like the page's own window, 7 and 30 days reach back from the newest record shown, so a record
 * opened after the patient left still charts their last days.
 */
import type { InputOf, PatientChartData } from '../api/contract';
import { chartSpan } from '../api/contract';
import { CHART_COLUMNS } from './chartScales';

export type ChartPeriod = 'shown' | '7d' | '30d' | 'all';

export const chartPeriods: ChartPeriod[] = ['shown', '7d', '30d', 'all'];

const DAY = 24 * 3600_000;
const days: Record<Exclude<ChartPeriod, 'shown' | 'all'>, number> = { '7d': 7, '30d': 30 };

export const periodNames: Record<ChartPeriod, string> = {
  shown: 'Records shown',
  '7d': '7 days',
  '30d': '30 days',
  all: 'Whole record',
};

/**
 * What to ask the core for a long period: 7 or 30 days up to `end` (when the newest record shown
 * was stored: the core's periods are by the time records were stored, as the page's window is),
 * or the whole record.
 */
export function chartRequest(period: Exclude<ChartPeriod, 'shown'>, patient: string, end: number, breakGlassReason?: string): InputOf<'records/chart'> {
  const reason = breakGlassReason ? { breakGlassReason } : {};
  if (period === 'all') return { patient, buckets: CHART_COLUMNS, ...reason };
  return { patient, from: new Date(end - days[period] * DAY).toISOString(), to: new Date(end).toISOString(), buckets: CHART_COLUMNS, ...reason };
}

/** When the newest of the records was stored (the end of a 7- or 30-day period), or `now` when there are none. */
export function periodEnd(records: ReadonlyArray<{ createdAt: string }>, now: number): number {
  let end = -Infinity;
  for (const r of records) end = Math.max(end, Date.parse(r.createdAt));
  return Number.isFinite(end) ? end : now;
}

/**
 * The span every chart of a long period shares: 7 or 30 days whole (an empty stretch shows as
 * empty), the whole record from its first reading to its last.
 */
export function periodSpan(period: Exclude<ChartPeriod, 'shown'>, chart: Pick<PatientChartData, 'from' | 'to' | 'series'>): { from: number; to: number } | null {
  if (period === 'all') return chartSpan(chart);
  const from = Date.parse(chart.from);
  const to = Date.parse(chart.to);
  const pad = Math.max(5 * 60_000, (to - from) * 0.01);
  return { from: from - pad, to: to + pad };
}
