/**
 * Chart-ready series from a patient's records, each set at the time it was measured (a set
 * entered late, or a meter's reading, where it was taken — not when it was recorded). A corrected
 * (amended) set replaces the original, and the correction keeps the original's time; tampered
 * records and records that could not be read are left out (and counted, so the page can say so)
 * — a chart must never draw data that failed verification.
 */
import type { NormalisedVitals, RecordView } from '../api/contract';

export interface ChartPoint {
  /** Milliseconds since the epoch. */
  t: number;
  y: number;
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

export interface ChartInput {
  series: ChartSeries[];
  /** Vitals records left out because they are tampered or unreadable. */
  excluded: number;
}

interface VitalsPoint {
  t: number;
  vitals: NormalisedVitals;
  news2: number | null;
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
    points.push({ t, vitals: record.content.vitals, news2: aggregate ?? null });
  }
  points.sort((a, b) => a.t - b.t);
  return { points, excluded };
}

function dataset(label: string, points: VitalsPoint[], pick: (p: VitalsPoint) => number | null | undefined): ChartDataset {
  const out: ChartPoint[] = [];
  for (const p of points) {
    const y = pick(p);
    if (y !== null && y !== undefined && Number.isFinite(y)) out.push({ t: p.t, y });
  }
  return { label, points: out };
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
  return { series, excluded };
}

/** NEWS2 band areas for the NEWS2 chart (0–4 low, 5–6 medium, ≥ 7 high), as y ranges. */
export const news2BandAreas = [
  { band: 'low', label: '0–4 low', from: -0.5, to: 4.5 },
  { band: 'medium', label: '5–6 medium', from: 4.5, to: 6.5 },
  { band: 'high', label: '7 or more high', from: 6.5, to: 25 },
] as const;
