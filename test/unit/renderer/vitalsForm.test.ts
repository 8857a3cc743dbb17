import { describe, expect, it } from 'vitest';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { emptyVitalsForm, parseMeasurement, toVitalsInput, vitalsFormFrom } from '../../../renderer/src/clinical/vitalsForm';

describe('vitals form → VitalsInput', () => {
  it('omits empty boxes instead of sending 0, and reports an empty form', () => {
    const { input, errors, empty } = toVitalsInput(emptyVitalsForm());
    expect(input).toEqual({});
    expect(errors).toEqual({});
    expect(empty).toBe(true);
  });

  it('sends supplemental oxygen as an explicit boolean, but oxygen alone is not a measurement', () => {
    const air = toVitalsInput({ ...emptyVitalsForm(), supplementalOxygen: 'air' });
    expect(air.input).toEqual({ supplementalOxygen: false });
    expect(air.empty).toBe(true);
    const oxygen = toVitalsInput({ ...emptyVitalsForm(), supplementalOxygen: 'oxygen', spo2: '94' });
    expect(oxygen.input).toEqual({ supplementalOxygen: true, spo2: 94 });
    expect(oxygen.empty).toBe(false);
  });

  it('builds a full set the core accepts, with units, decimal commas and spaces', () => {
    const form = {
      ...emptyVitalsForm(),
      respiratoryRate: '18',
      spo2: ' 96 ',
      supplementalOxygen: 'air' as const,
      systolic: '120',
      diastolic: '80',
      pulse: '72',
      consciousness: 'A' as const,
      temperature: '98,6',
      temperatureUnit: '[degF]' as const,
      bloodGlucose: '99',
      glucoseUnit: 'mg/dL' as const,
    };
    const { input, errors, empty } = toVitalsInput(form);
    expect(errors).toEqual({});
    expect(empty).toBe(false);
    expect(input).toEqual({
      respiratoryRate: 18,
      spo2: 96,
      supplementalOxygen: false,
      systolic: 120,
      diastolic: 80,
      pulse: 72,
      consciousness: 'A',
      temperature: { value: 98.6, unit: '[degF]' },
      bloodGlucose: { value: 99, unit: 'mg/dL' },
    });
    const checked = validateVitals(input);
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.value.temperature?.celsius).toBe(37);
  });

  it('flags text that is not a number instead of sending it', () => {
    const { input, errors } = toVitalsInput({ ...emptyVitalsForm(), pulse: '7O', spo2: '95' });
    expect(errors).toEqual({ pulse: 'Pulse must be a number.' });
    expect(input).toEqual({ spo2: 95 });
    expect(Number.isNaN(parseMeasurement('1e3'))).toBe(true);
    expect(Number.isNaN(parseMeasurement('12.5.1'))).toBe(true);
    expect(parseMeasurement('.5')).toBe(0.5);
    expect(parseMeasurement('   ')).toBeNull();
  });

  it('pre-fills an amendment form with the values as entered, which convert back to the same input', () => {
    const original = validateVitals({ spo2: 93, supplementalOxygen: true, temperature: { value: 100.4, unit: '[degF]' }, consciousness: 'V' });
    expect(original.ok).toBe(true);
    if (!original.ok) return;
    const form = vitalsFormFrom(original.value);
    expect(form).toMatchObject({ spo2: '93', supplementalOxygen: 'oxygen', temperature: '100.4', temperatureUnit: '[degF]', consciousness: 'V', pulse: '' });
    expect(toVitalsInput(form).input).toEqual({
      spo2: 93,
      supplementalOxygen: true,
      temperature: { value: 100.4, unit: '[degF]' },
      consciousness: 'V',
    });
  });
});
