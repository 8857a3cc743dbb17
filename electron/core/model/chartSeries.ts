/**
 * Chart-ready series from a patient's records, shared by the renderer (the records it has loaded)
 * and the core (charts of long periods, downsampled before they are sent). A corrected (amended)
 * set replaces the original at the original's time; tampered records and records that could not
 * be read are left out (and counted, so the page can say so) — a chart must never draw data that
 * failed verification.
 */
import { downsampleMinMax } from './downsample';
import type { RecordView } from './records';
import type { NormalisedVitals } from './vitals';

export interface ChartPoint {
  /** Milliseconds since the epoch. */
  t: number;
  y: number;
  /** Read by a device (a bound monitor, a meter): far-apart device readings are not joined. */
  fromDevice?: boolean;
}

export interface ChartDataset {
  label: string;
  points: ChartPoint[];
}

export type ChartKey = 'respiratoryRate' | 'spo2' | 'oxygen' | 'bloodPressure' | 'pulse' | 'temperature' | 'bloodGlucose' | 'news2';

export interface ChartSeries {
  key: ChartKey;
  title: string;
  unit: string;
  datasets: ChartDataset[];
}

/** A chart of a period (records/chart), each series thinned to the lowest and highest reading per pixel column. */
export interface PatientChartData {
  from: string;
  to: string;
  /** Records read for it (all kinds), and vitals records left out as unreadable or failing verification. */
  records: number;
  excluded: number;
  series: ChartSeries[];
}

export interface ChartInput {
  series: ChartSeries[];
  /** Vitals records left out because they are tampered or unreadable. */
  excluded: number;
  /** When the patient was on oxygen (shaded behind every chart). */
  oxygen: OxygenPeriod[];
}

interface VitalsPoint {
  t: number;
  vitals: NormalisedVitals;
  news2: number | null;
  fromDevice: boolean;
}

/** The vitals sets in force: latest correction of each, oldest first. */
export function effectiveVitals(records: readonly RecordView[]): { points: VitalsPoint[]; excluded: number } {
  const byId = new Map(records.map((r) => [r.id, r]));
  const trusted = (r: RecordView): boolean => r.provenance.status !== 'tampered' && r.content !== null;
  let excluded = 0;
  const points: VitalsPoint[] = [];
  for (const record of records) {
    const isVitals = record.kind === 'vitals' || !!record.content?.vitals;
    if (!isVitals) continue;
    if (!trusted(record) || !record.content?.vitals) {
      excluded++;
      continue;
    }
    const superseded = record.superseded || record.amendedBy.some((id) => {
      const later = byId.get(id);
      return !!later && trusted(later) && !!later.content?.vitals;
    });
    if (superseded) continue;
    const t = Date.parse(record.measuredAt);
    if (Number.isNaN(t)) continue;
    const aggregate = record.content.news2?.complete ? record.content.news2.aggregate : null;
    points.push({ t, vitals: record.content.vitals, news2: aggregate ?? null, fromDevice: !!record.content.device });
  }
  points.sort((a, b) => a.t - b.t);
  return { points, excluded };
}

function dataset(label: string, points: VitalsPoint[], pick: (p: VitalsPoint) => number | null | undefined): ChartDataset {
  const out: ChartPoint[] = [];
  for (const p of points) {
    const y = pick(p);
    if (y !== null && y !== undefined && Number.isFinite(y)) out.push(p.fromDevice ? { t: p.t, y, fromDevice: true } : { t: p.t, y });
  }
  return { label, points: out };
}

/** A time interval during which the patient was on oxygen (shaded on every chart). */
export interface OxygenPeriod {
  from: number;
  to: number;
}

/**
 * Periods on oxygen from the sets in time order: from the first set on oxygen to the next set
 * on air (or the last set on oxygen when none follows).
 */
export function oxygenPeriods(sets: ReadonlyArray<{ t: number; onOxygen: boolean | undefined }>): OxygenPeriod[] {
  const out: OxygenPeriod[] = [];
  let start: number | null = null;
  let last = 0;
  for (const s of sets) {
    if (s.onOxygen === undefined) continue;
    if (s.onOxygen && start === null) start = s.t;
    if (!s.onOxygen && start !== null) {
      out.push({ from: start, to: s.t });
      start = null;
    }
    if (s.onOxygen) last = s.t;
  }
  if (start !== null) out.push({ from: start, to: last });
  return out;
}

/** The time span of every chart on the page (so they line up), with a little room at each end. */
export function chartSpan(input: ChartInput): { from: number; to: number } | null {
  let from = Infinity;
  let to = -Infinity;
  for (const s of input.series) {
    for (const d of s.datasets) {
      if (d.points.length === 0) continue;
      from = Math.min(from, d.points[0]!.t);
      to = Math.max(to, d.points[d.points.length - 1]!.t);
    }
  }
  if (!Number.isFinite(from)) return null;
  const pad = Math.max(5 * 60_000, (to - from) * 0.02);
  return { from: from - pad, to: to + pad };
}

/** One series per chart on the patient page, in the order the page shows them. */
export function chartSeries(records: readonly RecordView[]): ChartInput {
  const { points, excluded } = effectiveVitals(records);
  const series: ChartSeries[] = [
    { key: 'news2', title: 'NEWS2 score', unit: 'points', datasets: [dataset('NEWS2', points, (p) => p.news2)] },
    {
      key: 'respiratoryRate',
      title: 'Respiratory rate',
      unit: '/min',
      datasets: [dataset('Respiratory rate', points, (p) => p.vitals.respiratoryRate)],
    },
    { key: 'spo2', title: 'SpO2', unit: '%', datasets: [dataset('SpO2', points, (p) => p.vitals.spo2)] },
    {
      key: 'oxygen',
      title: 'Oxygen given',
      unit: 'L/min or FiO2 %',
      datasets: [dataset('Flow (L/min)', points, (p) => p.vitals.oxygenFlow), dataset('FiO2 (%)', points, (p) => p.vitals.fio2)],
    },
    {
      key: 'bloodPressure',
      title: 'Blood pressure',
      unit: 'mmHg',
      datasets: [
        dataset('Systolic', points, (p) => p.vitals.systolic),
        dataset('Diastolic', points, (p) => p.vitals.diastolic),
      ],
    },
    { key: 'pulse', title: 'Pulse', unit: '/min', datasets: [dataset('Pulse', points, (p) => p.vitals.pulse)] },
    {
      key: 'temperature',
      title: 'Temperature',
      unit: '°C',
      datasets: [dataset('Temperature', points, (p) => p.vitals.temperature?.celsius)],
    },
    {
      key: 'bloodGlucose',
      title: 'Blood glucose',
      unit: 'mmol/L',
      datasets: [dataset('Blood glucose', points, (p) => p.vitals.bloodGlucose?.mmolPerL)],
    },
  ];
  const oxygen = oxygenPeriods(points.map((p) => ({ t: p.t, onOxygen: p.vitals.supplementalOxygen })));
  return { series, excluded, oxygen };
}

/**
 * Each dataset thinned to at most two points per pixel column (the lowest and highest of the
 * column, real readings in time order): a spike is never averaged away, whatever the period.
 */
export function downsampleSeries(series: ChartSeries[], o: { from: number; to: number; buckets: number }): ChartSeries[] {
  return series.map((s) => ({ ...s, datasets: s.datasets.map((d) => ({ ...d, points: downsampleMinMax(d.points, (p) => p.t, (p) => p.y, o) })) }));
}
