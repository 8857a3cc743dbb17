import { describe, expect, it } from 'vitest';
import {
  scorePulse,
  scoreRespiratoryRate,
  scoreSpo2Scale1,
  scoreSpo2Scale2,
  scoreSystolic,
  scoreTemperature,
} from '../../../electron/core/clinical/news2';
import type { ChartKey, ChartPoint } from '../../../electron/core/model/chartSeries';
import { DEVICE_GAP_MS, SET_GAP_MS, downsamplePoints, markGaps, oxygenPeriods } from '../../../electron/core/model/chartSeries';
import { CLINICAL_RANGES, axisRange, bandScore, dayAndShiftTicks, scoreBands, withGaps } from '../../../renderer/src/clinical/chartScales';

/**
 * The rows printed on the RCP "Observation chart for the National Early Warning Score (NEWS2)"
 * (Royal College of Physicians 2017, chart 3): the extreme rows of each parameter. Every chart's
 * fixed range must show them, so a reading anywhere on the paper chart is on the screen chart too.
 */
const rcpChartExtremes: Array<[ChartKey, number, number]> = [
  ['respiratoryRate', 8, 25],
  ['spo2', 83, 100],
  ['bloodPressure', 50, 220],
  ['pulse', 40, 131],
  ['temperature', 35.0, 39.1],
];

describe('fixed clinical ranges', () => {
  it.each(rcpChartExtremes)('%s shows every row of the RCP observation chart (%d to %d)', (key, low, high) => {
    const r = CLINICAL_RANGES[key]!;
    expect(r.min).toBeLessThan(low);
    expect(r.max).toBeGreaterThanOrEqual(high);
  });

  it('keeps 34–41 °C for a stable 36.6–37.0 °C series (a stable patient does not look erratic)', () => {
    expect(axisRange('temperature', [36.6, 36.8, 37.0, 36.7, 36.9])).toEqual({ min: 34, max: 41, step: 0.5 });
  });

  it('widens by whole steps to show a value outside the range, never hides it', () => {
    expect(axisRange('pulse', [72, 196])).toEqual({ min: 30, max: 200, step: 10 });
    expect(axisRange('temperature', [33.2])).toMatchObject({ min: 33, max: 41 });
  });
});

describe('NEWS2 bands behind the charts', () => {
  // The RCP scoring table (shared/reference/CLINICAL.md, "NEWS2"), value → sub-score at the edges.
  const table: Array<[ChartKey, 1 | 2, Array<[number, number]>]> = [
    ['respiratoryRate', 1, [[8, 3], [9, 1], [11, 1], [12, 0], [20, 0], [21, 2], [24, 2], [25, 3]]],
    ['spo2', 1, [[91, 3], [92, 2], [93, 2], [94, 1], [95, 1], [96, 0]]],
    ['bloodPressure', 1, [[90, 3], [91, 2], [100, 2], [101, 1], [110, 1], [111, 0], [219, 0], [220, 3]]],
    ['pulse', 1, [[40, 3], [41, 1], [50, 1], [51, 0], [90, 0], [91, 1], [110, 1], [111, 2], [130, 2], [131, 3]]],
    ['temperature', 1, [[35.0, 3], [35.1, 1], [36.0, 1], [36.1, 0], [38.0, 0], [38.1, 1], [39.0, 1], [39.1, 2]]],
    // Scale 2 on oxygen: 83 → 3, 84–85 → 2, 86–87 → 1, 88–92 → 0, 93–94 → 1, 95–96 → 2, ≥ 97 → 3.
    ['spo2', 2, [[83, 3], [84, 2], [85, 2], [86, 1], [87, 1], [88, 0], [92, 0], [93, 1], [94, 1], [95, 2], [96, 2], [97, 3]]],
  ];
  it.each(table)('%s (Scale %d) bands match the RCP table at every edge', (key, scale, edges) => {
    const bands = scoreBands(key, scale);
    for (const [value, score] of edges) expect([value, bandScore(bands, value)]).toEqual([value, score]);
  });

  it('agree with the core scorer at every charted value (whole numbers; temperature in tenths)', () => {
    const scorers: Array<[ChartKey, (v: number) => number | undefined, number]> = [
      ['respiratoryRate', scoreRespiratoryRate, 1],
      ['spo2', scoreSpo2Scale1, 1],
      ['bloodPressure', scoreSystolic, 1],
      ['pulse', scorePulse, 1],
      ['temperature', scoreTemperature, 0.1],
    ];
    for (const [key, score, step] of scorers) {
      const r = CLINICAL_RANGES[key]!;
      const bands = scoreBands(key, 1);
      for (let v = r.min; v <= r.max + 1e-9; v = Math.round((v + step) * 10) / 10) expect([key, v, bandScore(bands, v)]).toEqual([key, v, score(v)]);
    }
    const scale2 = scoreBands('spo2', 2);
    for (let v = 80; v <= 100; v++) {
      const band = scale2.find((b) => v >= b.from && v < b.to)!;
      expect([v, band.score]).toEqual([v, scoreSpo2Scale2(v, true)]);
      // The on-oxygen-only bands score 0 on air.
      expect([v, band.onOxygenOnly ? 0 : band.score]).toEqual([v, scoreSpo2Scale2(v, false)]);
    }
  });

  it('draws none for oxygen and glucose', () => {
    expect(scoreBands('oxygen', 1)).toEqual([]);
    expect(scoreBands('bloodGlucose', 2)).toEqual([]);
  });
});

describe('gaps between readings', () => {
  const t0 = Date.parse('2025-03-01T08:00:00Z');
  const marked = <P extends ChartPoint>(points: P[]): P[] => (markGaps(points), points);

  it('joins a monitor’s readings a minute apart, breaks where it stopped reading', () => {
    const points = marked([0, 1, 2, 2 + DEVICE_GAP_MS / 60_000 + 1].map((m, i) => ({ t: t0 + m * 60_000, y: 95 + i, fromDevice: true })));
    expect(withGaps(points).map((p) => p.y)).toEqual([95, 96, 97, null, 98]);
  });

  it('joins hand-entered sets hours apart, breaks after more than 12 hours', () => {
    const points = marked([0, 4, 8, 8 + SET_GAP_MS / 3600_000 + 1].map((h, i) => ({ t: t0 + h * 3600_000, y: 70 + i })));
    expect(withGaps(points).map((p) => p.y)).toEqual([70, 71, 72, null, 73]);
  });

  it('breaks between a set and a monitor reading more than 15 minutes apart', () => {
    const out = withGaps(marked([{ t: t0, y: 96 }, { t: t0 + 20 * 60_000, y: 88, fromDevice: true }]));
    expect(out.map((p) => p.y)).toEqual([96, null, 88]);
  });

  it('breaks only where the readings had a silence, however far apart thinning leaves the drawn points', () => {
    // 30 days of a monitor reading every minute, switched off for 40 minutes on day 12: drawn 360
    // columns wide (2 hours a column) the kept points are hours apart, and only the 40 minutes is
    // a break. (Thinned first and then judged by time, this drew 412 breaks: a shredded line that
    // says the monitor was off all month.)
    const off = 12 * 24 * 60;
    const points = marked(
      Array.from({ length: 30 * 24 * 60 }, (_, i) => i)
        .filter((i) => i < off || i >= off + 40)
        .map((i) => ({ t: t0 + i * 60_000, y: 94 + ((i * 7) % 5), fromDevice: true })),
    );
    const drawn = withGaps(downsamplePoints(points, { from: points[0]!.t, to: points.at(-1)!.t, buckets: 360 }));
    const breaks = drawn.flatMap((p, i) => (p.y === null ? [i] : []));
    expect(breaks).toHaveLength(1);
    // The line stops at the last reading before the silence and resumes at the first after it.
    expect(drawn[breaks[0]! - 1]!.x).toBe(t0 + (off - 1) * 60_000);
    expect(drawn[breaks[0]! + 1]!.x).toBe(t0 + (off + 40) * 60_000);
  });

  it('joins three days of a monitor’s minute readings into one line when thinned (no break where none was)', () => {
    const points = marked(Array.from({ length: 72 * 60 }, (_, i) => ({ t: t0 + i * 60_000, y: 95 + ((i * 13) % 4), fromDevice: true })));
    const drawn = withGaps(downsamplePoints(points, { from: points[0]!.t, to: points.at(-1)!.t, buckets: 360 }));
    expect(drawn.some((p) => p.y === null)).toBe(false);
  });
});

describe('downsampling', () => {
  it('keeps each bucket’s lowest and highest reading: a one-minute desaturation survives 10,000 readings', () => {
    const t0 = Date.parse('2025-03-01T00:00:00Z');
    const points = Array.from({ length: 10_000 }, (_, i) => ({ t: t0 + i * 60_000, y: 96 + (i % 3) - 1 }));
    points[6_543] = { ...points[6_543]!, y: 81 };
    points[8_000] = { ...points[8_000]!, y: 100 };
    const out = downsamplePoints(points, { from: t0, to: points.at(-1)!.t, buckets: 360 });
    expect(out.length).toBeLessThanOrEqual(720);
    expect(out.map((p) => p.y)).toContain(81);
    expect(out.map((p) => p.y)).toContain(100);
    expect(Math.min(...out.map((p) => p.y))).toBe(81);
    for (let i = 1; i < out.length; i++) expect(out[i]!.t).toBeGreaterThan(out[i - 1]!.t);
  });

  it('leaves a short series as it is', () => {
    const points = [{ t: 1, y: 2 }, { t: 2, y: 3 }];
    expect(downsamplePoints(points, { from: 1, to: 2, buckets: 360 })).toEqual(points);
  });
});

describe('day and shift ticks', () => {
  it('puts midnight and the 07:00 and 19:00 shift changes on the axis, in local time', () => {
    const from = new Date(2025, 2, 1, 5, 0).getTime();
    const to = new Date(2025, 2, 2, 20, 0).getTime();
    const ticks = dayAndShiftTicks(from, to);
    expect(ticks.map((k) => [new Date(k.t).getDate(), new Date(k.t).getHours(), k.kind])).toEqual([
      [1, 7, 'shift'],
      [1, 19, 'shift'],
      [2, 0, 'day'],
      [2, 7, 'shift'],
      [2, 19, 'shift'],
    ]);
  });

  it('keeps only midnights, then every n-th, when a long span would crowd the axis', () => {
    const from = new Date(2025, 0, 1, 12).getTime();
    const week = dayAndShiftTicks(from, from + 7 * 24 * 3600_000);
    expect(week.every((k) => k.kind === 'day')).toBe(true);
    expect(week).toHaveLength(7);
    expect(dayAndShiftTicks(from, from + 90 * 24 * 3600_000).length).toBeLessThanOrEqual(16);
  });
});

describe('oxygen periods', () => {
  it('runs from the first set on oxygen to the next set on air, or to the last set on oxygen', () => {
    const sets = [
      { t: 1, onOxygen: false },
      { t: 2, onOxygen: true },
      { t: 3, onOxygen: undefined },
      { t: 4, onOxygen: true },
      { t: 5, onOxygen: false },
      { t: 6, onOxygen: true },
      { t: 7, onOxygen: true },
    ];
    expect(oxygenPeriods(sets)).toEqual([
      { from: 2, to: 5 },
      { from: 6, to: 7 },
    ]);
  });
});
