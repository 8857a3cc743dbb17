/**
 * The vitals form as typed (text in every box) and its conversion to the core's VitalsInput.
 * Empty boxes are omitted, never sent as 0; text that is not a number is caught here, because the
 * core refuses strings (a form bug must not silently coerce "96" into a measurement).
 */
import { VITALS_FIELD_ORDER, type Acvpu, type GlucoseUnit, type NormalisedVitals, type TemperatureUnit, type VitalsInput } from '../api/contract';

export type OxygenChoice = '' | 'air' | 'oxygen';

export interface VitalsFormState {
  respiratoryRate: string;
  spo2: string;
  supplementalOxygen: OxygenChoice;
  systolic: string;
  diastolic: string;
  pulse: string;
  consciousness: Acvpu | '';
  temperature: string;
  temperatureUnit: TemperatureUnit;
  bloodGlucose: string;
  glucoseUnit: GlucoseUnit;
}

/** Field names as the core keys its per-field messages, in the order of a vitals set. */
export const vitalsFields = VITALS_FIELD_ORDER;
export type VitalsFieldName = (typeof vitalsFields)[number];

const numberLabels: Record<Exclude<VitalsFieldName, 'supplementalOxygen' | 'consciousness'>, string> = {
  respiratoryRate: 'Respiratory rate',
  spo2: 'SpO2',
  systolic: 'Systolic BP',
  diastolic: 'Diastolic BP',
  pulse: 'Pulse',
  temperature: 'Temperature',
  bloodGlucose: 'Blood glucose',
};

export function emptyVitalsForm(): VitalsFormState {
  return {
    respiratoryRate: '',
    spo2: '',
    supplementalOxygen: '',
    systolic: '',
    diastolic: '',
    pulse: '',
    consciousness: '',
    temperature: '',
    temperatureUnit: 'Cel',
    bloodGlucose: '',
    glucoseUnit: 'mmol/L',
  };
}

/** A form pre-filled with a recorded set (for amending it), values as they were entered. */
export function vitalsFormFrom(v: NormalisedVitals): VitalsFormState {
  const text = (n: number | undefined): string => (n === undefined ? '' : String(n));
  return {
    respiratoryRate: text(v.respiratoryRate),
    spo2: text(v.spo2),
    supplementalOxygen: v.supplementalOxygen === undefined ? '' : v.supplementalOxygen ? 'oxygen' : 'air',
    systolic: text(v.systolic),
    diastolic: text(v.diastolic),
    pulse: text(v.pulse),
    consciousness: v.consciousness ?? '',
    temperature: text(v.temperature?.entered.value),
    temperatureUnit: v.temperature?.entered.unit ?? 'Cel',
    bloodGlucose: text(v.bloodGlucose?.entered.value),
    glucoseUnit: v.bloodGlucose?.entered.unit ?? 'mmol/L',
  };
}

/** A typed number ("36,8" and " 96 " accepted), null for empty, NaN for anything else. */
export function parseMeasurement(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed)) return Number.NaN;
  return Number(trimmed);
}

export interface VitalsConversion {
  input: VitalsInput;
  /** Messages for boxes that do not hold a number. */
  errors: Partial<Record<VitalsFieldName, string>>;
  /** True when nothing at all was entered (supplemental oxygen alone is not a measurement). */
  empty: boolean;
}

/** Build the VitalsInput the core expects from what was typed. */
export function toVitalsInput(form: VitalsFormState): VitalsConversion {
  const input: Record<string, unknown> = {};
  const errors: Partial<Record<VitalsFieldName, string>> = {};
  let measurements = 0;

  for (const key of ['respiratoryRate', 'spo2', 'systolic', 'diastolic', 'pulse', 'temperature', 'bloodGlucose'] as const) {
    const value = parseMeasurement(form[key]);
    if (value === null) continue;
    measurements++;
    if (Number.isNaN(value)) {
      errors[key] = `${numberLabels[key]} must be a number.`;
      continue;
    }
    if (key === 'temperature') input.temperature = { value, unit: form.temperatureUnit };
    else if (key === 'bloodGlucose') input.bloodGlucose = { value, unit: form.glucoseUnit };
    else input[key] = value;
  }
  if (form.supplementalOxygen !== '') input.supplementalOxygen = form.supplementalOxygen === 'oxygen';
  if (form.consciousness !== '') {
    input.consciousness = form.consciousness;
    measurements++;
  }
  return { input: input as VitalsInput, errors, empty: measurements === 0 };
}
