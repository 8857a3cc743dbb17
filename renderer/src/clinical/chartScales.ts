/**
 * What makes a vital-sign chart read like a paper observation chart: a fixed clinical y range per
 * parameter (a stable 36.6–37.0 °C must look flat, not fill the chart), the NEWS2 scoring bands
 * behind the line, and breaks in the line where the readings had a silence.
 *
 * The ranges hold every row printed on the RCP "Observation chart for the National Early Warning
 * Score (NEWS2)" (Royal College of Physicians 2017, chart 3), with one row's margin beyond the open
 * rows at each end (≤ 8 / ≥ 25 breaths, SpO2 ≤ 83 on Scale 2, systolic ≤ 50 / ≥ 220, pulse ≤ 40 /
 * ≥ 131, temperature ≤ 35.0 / ≥ 39.1 °C). A value outside a range widens it, never hides.
 * The bands are the RCP NEWS2 scoring table (shared/reference/CLINICAL.md, "NEWS2"): integers for
 * rates and pressures, one decimal for temperature, so a band edge sits half a step between.
 */
import type { ChartKey, ChartPoint } from '../api/contract';

export interface AxisRange {
  min: number;
  max: number;
  /** Tick step, so the grid lines fall on round values. */
  step: number;
}

export const CLINICAL_RANGES: Partial<Record<ChartKey, AxisRange>> = {
  respiratoryRate: { min: 0, max: 40, step: 5 },
  spo2: { min: 80, max: 100, step: 2 },
  bloodPressure: { min: 40, max: 240, step: 20 },
  pulse: { min: 30, max: 180, step: 10 },
  temperature: { min: 34, max: 41, step: 0.5 },
  news2: { min: 0, max: 20, step: 2 },
  // Flow up to 15 L/min (a non-rebreather mask); an FiO2 in % widens it.
  oxygen: { min: 0, max: 15, step: 3 },
  bloodGlucose: { min: 0, max: 25, step: 5 },
};

/** The fixed range, widened by whole steps just enough to show every value. */
export function axisRange(key: ChartKey, values: readonly number[]): AxisRange | null {
  const base = CLINICAL_RANGES[key];
  if (!base) return null;
  let { min, max } = base;
  for (const v of values) {
    if (v < min) min = Math.floor(v / base.step) * base.step;
    if (v > max) max = Math.ceil(v / base.step) * base.step;
  }
  return { min, max, step: base.step };
}

/** A y interval and the NEWS2 sub-score a value inside it earns. */
export interface ScoreBand {
  from: number;
  to: number;
  score: number;
  /** Scale 2 SpO2 at or above 93 %: scores only on oxygen (0 on air). */
  onOxygenOnly?: boolean;
}

const far = 1000;
/** Bands from cut points: [upper bound of the band, score], lowest band first. */
function bands(cuts: Array<[number, number]>, lastScore: number, opts: Partial<ScoreBand> = {}): ScoreBand[] {
  const out: ScoreBand[] = [];
  let from = -far;
  for (const [to, score] of cuts) {
    out.push({ from, to, score, ...opts });
    from = to;
  }
  out.push({ from, to: far, score: lastScore, ...opts });
  return out;
}

const spo2Scale2: ScoreBand[] = [
  { from: -far, to: 83.5, score: 3 },
  { from: 83.5, to: 85.5, score: 2 },
  { from: 85.5, to: 87.5, score: 1 },
  { from: 87.5, to: 92.5, score: 0 },
  { from: 92.5, to: 94.5, score: 1, onOxygenOnly: true },
  { from: 94.5, to: 96.5, score: 2, onOxygenOnly: true },
  { from: 96.5, to: far, score: 3, onOxygenOnly: true },
];

/** The NEWS2 sub-score bands of a chart's main measurement (none for oxygen and glucose). */
export function scoreBands(key: ChartKey, scale: 1 | 2): ScoreBand[] {
  switch (key) {
    case 'respiratoryRate':
      return bands([[8.5, 3], [11.5, 1], [20.5, 0], [24.5, 2]], 3);
    case 'spo2':
      return scale === 2 ? spo2Scale2 : bands([[91.5, 3], [93.5, 2], [95.5, 1]], 0);
    case 'bloodPressure':
      return bands([[90.5, 3], [100.5, 2], [110.5, 1], [219.5, 0]], 3);
    case 'pulse':
      return bands([[40.5, 3], [50.5, 1], [90.5, 0], [110.5, 1], [130.5, 2]], 3);
    case 'temperature':
      return bands([[35.05, 3], [36.05, 1], [38.05, 0], [39.05, 1]], 2);
    default:
      return [];
  }
}

/** The sub-score a value earns in a list of bands (first band holding it; null outside all). */
export function bandScore(list: readonly ScoreBand[], value: number): number | null {
  return list.find((b) => value >= b.from && value < b.to)?.score ?? null;
}

/** Pixel columns a chart is thinned to, by the page and by the core for a long period (a chart is at most about this wide). */
export const CHART_COLUMNS = 360;

/**
 * The points as Chart.js draws them, with a null (a break in the line) before each reading that
 * follows a silence (`afterGap`, marked on the readings before any thinning: chartSeries.ts).
 */
export function withGaps(points: readonly ChartPoint[]): Array<{ x: number; y: number | null }> {
  const out: Array<{ x: number; y: number | null }> = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (i > 0 && p.afterGap) out.push({ x: (points[i - 1]!.t + p.t) / 2, y: null });
    out.push({ x: p.t, y: p.y });
  }
  return out;
}

/** Shift changes on the time axis (a ward's day and night shifts; midnight marks the day). */
export const SHIFT_CHANGE_HOURS = [7, 19] as const;

export interface TimeTick {
  t: number;
  /** Midnight (a new day) or a shift change. */
  kind: 'day' | 'shift';
}

/** Day and shift ticks between two times, in local time; shifts dropped when they would crowd. */
export function dayAndShiftTicks(from: number, to: number, maxTicks = 16): TimeTick[] {
  const ticks: TimeTick[] = [];
  const day = new Date(from);
  day.setHours(0, 0, 0, 0);
  for (let d = new Date(day); d.getTime() <= to; d.setDate(d.getDate() + 1)) {
    for (const hour of [0, ...SHIFT_CHANGE_HOURS]) {
      const t = new Date(d);
      t.setHours(hour, 0, 0, 0);
      if (t.getTime() >= from && t.getTime() <= to) ticks.push({ t: t.getTime(), kind: hour === 0 ? 'day' : 'shift' });
    }
  }
  if (ticks.length <= maxTicks) return ticks;
  const days = ticks.filter((k) => k.kind === 'day');
  if (days.length <= maxTicks) return days;
  const every = Math.ceil(days.length / maxTicks);
  return days.filter((_, i) => i % every === 0);
}
