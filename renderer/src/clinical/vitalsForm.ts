/**
 * The vitals form as typed (text in every box) and its conversion to the core's observation input
 * (the vitals, when the set was taken, and what the nurse states about it). Empty boxes are
 * omitted, never sent as 0; text that is not a number — or is too long to be one — is caught here
 * and named, because the core refuses strings and a number the form cannot read must never be
 * sent as "not measured".
 */
import {
  MISSING_REASONS,
  VITALS_FIELD_ORDER,
  type Acvpu,
  type GlucoseUnit,
  type NormalisedVitals,
  type ObservationInput,
  type OxygenDevice,
  type RecordContent,
  type TemperatureUnit,
  type UnusualField,
  type VitalsInput,
} from '../api/contract';

export type OxygenChoice = '' | 'air' | 'oxygen';
export type MissingChoice = '' | keyof typeof MISSING_REASONS | 'other';

export interface VitalsFormState {
  respiratoryRate: string;
  spo2: string;
  supplementalOxygen: OxygenChoice;
  oxygenDevice: OxygenDevice | '';
  oxygenFlow: string;
  fio2: string;
  systolic: string;
  diastolic: string;
  pulse: string;
  consciousness: Acvpu | '';
  temperature: string;
  temperatureUnit: TemperatureUnit;
  bloodGlucose: string;
  glucoseUnit: GlucoseUnit;
  /** When the set was taken, as a datetime-local value; '' = now (when it is saved). */
  takenAt: string;
  lateEntryReason: string;
  /** Values outside the usual range the nurse ticked "Confirm value" for. */
  confirmed: UnusualField[];
  missingChoice: MissingChoice;
  missingOther: string;
}

/** Field names as the core keys its per-field messages, in the order of a vitals set. */
export const vitalsFields = VITALS_FIELD_ORDER;
export type VitalsFieldName = (typeof vitalsFields)[number];
/** Every field the observation form can name in an error (vitals, then what is stated about the set). */
export const observationFieldOrder = ['takenAt', 'lateEntryReason', ...VITALS_FIELD_ORDER, 'missingReason'] as const;
export type ObservationFieldName = (typeof observationFieldOrder)[number];

type NumberField = 'respiratoryRate' | 'spo2' | 'oxygenFlow' | 'fio2' | 'systolic' | 'diastolic' | 'pulse' | 'temperature' | 'bloodGlucose';
const numberLabels: Record<NumberField, string> = {
  respiratoryRate: 'Respiratory rate',
  spo2: 'SpO2',
  oxygenFlow: 'Oxygen flow',
  fio2: 'FiO2',
  systolic: 'Systolic BP',
  diastolic: 'Diastolic BP',
  pulse: 'Pulse',
  temperature: 'Temperature',
  bloodGlucose: 'Blood glucose',
};
/** The boxes that hold a measurement of the patient (oxygen is context). */
const MEASUREMENT_BOXES = ['respiratoryRate', 'spo2', 'systolic', 'diastolic', 'pulse', 'temperature', 'bloodGlucose'] as const;

/** Longest text a measurement box accepts ("1234.567"): anything longer is a slip, and said so. */
export const MAX_MEASUREMENT_CHARACTERS = 8;

export function emptyVitalsForm(): VitalsFormState {
  return {
    respiratoryRate: '',
    spo2: '',
    supplementalOxygen: '',
    oxygenDevice: '',
    oxygenFlow: '',
    fio2: '',
    systolic: '',
    diastolic: '',
    pulse: '',
    consciousness: '',
    temperature: '',
    temperatureUnit: 'Cel',
    bloodGlucose: '',
    glucoseUnit: 'mmol/L',
    takenAt: '',
    lateEntryReason: '',
    confirmed: [],
    missingChoice: '',
    missingOther: '',
  };
}

/** A form pre-filled with a recorded set (for amending it), values as they were entered, at the time it was taken. */
export function vitalsFormFrom(v: NormalisedVitals, content?: Pick<RecordContent, 'measuredAt' | 'confirmedValues'>): VitalsFormState {
  const text = (n: number | undefined): string => (n === undefined ? '' : String(n));
  return {
    ...emptyVitalsForm(),
    respiratoryRate: text(v.respiratoryRate),
    spo2: text(v.spo2),
    supplementalOxygen: v.supplementalOxygen === undefined ? '' : v.supplementalOxygen ? 'oxygen' : 'air',
    oxygenDevice: v.oxygenDevice ?? '',
    oxygenFlow: text(v.oxygenFlow),
    fio2: text(v.fio2),
    systolic: text(v.systolic),
    diastolic: text(v.diastolic),
    pulse: text(v.pulse),
    consciousness: v.consciousness ?? '',
    temperature: text(v.temperature?.entered.value),
    temperatureUnit: v.temperature?.entered.unit ?? 'Cel',
    bloodGlucose: text(v.bloodGlucose?.entered.value),
    glucoseUnit: v.bloodGlucose?.entered.unit ?? 'mmol/L',
    takenAt: content?.measuredAt ? toLocalInput(content.measuredAt) : '',
    confirmed: [...(content?.confirmedValues ?? [])],
  };
}

/**
 * A typed number ("36,8" and " 96 " accepted), null for empty, NaN for anything that is not a
 * number, and Infinity for text too long to be a measurement (a 400-digit "respiratory rate").
 */
export function parseMeasurement(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  if (trimmed.length > MAX_MEASUREMENT_CHARACTERS) return Number.POSITIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed)) return Number.NaN;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : Number.POSITIVE_INFINITY;
}

/** A datetime-local value ("2026-03-10T14:05") for an instant, in this workstation's time zone. */
export function toLocalInput(iso: string | number): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The instant a datetime-local value means here, or null when it is not a date and time. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export interface ObservationConversion {
  input: ObservationInput;
  /** Messages for boxes the form cannot read. */
  errors: Partial<Record<ObservationFieldName, string>>;
  /** True when nothing at all was entered (oxygen alone is not a measurement). */
  empty: boolean;
}

/** The missing-parameter reason as recorded: the chosen answer, or the words given for "other". */
export function missingReasonText(form: Pick<VitalsFormState, 'missingChoice' | 'missingOther'>): string {
  if (form.missingChoice === 'other') return form.missingOther.trim();
  return form.missingChoice ? MISSING_REASONS[form.missingChoice] : '';
}

/** Build the observation input the core expects from what was typed. */
export function toObservationInput(form: VitalsFormState): ObservationConversion {
  const vitals: Record<string, unknown> = {};
  const errors: ObservationConversion['errors'] = {};
  let measurements = 0;

  for (const key of Object.keys(numberLabels) as NumberField[]) {
    const value = parseMeasurement(form[key]);
    if (value === null) continue;
    if ((MEASUREMENT_BOXES as readonly string[]).includes(key)) measurements++;
    if (Number.isNaN(value)) {
      errors[key] = `${numberLabels[key]} must be a number.`;
      continue;
    }
    if (!Number.isFinite(value)) {
      errors[key] = `${numberLabels[key]} is too long to be a measurement (at most ${MAX_MEASUREMENT_CHARACTERS} characters): check it.`;
      continue;
    }
    if (key === 'temperature') vitals.temperature = { value, unit: form.temperatureUnit };
    else if (key === 'bloodGlucose') vitals.bloodGlucose = { value, unit: form.glucoseUnit };
    else vitals[key] = value;
  }
  if (form.supplementalOxygen !== '') vitals.supplementalOxygen = form.supplementalOxygen === 'oxygen';
  if (form.oxygenDevice !== '') vitals.oxygenDevice = form.oxygenDevice;
  if (form.consciousness !== '') {
    vitals.consciousness = form.consciousness;
    measurements++;
  }

  const input: ObservationInput = { vitals: vitals as VitalsInput };
  if (form.takenAt !== '') {
    const takenAt = fromLocalInput(form.takenAt);
    if (takenAt) input.takenAt = takenAt;
    else errors.takenAt = 'Give the date and time the set was taken.';
  }
  if (form.lateEntryReason.trim()) input.lateEntryReason = form.lateEntryReason.trim();
  if (form.confirmed.length) input.confirmed = [...form.confirmed];
  const missing = missingReasonText(form);
  if (missing) input.missingReason = missing;
  return { input, errors, empty: measurements === 0 };
}

/** Anything typed that would be lost by leaving (the time and unit boxes alone are not an entry). */
export function hasEntries(form: VitalsFormState): boolean {
  return (
    [...MEASUREMENT_BOXES, 'oxygenFlow', 'fio2', 'lateEntryReason', 'missingOther'].some((k) => (form[k as keyof VitalsFormState] as string).trim() !== '') ||
    form.supplementalOxygen !== '' ||
    form.oxygenDevice !== '' ||
    form.consciousness !== ''
  );
}

/** The form as a draft the core keeps (every field as text). */
export function draftOf(form: VitalsFormState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) out[k] = Array.isArray(v) ? v.join(',') : String(v);
  return out;
}

/** A form from a kept draft (unknown fields are ignored, missing ones empty). */
export function formFromDraft(draft: Record<string, string>): VitalsFormState {
  const form = emptyVitalsForm();
  for (const key of Object.keys(form) as Array<keyof VitalsFormState>) {
    const value = draft[key];
    if (value === undefined) continue;
    if (key === 'confirmed') form.confirmed = value ? (value.split(',') as UnusualField[]) : [];
    else (form as unknown as Record<string, string>)[key] = value;
  }
  return form;
}
