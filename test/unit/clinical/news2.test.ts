import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NEWS2_PARAMETERS } from '../../../electron/core/model/news2';
import { computeNews2, news2Band, scoreAirOrOxygen, scoreConsciousness, scorePulse, scoreRespiratoryRate, scoreSpo2Scale1, scoreSpo2Scale2, scoreSystolic, scoreTemperature } from '../../../electron/core/clinical/news2';
import type { News2Band } from '../../../electron/core/model/news2';
import type { NormalisedVitals } from '../../../electron/core/model/vitals';
import { normaliseTemperature } from '../../../electron/core/clinical/vitals';

// Each row: [value just below or at a printed boundary, expected score] — both sides of every boundary.
describe('NEWS2 sub-scores at every band boundary (RCP 2017)', () => {
  it.each([
    [8, 3], [9, 1],
    [11, 1], [12, 0],
    [20, 0], [21, 2],
    [24, 2], [25, 3],
    [3, 3], [60, 3],
  ])('respiration rate %d /min → %d', (v, s) => expect(scoreRespiratoryRate(v)).toBe(s));

  it.each([
    [91, 3], [92, 2],
    [93, 2], [94, 1],
    [95, 1], [96, 0],
    [100, 0], [70, 3],
  ])('SpO2 Scale 1 %d %% → %d', (v, s) => expect(scoreSpo2Scale1(v)).toBe(s));

  it.each([
    [83, 3], [84, 2],
    [85, 2], [86, 1],
    [87, 1], [88, 0],
    [92, 0], [75, 3],
  ])('SpO2 Scale 2 %d %% → %d on air and on oxygen alike', (v, s) => {
    expect(scoreSpo2Scale2(v, false)).toBe(s);
    expect(scoreSpo2Scale2(v, true)).toBe(s);
    expect(scoreSpo2Scale2(v, undefined)).toBe(s); // below 93 % oxygen does not matter
  });

  it.each([
    [92, 0], [93, 1],
    [94, 1], [95, 2],
    [96, 2], [97, 3],
    [100, 3],
  ])('SpO2 Scale 2 %d %% on oxygen → %d', (v, s) => expect(scoreSpo2Scale2(v, true)).toBe(s));

  it.each([93, 94, 95, 96, 97, 100])('SpO2 Scale 2 %d %% on air → 0; oxygen unknown → unscored', (v) => {
    expect(scoreSpo2Scale2(v, false)).toBe(0);
    expect(scoreSpo2Scale2(v, undefined)).toBeUndefined();
  });

  it('air 0, oxygen 2', () => {
    expect(scoreAirOrOxygen(false)).toBe(0);
    expect(scoreAirOrOxygen(true)).toBe(2);
  });

  it.each([
    [90, 3], [91, 2],
    [100, 2], [101, 1],
    [110, 1], [111, 0],
    [219, 0], [220, 3],
    [60, 3], [250, 3],
  ])('systolic %d mmHg → %d', (v, s) => expect(scoreSystolic(v)).toBe(s));

  it.each([
    [40, 3], [41, 1],
    [50, 1], [51, 0],
    [90, 0], [91, 1],
    [110, 1], [111, 2],
    [130, 2], [131, 3],
    [30, 3], [180, 3],
  ])('pulse %d /min → %d', (v, s) => expect(scorePulse(v)).toBe(s));

  it.each([
    ['A', 0], ['C', 3], ['V', 3], ['P', 3], ['U', 3],
  ] as const)('consciousness %s → %d', (v, s) => expect(scoreConsciousness(v)).toBe(s));

  it.each([
    [35.0, 3], [35.1, 1],
    [36.0, 1], [36.1, 0],
    [38.0, 0], [38.1, 1],
    [39.0, 1], [39.1, 2],
    [30, 3], [41, 2],
  ])('temperature %d °C → %d', (v, s) => expect(scoreTemperature(v)).toBe(s));
});

describe('NEWS2 rounding rule for values between printed bands', () => {
  it.each([
    [35.05, 1], // → 35.1
    [35.04, 3], // → 35.0
    [36.05, 0], // → 36.1
    [36.04, 1], // → 36.0
    [38.05, 1], // → 38.1
    [38.04, 0], // → 38.0
    [39.05, 2], // → 39.1
    [39.04, 1], // → 39.0
  ])('temperature %d °C is rounded half-up to 1 decimal → %d', (v, s) => expect(scoreTemperature(v)).toBe(s));

  it('whole-number parameters are rounded half-up', () => {
    expect(scoreSpo2Scale1(95.5)).toBe(0); // → 96
    expect(scoreSpo2Scale1(95.4)).toBe(1); // → 95
    expect(scoreSpo2Scale2(92.5, true)).toBe(1); // → 93 on oxygen
    expect(scoreSpo2Scale2(92.4, true)).toBe(0); // → 92
    expect(scoreRespiratoryRate(20.5)).toBe(2); // → 21
    expect(scoreRespiratoryRate(20.4)).toBe(0); // → 20
    expect(scoreRespiratoryRate(8.5)).toBe(1); // → 9
    expect(scoreSystolic(110.5)).toBe(0); // → 111
    expect(scoreSystolic(90.5)).toBe(2); // → 91
    expect(scoreSystolic(219.5)).toBe(3); // → 220
    expect(scorePulse(90.5)).toBe(1); // → 91
    expect(scorePulse(40.5)).toBe(1); // → 41
    expect(scorePulse(130.4)).toBe(2); // → 130
  });

  it('a °F reading is scored on its converted °C value', () => {
    // 95.09 °F = 35.05 °C → 35.1 → 1 point; 95 °F = 35.0 °C → 3 points.
    expect(scoreTemperature(normaliseTemperature(95.09, '[degF]').celsius)).toBe(1);
    expect(scoreTemperature(normaliseTemperature(95, '[degF]').celsius)).toBe(3);
  });
});

/** A complete set scoring 0 on Scale 1. */
const normal: NormalisedVitals = {
  respiratoryRate: 16,
  spo2: 98,
  supplementalOxygen: false,
  systolic: 124,
  pulse: 72,
  consciousness: 'A',
  temperature: normaliseTemperature(37.0, 'Cel'),
};

describe('NEWS2 aggregate, risk band and clinical response', () => {
  it.each<[number, boolean, News2Band]>([
    [0, false, 'low'],
    [4, false, 'low'],
    [3, true, 'low-medium'],
    [4, true, 'low-medium'],
    [5, false, 'medium'],
    [5, true, 'medium'],
    [6, true, 'medium'],
    [7, false, 'high'],
    [7, true, 'high'],
    [15, true, 'high'],
  ])('aggregate %d, single 3: %s → %s', (aggregate, three, band) => expect(news2Band(aggregate, three)).toBe(band));

  it('all normal: 0, low, routine 12-hourly monitoring', () => {
    const r = computeNews2(normal);
    expect(r).toMatchObject({ scale: 1, complete: true, missing: [], aggregate: 0, band: 'low', minimumBand: 'low', singleParameterThree: false });
    expect(r.subScores).toEqual({ respiratoryRate: 0, spo2: 0, airOrOxygen: 0, systolic: 0, pulse: 0, consciousness: 0, temperature: 0 });
    expect(r.response?.title).toBe('Routine monitoring');
    expect(r.response?.monitoring).toMatch(/12 hours/);
  });

  it('aggregate 1–4 without a 3 is low with 4–6-hourly monitoring', () => {
    const r = computeNews2({ ...normal, respiratoryRate: 22, pulse: 95, temperature: normaliseTemperature(38.4, 'Cel') });
    expect(r.aggregate).toBe(4);
    expect(r.band).toBe('low');
    expect(r.response?.title).toBe('Ward-based response');
    expect(r.response?.monitoring).toMatch(/4–6 hours/);
  });

  it('a single parameter scoring 3 makes an otherwise low score low-medium (urgent ward response)', () => {
    const r = computeNews2({ ...normal, consciousness: 'C' });
    expect(r.aggregate).toBe(3);
    expect(r.singleParameterThree).toBe(true);
    expect(r.band).toBe('low-medium');
    expect(r.response?.title).toBe('Urgent ward-based response');
    expect(r.response?.monitoring).toMatch(/every hour/);
  });

  it('aggregate 5–6 is medium even with a 3; 7 or more is high', () => {
    const five = computeNews2({ ...normal, supplementalOxygen: true, respiratoryRate: 22, spo2: 95 });
    expect(five.subScores).toMatchObject({ airOrOxygen: 2, respiratoryRate: 2, spo2: 1 });
    expect(five).toMatchObject({ aggregate: 5, band: 'medium' });
    expect(five.response?.title).toBe('Key threshold for urgent response');

    const six = computeNews2({ ...normal, systolic: 88, pulse: 115, temperature: normaliseTemperature(38.2, 'Cel') });
    expect(six).toMatchObject({ aggregate: 6, band: 'medium', singleParameterThree: true });

    const high = computeNews2({ ...normal, respiratoryRate: 26, spo2: 90, supplementalOxygen: true, pulse: 120 });
    expect(high.aggregate).toBe(3 + 3 + 2 + 2);
    expect(high.band).toBe('high');
    expect(high.response?.title).toBe('Emergency response');
    expect(high.response?.monitoring).toMatch(/Continuous/);
  });

  it('supplemental oxygen adds 2 on Scale 1 without changing the SpO2 sub-score', () => {
    const air = computeNews2({ ...normal, spo2: 94 });
    const oxygen = computeNews2({ ...normal, spo2: 94, supplementalOxygen: true });
    expect(air.subScores.spo2).toBe(1);
    expect(oxygen.subScores.spo2).toBe(1);
    expect(oxygen.aggregate! - air.aggregate!).toBe(2);
  });

  it('Scale 2: target 88–92 % scores 0; high SpO2 on oxygen scores 1–3 plus 2 for oxygen', () => {
    const copdOnAir = computeNews2({ ...normal, spo2: 89 }, { scale: 2 });
    expect(copdOnAir).toMatchObject({ scale: 2, aggregate: 0, band: 'low' });
    expect(computeNews2({ ...normal, spo2: 89 }, { scale: 1 }).aggregate).toBe(3);

    const overOxygenated = computeNews2({ ...normal, spo2: 97, supplementalOxygen: true }, { scale: 2 });
    expect(overOxygenated.subScores).toMatchObject({ spo2: 3, airOrOxygen: 2 });
    expect(overOxygenated).toMatchObject({ aggregate: 5, band: 'medium' });

    expect(computeNews2({ ...normal, spo2: 97, supplementalOxygen: false }, { scale: 2 }).aggregate).toBe(0);
    expect(computeNews2({ ...normal, spo2: 93, supplementalOxygen: true }, { scale: 2 }).subScores.spo2).toBe(1);
  });
});

describe('NEWS2 with missing parameters', () => {
  it('is incomplete, names what is missing, and gives no aggregate, band or response', () => {
    const { temperature: _t, ...noTemperature } = normal;
    const r = computeNews2(noTemperature);
    expect(r.complete).toBe(false);
    expect(r.missing).toEqual(['temperature']);
    expect(r.aggregate).toBeNull();
    expect(r.band).toBeNull();
    expect(r.response).toBeNull();
    expect(r.subScores.temperature).toBeUndefined();
    expect(r.subScores.pulse).toBe(0);
  });

  it('treats unknown air/oxygen as missing', () => {
    const { supplementalOxygen: _o, ...noOxygen } = normal;
    const r = computeNews2(noOxygen);
    expect(r.complete).toBe(false);
    expect(r.missing).toEqual(['airOrOxygen']);
  });

  it('on Scale 2 cannot score SpO2 ≥ 93 % without knowing about oxygen', () => {
    const { supplementalOxygen: _o, ...noOxygen } = normal;
    expect(computeNews2({ ...noOxygen, spo2: 95 }, { scale: 2 }).missing).toEqual(['spo2', 'airOrOxygen']);
    expect(computeNews2({ ...noOxygen, spo2: 90 }, { scale: 2 }).missing).toEqual(['airOrOxygen']);
  });

  it('still reports a single 3 as a minimum band of low-medium', () => {
    const r = computeNews2({ pulse: 135 });
    expect(r.complete).toBe(false);
    expect(r.missing).toHaveLength(6);
    expect(r.singleParameterThree).toBe(true);
    expect(r.minimumBand).toBe('low-medium');
    expect(computeNews2({ pulse: 80 }).minimumBand).toBe('low');
  });

  it('minimumBand never exceeds the band of the complete set (property)', () => {
    const rank: Record<News2Band, number> = { low: 0, 'low-medium': 1, medium: 2, high: 3 };
    const completeVitals = fc.record({
      respiratoryRate: fc.integer({ min: 2, max: 80 }),
      spo2: fc.integer({ min: 50, max: 100 }),
      supplementalOxygen: fc.boolean(),
      systolic: fc.integer({ min: 40, max: 300 }),
      pulse: fc.integer({ min: 20, max: 300 }),
      consciousness: fc.constantFrom('A', 'C', 'V', 'P', 'U' as const),
      temperature: fc.integer({ min: 250, max: 450 }).map((t) => normaliseTemperature(t / 10, 'Cel')),
    });
    const dropKeys = fc.subarray(['respiratoryRate', 'spo2', 'supplementalOxygen', 'systolic', 'pulse', 'consciousness', 'temperature'] as const);
    fc.assert(
      fc.property(completeVitals, dropKeys, fc.constantFrom(1 as const, 2 as const), (full, drop, scale) => {
        const complete = computeNews2(full, { scale });
        expect(complete.complete).toBe(true);
        expect(complete.aggregate).toBe(Object.values(complete.subScores).reduce((a, b) => a + b, 0));
        expect(Object.keys(complete.subScores).sort()).toEqual([...NEWS2_PARAMETERS].sort());
        const partial: NormalisedVitals = { ...full };
        for (const k of drop) delete partial[k];
        const p = computeNews2(partial, { scale });
        expect(rank[p.minimumBand]).toBeLessThanOrEqual(rank[complete.band!]);
        for (const [k, s] of Object.entries(p.subScores)) expect(complete.subScores[k as keyof typeof complete.subScores]).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});
