import { describe, expect, it } from 'vitest';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import {
  draftOf,
  emptyVitalsForm,
  formFromDraft,
  fromLocalInput,
  hasEntries,
  parseMeasurement,
  toLocalInput,
  toObservationInput,
  vitalsFormFrom,
  type VitalsFormState,
} from '../../../renderer/src/clinical/vitalsForm';

/** The vitals part of the conversion (most tests here are about the boxes). */
function toVitalsInput(form: VitalsFormState) {
  const c = toObservationInput(form);
  return { input: c.input.vitals, errors: c.errors, empty: c.empty };
}

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

  it('names an over-long entry as an error instead of sending it as "not measured" (issue 8)', () => {
    // JSON.stringify turns the Number of a 400-digit text into null: the core would have seen "missing".
    const longText = '1'.repeat(400);
    expect(JSON.stringify({ r: Number(longText) })).toBe('{"r":null}');
    const { input, errors, empty } = toVitalsInput({ ...emptyVitalsForm(), respiratoryRate: longText, pulse: '80' });
    expect(errors.respiratoryRate).toMatch(/too long to be a measurement/);
    expect(input).toEqual({ pulse: 80 });
    expect(empty).toBe(false);
    expect(toVitalsInput({ ...emptyVitalsForm(), spo2: '123456789' }).errors.spo2).toMatch(/too long/);
    expect(parseMeasurement('36.85')).toBe(36.85);
  });

  it('sends how oxygen is given, and clears nothing the nurse did not say', () => {
    const c = toVitalsInput({ ...emptyVitalsForm(), supplementalOxygen: 'oxygen', oxygenDevice: 'venturi', fio2: '28', spo2: '93' });
    expect(c.input).toEqual({ spo2: 93, supplementalOxygen: true, oxygenDevice: 'venturi', fio2: 28 });
    expect(validateVitals(c.input).ok).toBe(true);
  });
});

describe('what the nurse states about a set', () => {
  it('sends the time taken only when one is given, as an instant', () => {
    expect(toObservationInput({ ...emptyVitalsForm(), pulse: '70' }).input.takenAt).toBeUndefined();
    const local = '2026-03-10T14:05';
    const c = toObservationInput({ ...emptyVitalsForm(), pulse: '70', takenAt: local, lateEntryReason: ' Busy with an arrest ' });
    expect(c.input.takenAt).toBe(new Date(2026, 2, 10, 14, 5).toISOString());
    expect(c.input.lateEntryReason).toBe('Busy with an arrest');
    expect(toLocalInput(fromLocalInput(local)!)).toBe(local);
    expect(toObservationInput({ ...emptyVitalsForm(), pulse: '70', takenAt: 'soon' }).errors.takenAt).toBeDefined();
  });

  it('sends the confirmed values and the missing-parameter reason, chosen or typed', () => {
    const chosen = toObservationInput({ ...emptyVitalsForm(), pulse: '300', confirmed: ['pulse'], missingChoice: 'refused' });
    expect(chosen.input).toMatchObject({ confirmed: ['pulse'], missingReason: 'Patient declined' });
    const other = toObservationInput({ ...emptyVitalsForm(), pulse: '70', missingChoice: 'other', missingOther: ' Arm in plaster ' });
    expect(other.input.missingReason).toBe('Arm in plaster');
  });

  it('keeps a draft as text and restores the same form', () => {
    const form = { ...emptyVitalsForm(), pulse: '300', confirmed: ['pulse' as const], supplementalOxygen: 'oxygen' as const, oxygenDevice: 'simple-mask' as const };
    const draft = draftOf(form);
    expect(Object.values(draft).every((v) => typeof v === 'string')).toBe(true);
    expect(formFromDraft(draft)).toEqual(form);
    expect(formFromDraft({ pulse: '80', unknown: 'x' })).toEqual({ ...emptyVitalsForm(), pulse: '80' });
    expect(hasEntries(emptyVitalsForm())).toBe(false);
    expect(hasEntries({ ...emptyVitalsForm(), takenAt: '2026-03-10T14:05' })).toBe(false);
    expect(hasEntries({ ...emptyVitalsForm(), consciousness: 'A' })).toBe(true);
  });
});
