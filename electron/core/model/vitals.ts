/**
 * What a vitals set is: the schema of vitals as entered (forms, API, device readings) with
 * physiological plausibility limits and per-field messages a nurse can act on, and the
 * normalised form records keep (canonical units; clinical/vitals.ts converts).
 *
 * Ranges are plausibility limits (what a living ward patient and a working device can produce),
 * not normal ranges: they catch typing errors (SpO2 "9" instead of "96", °F typed as °C) without
 * refusing genuinely critical values, which NEWS2 must see. Values must be JSON numbers: strings
 * (even "96") are refused so a form bug cannot silently coerce. `null` means "not measured".
 */
import { z } from 'zod';

/** ACVPU levels used by NEWS2: Alert, new Confusion, responds to Voice, to Pain, Unresponsive. */
export const ACVPU = {
  A: 'Alert',
  C: 'New confusion',
  V: 'Responds to voice',
  P: 'Responds to pain',
  U: 'Unresponsive',
} as const;
export type Acvpu = keyof typeof ACVPU;
export const ACVPU_LEVELS = Object.keys(ACVPU) as Acvpu[];

/**
 * How supplemental oxygen is delivered (the devices a NEWS2 chart's oxygen box is filled with).
 * Recorded with the flow (L/min) or the inspired fraction (FiO2 %) for a patient on oxygen.
 */
export const OXYGEN_DEVICES = {
  'nasal-cannula': 'Nasal cannula',
  'simple-mask': 'Simple face mask',
  venturi: 'Venturi mask',
  'non-rebreather': 'Non-rebreather mask',
  'high-flow': 'High-flow nasal oxygen',
  other: 'Other',
} as const;
export type OxygenDevice = keyof typeof OXYGEN_DEVICES;
export const OXYGEN_DEVICE_KINDS = Object.keys(OXYGEN_DEVICES) as OxygenDevice[];

/** The UCUM codes of the two units temperature may be entered in. */
export type TemperatureUnit = 'Cel' | '[degF]';
/** The UCUM codes of the two units blood glucose may be entered in. */
export type GlucoseUnit = 'mg/dL' | 'mmol/L';

interface Limit {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

/** Plausibility limits, inclusive. Temperature and glucose have one pair per accepted unit. */
export const VITAL_LIMITS = {
  respiratoryRate: { label: 'Respiratory rate', min: 2, max: 80, unit: 'breaths/min' },
  spo2: { label: 'SpO2', min: 50, max: 100, unit: '%' },
  systolic: { label: 'Systolic blood pressure', min: 40, max: 300, unit: 'mmHg' },
  diastolic: { label: 'Diastolic blood pressure', min: 20, max: 200, unit: 'mmHg' },
  pulse: { label: 'Pulse', min: 20, max: 300, unit: 'beats/min' },
  temperatureCelsius: { label: 'Temperature', min: 25, max: 45, unit: '°C' },
  temperatureFahrenheit: { label: 'Temperature', min: 77, max: 113, unit: '°F' },
  glucoseMmolPerL: { label: 'Blood glucose', min: 1, max: 50, unit: 'mmol/L' },
  glucoseMgPerDl: { label: 'Blood glucose', min: 18, max: 900, unit: 'mg/dL' },
  oxygenFlow: { label: 'Oxygen flow', min: 0.1, max: 80, unit: 'L/min' },
  fio2: { label: 'Inspired oxygen (FiO2)', min: 21, max: 100, unit: '%' },
} as const satisfies Record<string, Limit>;

/**
 * The usual clinical range, in canonical units, inside the plausibility limits: a value outside
 * it is possible (a pulse of 300 in a tachyarrhythmia, 45 °C in heat stroke) but far more often a
 * typing slip, so whoever enters it confirms it explicitly ("confirm value") and the record says
 * so. Device readings are what the device measured and need no confirmation.
 */
export const USUAL_RANGES = {
  respiratoryRate: { min: 5, max: 50 },
  spo2: { min: 70, max: 100 },
  systolic: { min: 60, max: 250 },
  diastolic: { min: 30, max: 150 },
  pulse: { min: 30, max: 200 },
  temperature: { min: 33, max: 41.5 },
  bloodGlucose: { min: 2, max: 30 },
  oxygenFlow: { min: 0.5, max: 60 },
} as const satisfies Partial<Record<string, { min: number; max: number }>>;
export type UnusualField = keyof typeof USUAL_RANGES;
export const UNUSUAL_FIELDS = Object.keys(USUAL_RANGES) as UnusualField[];

const rangeMessage = (l: Limit): string => `${l.label} must be between ${l.min} and ${l.max} ${l.unit}.`;
const numberMessage = (l: Limit): string => `${l.label} must be a number between ${l.min} and ${l.max} ${l.unit}.`;

/** A finite number within `l`, or null/absent for "not measured". */
function measured(l: Limit) {
  return z
    .number({ error: numberMessage(l) })
    .min(l.min, { error: rangeMessage(l) })
    .max(l.max, { error: rangeMessage(l) })
    .nullish();
}

const TEMPERATURE_UNITS = ['Cel', '[degF]'] as const satisfies readonly TemperatureUnit[];
const GLUCOSE_UNITS = ['mg/dL', 'mmol/L'] as const satisfies readonly GlucoseUnit[];

const temperatureLimit = (unit: TemperatureUnit): Limit =>
  unit === 'Cel' ? VITAL_LIMITS.temperatureCelsius : VITAL_LIMITS.temperatureFahrenheit;
const glucoseLimit = (unit: GlucoseUnit): Limit =>
  unit === 'mmol/L' ? VITAL_LIMITS.glucoseMmolPerL : VITAL_LIMITS.glucoseMgPerDl;

const TEMPERATURE_SHAPE_MESSAGE =
  'Temperature must be a number between 25 and 45 °C (unit Cel) or 77 and 113 °F (unit [degF]).';
const GLUCOSE_SHAPE_MESSAGE =
  'Blood glucose must be a number between 1 and 50 mmol/L (unit mmol/L) or 18 and 900 mg/dL (unit mg/dL).';

const temperatureSchema = z
  .strictObject(
    {
      value: z.number({ error: TEMPERATURE_SHAPE_MESSAGE }),
      unit: z.enum(TEMPERATURE_UNITS, { error: 'Temperature unit must be Cel (°C) or [degF] (°F).' }),
    },
    { error: TEMPERATURE_SHAPE_MESSAGE },
  )
  .superRefine((t, ctx) => {
    const l = temperatureLimit(t.unit);
    if (t.value < l.min || t.value > l.max) ctx.addIssue({ code: 'custom', message: rangeMessage(l), path: ['value'] });
  });

const glucoseSchema = z
  .strictObject(
    {
      value: z.number({ error: GLUCOSE_SHAPE_MESSAGE }),
      unit: z.enum(GLUCOSE_UNITS, { error: 'Blood glucose unit must be mmol/L or mg/dL.' }),
    },
    { error: GLUCOSE_SHAPE_MESSAGE },
  )
  .superRefine((g, ctx) => {
    const l = glucoseLimit(g.unit);
    if (g.value < l.min || g.value > l.max) ctx.addIssue({ code: 'custom', message: rangeMessage(l), path: ['value'] });
  });

/** Every vitals field, in the order a normalised vitals set holds them (so encodings compare byte-equal). */
export const VITALS_FIELD_ORDER = [
  'respiratoryRate',
  'spo2',
  'supplementalOxygen',
  'oxygenDevice',
  'oxygenFlow',
  'fio2',
  'systolic',
  'diastolic',
  'pulse',
  'consciousness',
  'temperature',
  'bloodGlucose',
] as const satisfies ReadonlyArray<keyof NormalisedVitals>;

/** The oxygen a patient breathes: context of a set, not a measurement of the patient. */
export const OXYGEN_FIELDS = ['supplementalOxygen', 'oxygenDevice', 'oxygenFlow', 'fio2'] as const;
type OxygenField = (typeof OXYGEN_FIELDS)[number];

/** Fields that count as a measurement (oxygen alone is context, not a measurement). */
export const MEASUREMENT_FIELDS = VITALS_FIELD_ORDER.filter(
  (f): f is Exclude<(typeof VITALS_FIELD_ORDER)[number], OxygenField> => !(OXYGEN_FIELDS as readonly string[]).includes(f),
);
export type VitalsField = (typeof VITALS_FIELD_ORDER)[number];

export const EMPTY_VITALS_MESSAGE = 'Enter at least one measurement.';
export const DIASTOLIC_ORDER_MESSAGE = 'Diastolic blood pressure must be lower than systolic blood pressure.';
export const OXYGEN_ONLY_ON_OXYGEN_MESSAGE = 'Oxygen delivery is recorded only for a patient on oxygen: choose “Oxygen” first.';
export const FLOW_OR_FIO2_MESSAGE = 'Give the oxygen flow in L/min or the inspired fraction (FiO2), not both.';

/** Schema of a vitals set as entered (forms, API, device readings). */
export const VitalsInputSchema = z
  .strictObject(
    {
      respiratoryRate: measured(VITAL_LIMITS.respiratoryRate),
      spo2: measured(VITAL_LIMITS.spo2),
      supplementalOxygen: z
        .boolean({ error: 'Supplemental oxygen must be true (on oxygen) or false (on air).' })
        .nullish(),
      oxygenDevice: z
        .enum(OXYGEN_DEVICE_KINDS as [OxygenDevice, ...OxygenDevice[]], {
          error: `Oxygen delivery device must be one of: ${Object.values(OXYGEN_DEVICES).join(', ')}.`,
        })
        .nullish(),
      oxygenFlow: measured(VITAL_LIMITS.oxygenFlow),
      fio2: measured(VITAL_LIMITS.fio2),
      systolic: measured(VITAL_LIMITS.systolic),
      diastolic: measured(VITAL_LIMITS.diastolic),
      pulse: measured(VITAL_LIMITS.pulse),
      consciousness: z
        .enum(ACVPU_LEVELS as [Acvpu, ...Acvpu[]], {
          error: 'Consciousness must be one of A, C, V, P, U (ACVPU).',
        })
        .nullish(),
      temperature: temperatureSchema.nullish(),
      bloodGlucose: glucoseSchema.nullish(),
    },
    { error: 'Vitals must be an object of measurements.' },
  )
  .superRefine((v, ctx) => {
    if (!MEASUREMENT_FIELDS.some((f) => v[f] != null)) {
      ctx.addIssue({ code: 'custom', message: EMPTY_VITALS_MESSAGE, path: [] });
    }
    if (v.systolic != null && v.diastolic != null && v.diastolic >= v.systolic) {
      ctx.addIssue({ code: 'custom', message: DIASTOLIC_ORDER_MESSAGE, path: ['diastolic'] });
    }
    if (v.supplementalOxygen !== true) {
      for (const f of ['oxygenDevice', 'oxygenFlow', 'fio2'] as const) {
        if (v[f] != null) ctx.addIssue({ code: 'custom', message: OXYGEN_ONLY_ON_OXYGEN_MESSAGE, path: [f] });
      }
    }
    if (v.oxygenFlow != null && v.fio2 != null) ctx.addIssue({ code: 'custom', message: FLOW_OR_FIO2_MESSAGE, path: ['fio2'] });
  });

export type VitalsInput = z.input<typeof VitalsInputSchema>;
/** A vitals set that passed the schema, in the units it was entered in. */
export type ParsedVitals = z.output<typeof VitalsInputSchema>;

/** Validated vitals in canonical units. Absent measurements are absent keys (never undefined). */
export interface NormalisedVitals {
  respiratoryRate?: number;
  spo2?: number;
  supplementalOxygen?: boolean;
  /** How oxygen is delivered (only on oxygen). */
  oxygenDevice?: OxygenDevice;
  /** Oxygen flow, L/min (LOINC 3151-8). */
  oxygenFlow?: number;
  /** Inspired oxygen fraction, % (LOINC 3150-0). */
  fio2?: number;
  systolic?: number;
  diastolic?: number;
  pulse?: number;
  consciousness?: Acvpu;
  /** `celsius` is canonical (2 decimals when converted); `entered` is what was typed or sent. */
  temperature?: { celsius: number; entered: { value: number; unit: TemperatureUnit } };
  /** `mmolPerL` is canonical (2 decimals when converted); `entered` is what was typed or sent. */
  bloodGlucose?: { mmolPerL: number; entered: { value: number; unit: GlucoseUnit } };
}

/** Per-field messages; keys are VitalsField names, unknown input keys, or 'form' for the whole set. */
export type VitalsErrors = Record<string, string>;

/**
 * Per-field messages of a failed vitals parse: keyed by vital sign (the first problem of each),
 * unknown keys by their own name, and 'form' for the set as a whole. Issue paths are relative to
 * the vitals object.
 */
export function vitalsFieldErrors(issues: readonly z.core.$ZodIssue[]): VitalsErrors {
  const errors: VitalsErrors = {};
  const put = (field: string, message: string): void => {
    if (!(field in errors)) errors[field] = message;
  };
  for (const issue of issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
    if (issue.code === 'unrecognized_keys' && field === undefined) {
      for (const key of issue.keys) put(key, `"${key}" is not a vital sign WardLedger records.`);
    } else {
      put(field ?? 'form', issue.message);
    }
  }
  return errors;
}
