/**
 * The one vitals path (clinical/vitalsAssessment.ts): a hand-entered set and a device reading
 * become the same content and score, on the scale given; what a nurse must state about a set is
 * asked for, field by field. NEWS2 points follow the RCP 2017 NEWS2 chart (shared/reference/
 * CLINICAL.md), e.g. Scale 2 SpO2 96 % on oxygen → 2, on air → 0; Scale 1 SpO2 96 % → 0.
 */
import { describe, expect, it } from 'vitest';
import { assessObservation, observationContent, previewObservation } from '../../../electron/core/clinical/vitalsAssessment';
import { WardError } from '../../../electron/core/model/errors';
import type { VitalsInput } from '../../../electron/core/model/vitals';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const entered = { kind: 'entered' as const, now: NOW };
const full: VitalsInput = {
  respiratoryRate: 18,
  spo2: 96,
  supplementalOxygen: false,
  systolic: 122,
  diastolic: 78,
  pulse: 72,
  consciousness: 'A',
  temperature: { value: 37.1, unit: 'Cel' },
};

function errorsOf(input: Parameters<typeof assessObservation>[0], scale: 1 | 2 = 1, source: Parameters<typeof assessObservation>[2] = entered) {
  const a = assessObservation(input, scale, source);
  if (a.ok) throw new Error('expected the set to be refused');
  return a.errors;
}

describe('one vitals path: content and score', () => {
  it('stores the vitals, NEWS2 on the scale given (the score carries its scale), and the time taken', () => {
    const c = observationContent({ vitals: full }, 1, entered);
    expect(c.measuredAt).toBe(new Date(NOW).toISOString());
    expect(c.news2).toMatchObject({ scale: 1, complete: true, aggregate: 0, band: 'low' });
    const onOxygen = observationContent({ vitals: { ...full, supplementalOxygen: true, oxygenDevice: 'nasal-cannula', oxygenFlow: 2 } }, 2, entered);
    // Scale 2: SpO2 96 % on oxygen scores 2, oxygen 2 → 4.
    expect(onOxygen.news2).toMatchObject({ scale: 2, aggregate: 4, subScores: { spo2: 2, airOrOxygen: 2 } });
    expect(onOxygen.vitals).toMatchObject({ oxygenDevice: 'nasal-cannula', oxygenFlow: 2 });
  });

  it('gives a device reading and the same values typed by hand the same vitals and score', () => {
    const device = { driver: 'po80', model: 'PO 80', serial: 'S', deviceRecordId: '1', receivedAt: new Date(NOW).toISOString() };
    const measuredAt = new Date(NOW - 30_000).toISOString();
    const fromDevice = observationContent({ vitals: { spo2: 96, pulse: 74 } }, 2, { kind: 'device', measuredAt, device });
    const byHand = observationContent({ vitals: { spo2: 96, pulse: 74 }, takenAt: measuredAt, missingReason: 'Spot check between full sets' }, 2, entered);
    expect(fromDevice.vitals).toEqual(byHand.vitals);
    expect(fromDevice.news2).toEqual(byHand.news2);
    // Scale 2, SpO2 ≥ 93 % with oxygen unknown: SpO2 cannot be scored, on either path.
    expect(fromDevice.news2.missing).toContain('spo2');
    expect(fromDevice).toMatchObject({ measuredAt, device });
  });
});

describe('time taken', () => {
  it('defaults to now, refuses the future, asks why when more than an hour back', () => {
    expect(errorsOf({ vitals: full, takenAt: new Date(NOW + 5 * 60_000).toISOString() }).takenAt).toMatch(/future/);
    // A minute of clock skew between screen and core is tolerated.
    expect(assessObservation({ vitals: full, takenAt: new Date(NOW + 30_000).toISOString() }, 1, entered).ok).toBe(true);
    const late = new Date(NOW - 61 * 60_000).toISOString();
    expect(errorsOf({ vitals: full, takenAt: late }).lateEntryReason).toMatch(/more than an hour ago/);
    const c = observationContent({ vitals: full, takenAt: late, lateEntryReason: 'Emergency on the ward' }, 1, entered);
    expect(c).toMatchObject({ measuredAt: late, lateEntryReason: 'Emergency on the ward' });
    // 59 minutes back is not late: no reason asked, none kept.
    expect(observationContent({ vitals: full, takenAt: new Date(NOW - 59 * 60_000).toISOString(), lateEntryReason: 'x' }, 1, entered).lateEntryReason).toBeUndefined();
    expect(errorsOf({ vitals: full, takenAt: '2025-03-10T12:00:00.000Z', lateEntryReason: 'typo' }).takenAt).toMatch(/check the date/);
  });

  it('an amendment keeps the original time, and needs no late-entry reason', () => {
    const original = '2026-03-08T06:00:00.000Z';
    const c = observationContent({ vitals: full }, 1, { ...entered, amending: { measuredAt: original } });
    expect(c.measuredAt).toBe(original);
    expect(c.lateEntryReason).toBeUndefined();
  });
});

describe('unusual, over-long and missing values', () => {
  it('asks to confirm a value outside the usual range but possible (pulse 300, 45 °C), and records the confirmation', () => {
    const unusual = { ...full, pulse: 300, temperature: { value: 45, unit: 'Cel' as const } };
    const e = errorsOf({ vitals: unusual });
    expect(e.pulse).toMatch(/outside the usual range \(30–200 beats\/min\).*Confirm value/);
    expect(e.temperature).toMatch(/outside the usual range \(33–41.5 °C\)/);
    const c = observationContent({ vitals: unusual, confirmed: ['pulse', 'temperature'] }, 1, entered);
    expect(c.confirmedValues).toEqual(['pulse', 'temperature']);
    expect(c.news2.subScores).toMatchObject({ pulse: 3, temperature: 2 });
    // 113 °F is 45 °C: the same question, whatever the unit.
    expect(errorsOf({ vitals: { ...full, temperature: { value: 113, unit: '[degF]' } } }).temperature).toMatch(/usual range/);
    // A confirmation of a usual value records nothing.
    expect(observationContent({ vitals: full, confirmed: ['pulse'] }, 1, entered).confirmedValues).toBeUndefined();
  });

  it('a device value outside the usual range is what the device measured: no confirmation asked', () => {
    const device = { driver: 'd', model: 'm', serial: 's', deviceRecordId: '1', receivedAt: new Date(NOW).toISOString() };
    expect(assessObservation({ vitals: { pulse: 250 } }, 1, { kind: 'device', measuredAt: new Date(NOW).toISOString(), device }).ok).toBe(true);
  });

  it('an impossible value is an error, never "not measured"', () => {
    // What a 400-digit respiratory rate becomes in JSON is not a number the schema accepts.
    expect(errorsOf({ vitals: { ...full, respiratoryRate: 1e300 } }).respiratoryRate).toMatch(/between 2 and 80/);
  });

  it('a partial NEWS2 set asks which parameters are missing and why; a glucose check alone does not', () => {
    const partial = { respiratoryRate: 18, spo2: 96, pulse: 72 };
    expect(errorsOf({ vitals: partial }).missingReason).toBe('NEWS2 needs all seven parameters: say why air or oxygen, systolic BP, consciousness, temperature are missing.');
    expect(observationContent({ vitals: partial, missingReason: 'Patient asleep' }, 1, entered).missingReason).toBe('Patient asleep');
    expect(assessObservation({ vitals: { bloodGlucose: { value: 6.1, unit: 'mmol/L' } } }, 1, entered).ok).toBe(true);
  });

  it('oxygen: the delivery device and the flow (or FiO2) are asked for when on oxygen, refused on air', () => {
    const e = errorsOf({ vitals: { ...full, supplementalOxygen: true } });
    expect(e.oxygenDevice).toMatch(/how the oxygen is given/);
    expect(e.oxygenFlow).toMatch(/flow in L\/min/);
    expect(errorsOf({ vitals: { ...full, oxygenDevice: 'venturi', fio2: 28 } }).oxygenDevice).toMatch(/only for a patient on oxygen/);
    expect(errorsOf({ vitals: { ...full, supplementalOxygen: true, oxygenDevice: 'venturi', fio2: 28, oxygenFlow: 4 } }).fio2).toMatch(/not both/);
    expect(observationContent({ vitals: { ...full, supplementalOxygen: true, oxygenDevice: 'venturi', fio2: 28 } }, 1, entered).vitals.fio2).toBe(28);
  });

  it('refuses with BAD_INPUT and the per-field messages', () => {
    try {
      observationContent({ vitals: { ...full, pulse: 300 } }, 1, entered);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(WardError);
      expect((e as WardError).details).toMatchObject({ fields: { pulse: expect.stringMatching(/usual range/) } });
    }
  });
});

describe('the live preview', () => {
  it('scores what is valid so far and names the unusual values and the missing parameters', () => {
    const p = previewObservation({ vitals: { respiratoryRate: 26, pulse: 300, spo2: 'x' as unknown as number } }, 1, NOW);
    expect(p.valid).toBe(false);
    expect(p.errors.spo2).toBeDefined();
    expect(p.unusual).toEqual(['pulse']);
    expect(p.news2).toMatchObject({ complete: false, singleParameterThree: true, subScores: { respiratoryRate: 3, pulse: 3 } });
    expect(p.missing).toEqual(['spo2', 'airOrOxygen', 'systolic', 'consciousness', 'temperature']);
  });
});
