import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { DIASTOLIC_ORDER_MESSAGE, EMPTY_VITALS_MESSAGE, VITAL_LIMITS, VITALS_FIELD_ORDER } from '../../../electron/core/model/vitals';
import { inCanonicalOrder, requireValidVitals, validateVitals } from '../../../electron/core/clinical/vitals';

function errorsOf(input: unknown): Record<string, string> {
  const result = validateVitals(input);
  if (result.ok) throw new Error('expected validation to fail');
  return result.errors;
}

describe('validateVitals: accepted input', () => {
  it('normalises a full set: °F to °C and mg/dL to mmol/L, keeping what was entered', () => {
    const result = validateVitals({
      respiratoryRate: 18,
      spo2: 96,
      supplementalOxygen: false,
      systolic: 128,
      diastolic: 82,
      pulse: 76,
      consciousness: 'A',
      temperature: { value: 99.5, unit: '[degF]' },
      bloodGlucose: { value: 110, unit: 'mg/dL' },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        respiratoryRate: 18,
        spo2: 96,
        supplementalOxygen: false,
        systolic: 128,
        diastolic: 82,
        pulse: 76,
        consciousness: 'A',
        temperature: { celsius: 37.5, entered: { value: 99.5, unit: '[degF]' } },
        bloodGlucose: { mmolPerL: 6.11, entered: { value: 110, unit: 'mg/dL' } },
      },
    });
  });

  it('keeps canonical units as entered', () => {
    const result = validateVitals({ temperature: { value: 36.8, unit: 'Cel' }, bloodGlucose: { value: 5.4, unit: 'mmol/L' } });
    expect(result).toEqual({
      ok: true,
      value: {
        temperature: { celsius: 36.8, entered: { value: 36.8, unit: 'Cel' } },
        bloodGlucose: { mmolPerL: 5.4, entered: { value: 5.4, unit: 'mmol/L' } },
      },
    });
  });

  it('treats null as not measured and leaves absent keys out (no undefined values)', () => {
    const result = validateVitals({ spo2: 97, pulse: null, temperature: null });
    expect(result).toEqual({ ok: true, value: { spo2: 97 } });
    if (result.ok) expect(Object.keys(result.value)).toEqual(['spo2']);
  });

  it('accepts a single measurement of any kind', () => {
    expect(validateVitals({ consciousness: 'V' }).ok).toBe(true);
    expect(validateVitals({ diastolic: 60 }).ok).toBe(true);
    expect(validateVitals({ bloodGlucose: { value: 4.2, unit: 'mmol/L' } }).ok).toBe(true);
  });

  it('accepts every ACVPU level', () => {
    for (const level of ['A', 'C', 'V', 'P', 'U']) expect(validateVitals({ consciousness: level }).ok).toBe(true);
  });
});

describe('canonical key order', () => {
  it('validateVitals holds its fields in VITALS_FIELD_ORDER, and inCanonicalOrder restores it', () => {
    const r = validateVitals({
      bloodGlucose: { value: 110, unit: 'mg/dL' },
      temperature: { value: 37, unit: 'Cel' },
      consciousness: 'A',
      pulse: 70,
      diastolic: 80,
      systolic: 120,
      fio2: 28,
      oxygenDevice: 'venturi',
      supplementalOxygen: true,
      spo2: 97,
      respiratoryRate: 16,
    });
    if (!r.ok) throw new Error('expected valid vitals');
    // Flow and FiO2 are one or the other: every field but oxygenFlow is present here.
    expect(Object.keys(r.value)).toEqual(VITALS_FIELD_ORDER.filter((f) => f !== 'oxygenFlow'));
    const shuffled = Object.fromEntries(Object.entries(r.value).reverse());
    expect(JSON.stringify(inCanonicalOrder(shuffled))).toBe(JSON.stringify(r.value));
  });
});

describe('validateVitals: range limits are inclusive, with one clear message per field', () => {
  const simple = [
    ['respiratoryRate', VITAL_LIMITS.respiratoryRate, 'Respiratory rate must be between 2 and 80 breaths/min.'],
    ['spo2', VITAL_LIMITS.spo2, 'SpO2 must be between 50 and 100 %.'],
    ['systolic', VITAL_LIMITS.systolic, 'Systolic blood pressure must be between 40 and 300 mmHg.'],
    ['diastolic', VITAL_LIMITS.diastolic, 'Diastolic blood pressure must be between 20 and 200 mmHg.'],
    ['pulse', VITAL_LIMITS.pulse, 'Pulse must be between 20 and 300 beats/min.'],
  ] as const;

  it.each(simple)('%s', (field, limit, message) => {
    expect(validateVitals({ [field]: limit.min }).ok).toBe(true);
    expect(validateVitals({ [field]: limit.max }).ok).toBe(true);
    expect(errorsOf({ [field]: limit.min - 0.1 })).toEqual({ [field]: message });
    expect(errorsOf({ [field]: limit.max + 0.1 })).toEqual({ [field]: message });
  });

  it.each([
    ['Cel', 25, 45, 'Temperature must be between 25 and 45 °C.'],
    ['[degF]', 77, 113, 'Temperature must be between 77 and 113 °F.'],
  ] as const)('temperature in %s', (unit, min, max, message) => {
    expect(validateVitals({ temperature: { value: min, unit } }).ok).toBe(true);
    expect(validateVitals({ temperature: { value: max, unit } }).ok).toBe(true);
    expect(errorsOf({ temperature: { value: min - 0.1, unit } })).toEqual({ temperature: message });
    expect(errorsOf({ temperature: { value: max + 0.1, unit } })).toEqual({ temperature: message });
  });

  it.each([
    ['mmol/L', 1, 50, 'Blood glucose must be between 1 and 50 mmol/L.'],
    ['mg/dL', 18, 900, 'Blood glucose must be between 18 and 900 mg/dL.'],
  ] as const)('blood glucose in %s', (unit, min, max, message) => {
    expect(validateVitals({ bloodGlucose: { value: min, unit } }).ok).toBe(true);
    expect(validateVitals({ bloodGlucose: { value: max, unit } }).ok).toBe(true);
    expect(errorsOf({ bloodGlucose: { value: min - 0.1, unit } })).toEqual({ bloodGlucose: message });
    expect(errorsOf({ bloodGlucose: { value: max + 0.1, unit } })).toEqual({ bloodGlucose: message });
  });

  it('catches °F typed with the Celsius unit and vice versa', () => {
    expect(errorsOf({ temperature: { value: 98.6, unit: 'Cel' } })).toEqual({
      temperature: 'Temperature must be between 25 and 45 °C.',
    });
    expect(errorsOf({ temperature: { value: 37, unit: '[degF]' } })).toEqual({
      temperature: 'Temperature must be between 77 and 113 °F.',
    });
  });
});

describe('validateVitals: bad input', () => {
  const spo2Type = 'SpO2 must be a number between 50 and 100 %.';

  it('refuses an empty set', () => {
    expect(errorsOf({})).toEqual({ form: EMPTY_VITALS_MESSAGE });
    expect(errorsOf({ spo2: null, pulse: null })).toEqual({ form: EMPTY_VITALS_MESSAGE });
  });

  it('does not count supplemental oxygen alone as a measurement', () => {
    expect(errorsOf({ supplementalOxygen: true })).toEqual({ form: EMPTY_VITALS_MESSAGE });
  });

  it.each([null, undefined, 'spo2=96', 42, [96]])('refuses a non-object (%s)', (input) => {
    expect(errorsOf(input)).toEqual({ form: 'Vitals must be an object of measurements.' });
  });

  it.each([
    ['a word', 'ten'],
    ['a numeric string', '96'],
    ['an empty string', ''],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a boolean', true],
    ['an object', { value: 96 }],
  ])('refuses %s as a number', (_label, value) => {
    expect(errorsOf({ spo2: value })).toEqual({ spo2: spo2Type });
  });

  it('refuses negative and absurd values', () => {
    expect(errorsOf({ pulse: -72 })).toEqual({ pulse: 'Pulse must be between 20 and 300 beats/min.' });
    expect(errorsOf({ spo2: 960 })).toEqual({ spo2: 'SpO2 must be between 50 and 100 %.' });
    expect(errorsOf({ respiratoryRate: 1e9 })).toEqual({ respiratoryRate: 'Respiratory rate must be between 2 and 80 breaths/min.' });
    expect(errorsOf({ temperature: { value: -5, unit: 'Cel' } })).toEqual({ temperature: 'Temperature must be between 25 and 45 °C.' });
    expect(errorsOf({ systolic: 0 })).toEqual({ systolic: 'Systolic blood pressure must be between 40 and 300 mmHg.' });
  });

  it('reports every bad field at once, one message each', () => {
    expect(errorsOf({ spo2: 'ten', pulse: 900, consciousness: 'X', temperature: { value: 'hot', unit: 'Cel' } })).toEqual({
      spo2: spo2Type,
      pulse: 'Pulse must be between 20 and 300 beats/min.',
      consciousness: 'Consciousness must be one of A, C, V, P, U (ACVPU).',
      temperature: 'Temperature must be a number between 25 and 45 °C (unit Cel) or 77 and 113 °F (unit [degF]).',
    });
  });

  it('requires diastolic below systolic', () => {
    expect(errorsOf({ systolic: 120, diastolic: 120 })).toEqual({ diastolic: DIASTOLIC_ORDER_MESSAGE });
    expect(errorsOf({ systolic: 80, diastolic: 95 })).toEqual({ diastolic: DIASTOLIC_ORDER_MESSAGE });
    expect(validateVitals({ systolic: 120, diastolic: 119 }).ok).toBe(true);
  });

  it('refuses unknown units, missing units and bare numbers for temperature and glucose', () => {
    expect(errorsOf({ temperature: { value: 310, unit: 'K' } })).toEqual({
      temperature: 'Temperature unit must be Cel (°C) or [degF] (°F).',
    });
    expect(errorsOf({ bloodGlucose: { value: 5, unit: 'mg/dl' } })).toEqual({
      bloodGlucose: 'Blood glucose unit must be mmol/L or mg/dL.',
    });
    expect(Object.keys(errorsOf({ temperature: 37 }))).toEqual(['temperature']);
    expect(Object.keys(errorsOf({ bloodGlucose: { value: 5 } }))).toEqual(['bloodGlucose']);
  });

  it('refuses a non-boolean oxygen flag and unknown fields', () => {
    expect(errorsOf({ spo2: 95, supplementalOxygen: 'yes' })).toEqual({
      supplementalOxygen: 'Supplemental oxygen must be true (on oxygen) or false (on air).',
    });
    expect(errorsOf({ spo2: 95, heartRate: 80 })).toEqual({ heartRate: '"heartRate" is not a vital sign WardLedger records.' });
  });

  it('requireValidVitals throws WardError BAD_INPUT with per-field details', () => {
    expect(requireValidVitals({ pulse: 80 })).toEqual({ pulse: 80 });
    let caught: unknown;
    try {
      requireValidVitals({ spo2: 'ten', pulse: 5 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WardError);
    const err = caught as WardError;
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toBe('Some vital signs need correcting.');
    expect(err.details).toEqual({ fields: { spo2: spo2Type, pulse: 'Pulse must be between 20 and 300 beats/min.' } });
    expect(() => requireValidVitals({ spo2: 40 })).toThrow('SpO2 must be between 50 and 100 %.');
  });
});
