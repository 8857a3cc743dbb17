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
  /**
   * The first reading after a silence (gapBetween): the line breaks before it. Marked on the
   * readings themselves, before any thinning: thinned points of a long period are far apart
   * without the monitor ever having stopped.
   */
  afterGap?: true;
}

/**
 * Where the line breaks: a bound monitor reads every minute or so, so 15 minutes without a
 * reading means it was off; sets entered by hand are at most 12 hours apart (the NEWS2 minimum
 * for a score of 0), so a longer silence is a gap too.
 */
export const DEVICE_GAP_MS = 15 * 60_000;
export const SET_GAP_MS = 12 * 3600_000;

/** Whether two readings in time order are too far apart to be joined by a line. */
function gapBetween(prev: Pick<ChartPoint, 't' | 'fromDevice'>, next: Pick<ChartPoint, 't' | 'fromDevice'>): boolean {
  return next.t - prev.t > (prev.fromDevice || next.fromDevice ? DEVICE_GAP_MS : SET_GAP_MS);
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
  /** When the patient was on oxygen in the period (shaded behind every chart). */
  oxygen: OxygenPeriod[];
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

/**
 * The vitals sets in force: latest correction of each, oldest first. One pass over the records
 * (a 10,000-record history is charted on every open); the id index is built only when some
 * record lists a correction.
 */
export function effectiveVitals(records: readonly RecordView[]): { points: VitalsPoint[]; excluded: number } {
  let byId: Map<string, RecordView> | null = null;
  const trusted = (r: RecordView): boolean => r.provenance.status !== 'tampered' && r.content !== null;
  const correctedBy = (id: string): boolean => {
    byId ??= new Map(records.map((r) => [r.id, r]));
    const later = byId.get(id);
    return !!later && trusted(later) && !!later.content?.vitals;
  };
  let excluded = 0;
  const points: VitalsPoint[] = [];
  let ascending = true;
  for (const record of records) {
    const isVitals = record.kind === 'vitals' || !!record.content?.vitals;
    if (!isVitals) continue;
    if (!trusted(record) || !record.content?.vitals) {
      excluded++;
      continue;
    }
    const superseded = record.superseded || (record.amendedBy.length > 0 && record.amendedBy.some(correctedBy));
    if (superseded) continue;
    const t = Date.parse(record.measuredAt);
    if (Number.isNaN(t)) continue;
    const aggregate = record.content.news2?.complete ? record.content.news2.aggregate : null;
    if (points.length && points[points.length - 1]!.t > t) ascending = false;
    points.push({ t, vitals: record.content.vitals, news2: aggregate ?? null, fromDevice: !!record.content.device });
  }
  // A history arrives newest first: strictly newest first is reversed (what the stable sort would
  // give), anything else out of order is sorted.
  if (!ascending) {
    if (strictlyDescending(points)) points.reverse();
    else points.sort((a, b) => a.t - b.t);
  }
  return { points, excluded };
}

function strictlyDescending(points: readonly VitalsPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i - 1]!.t <= points[i]!.t) return false;
  return true;
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
export function chartSpan(input: Pick<ChartInput, 'series'>): { from: number; to: number } | null {
  const extent = readingsExtent(input.series);
  if (!extent) return null;
  const pad = Math.max(5 * 60_000, (extent.to - extent.from) * 0.02);
  return { from: extent.from - pad, to: extent.to + pad };
}

/** The first and last reading charted (ms), or null when nothing is. */
export function readingsExtent(series: readonly ChartSeries[]): { from: number; to: number } | null {
  let from = Infinity;
  let to = -Infinity;
  for (const s of series) {
    for (const d of s.datasets) {
      if (d.points.length === 0) continue;
      from = Math.min(from, d.points[0]!.t);
      to = Math.max(to, d.points[d.points.length - 1]!.t);
    }
  }
  return from <= to ? { from, to } : null;
}

/** One series per chart on the patient page, in the order the page shows them. */
export function chartSeries(records: readonly RecordView[]): ChartInput {
  const { points, excluded } = effectiveVitals(records);
  // Every dataset filled in one pass over the sets (not one pass per dataset).
  const news2: ChartPoint[] = [];
  const respiratoryRate: ChartPoint[] = [];
  const spo2: ChartPoint[] = [];
  const flow: ChartPoint[] = [];
  const fio2: ChartPoint[] = [];
  const systolic: ChartPoint[] = [];
  const diastolic: ChartPoint[] = [];
  const pulse: ChartPoint[] = [];
  const temperature: ChartPoint[] = [];
  const glucose: ChartPoint[] = [];
  const oxygenSets: Array<{ t: number; onOxygen: boolean | undefined }> = [];
  for (const p of points) {
    const v = p.vitals;
    add(news2, p, p.news2);
    add(respiratoryRate, p, v.respiratoryRate);
    add(spo2, p, v.spo2);
    add(flow, p, v.oxygenFlow);
    add(fio2, p, v.fio2);
    add(systolic, p, v.systolic);
    add(diastolic, p, v.diastolic);
    add(pulse, p, v.pulse);
    add(temperature, p, v.temperature?.celsius);
    add(glucose, p, v.bloodGlucose?.mmolPerL);
    oxygenSets.push({ t: p.t, onOxygen: v.supplementalOxygen });
  }
  const series: ChartSeries[] = [
    { key: 'news2', title: 'NEWS2 score', unit: 'points', datasets: [{ label: 'NEWS2', points: news2 }] },
    { key: 'respiratoryRate', title: 'Respiratory rate', unit: '/min', datasets: [{ label: 'Respiratory rate', points: respiratoryRate }] },
    { key: 'spo2', title: 'SpO2', unit: '%', datasets: [{ label: 'SpO2', points: spo2 }] },
    {
      key: 'oxygen',
      title: 'Oxygen given',
      unit: 'L/min or FiO2 %',
      datasets: [
        { label: 'Flow (L/min)', points: flow },
        { label: 'FiO2 (%)', points: fio2 },
      ],
    },
    {
      key: 'bloodPressure',
      title: 'Blood pressure',
      unit: 'mmHg',
      datasets: [
        { label: 'Systolic', points: systolic },
        { label: 'Diastolic', points: diastolic },
      ],
    },
    { key: 'pulse', title: 'Pulse', unit: '/min', datasets: [{ label: 'Pulse', points: pulse }] },
    { key: 'temperature', title: 'Temperature', unit: '°C', datasets: [{ label: 'Temperature', points: temperature }] },
    { key: 'bloodGlucose', title: 'Blood glucose', unit: 'mmol/L', datasets: [{ label: 'Blood glucose', points: glucose }] },
  ];
  for (const s of series) for (const d of s.datasets) markGaps(d.points);
  return { series, excluded, oxygen: oxygenPeriods(oxygenSets) };
}

/** Marks each reading (in time order) that follows a silence (in place: chartSeries's own points). */
export function markGaps(points: ChartPoint[]): void {
  for (let i = 1; i < points.length; i++) if (gapBetween(points[i - 1]!, points[i]!)) points[i]!.afterGap = true;
}

/** A set's reading into a dataset, when the set has it. */
function add(out: ChartPoint[], p: VitalsPoint, y: number | null | undefined): void {
  if (y !== null && y !== undefined && Number.isFinite(y)) out.push(p.fromDevice ? { t: p.t, y, fromDevice: true } : { t: p.t, y });
}

/**
 * Each dataset thinned to at most two points per pixel column (the lowest and highest of the
 * column, real readings in time order): a spike is never averaged away, whatever the period.
 */
export function downsampleSeries(series: ChartSeries[], o: { from: number; to: number; buckets: number }): ChartSeries[] {
  return series.map((s) => ({ ...s, datasets: s.datasets.map((d) => ({ ...d, points: downsamplePoints(d.points, o) })) }));
}

/** One dataset thinned per pixel column, its breaks kept where the readings had them. */
export function downsamplePoints(points: readonly ChartPoint[], o: { from: number; to: number; buckets: number }): ChartPoint[] {
  return downsampleMinMax(points, (p) => p.t, (p) => p.y, o, (p) => p.afterGap === true);
}
