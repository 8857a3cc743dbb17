/**
 * Vitals validation and normalisation to canonical units (temperature °C, glucose mmol/L; the
 * entered value and unit are kept so nothing the nurse typed is lost). What a vitals set is, and
 * its plausibility limits, are in model/vitals.ts.
 */
import { WardError } from '../model/errors';
import { USUAL_RANGES, VITALS_FIELD_ORDER, VitalsInputSchema, vitalsFieldErrors, type NormalisedVitals, type ParsedVitals, type UnusualField, type VitalsErrors } from '../model/vitals';
import type { GlucoseUnit, TemperatureUnit } from '../model/vitals';
import { toCelsius, toMmolPerL } from './units';

export type VitalsValidation = { ok: true; value: NormalisedVitals } | { ok: false; errors: VitalsErrors };

/**
 * Validates a vitals set and converts it to canonical units.
 * @param input untrusted input (form data, API body, device reading)
 * @returns the normalised vitals, or one message per offending field (the first problem found)
 */
export function validateVitals(input: unknown): VitalsValidation {
  const parsed = VitalsInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: vitalsFieldErrors(parsed.error.issues) };
  return { ok: true, value: normaliseVitals(parsed.data) };
}

/**
 * Like validateVitals but throws.
 * @throws WardError('BAD_INPUT') with `details.fields` holding the per-field messages
 */
export function requireValidVitals(input: unknown): NormalisedVitals {
  const result = validateVitals(input);
  if (result.ok) return result.value;
  const messages = Object.values(result.errors);
  throw new WardError('BAD_INPUT', messages.length === 1 ? messages[0] : 'Some vital signs need correcting.', {
    fields: result.errors,
  });
}

/** A vitals set that passed the schema, in canonical units. */
export function normaliseVitals(v: ParsedVitals): NormalisedVitals {
  const out: NormalisedVitals = {};
  if (v.respiratoryRate != null) out.respiratoryRate = v.respiratoryRate;
  if (v.spo2 != null) out.spo2 = v.spo2;
  if (v.supplementalOxygen != null) out.supplementalOxygen = v.supplementalOxygen;
  if (v.oxygenDevice != null) out.oxygenDevice = v.oxygenDevice;
  if (v.oxygenFlow != null) out.oxygenFlow = v.oxygenFlow;
  if (v.fio2 != null) out.fio2 = v.fio2;
  if (v.systolic != null) out.systolic = v.systolic;
  if (v.diastolic != null) out.diastolic = v.diastolic;
  if (v.pulse != null) out.pulse = v.pulse;
  if (v.consciousness != null) out.consciousness = v.consciousness;
  if (v.temperature != null) out.temperature = normaliseTemperature(v.temperature.value, v.temperature.unit);
  if (v.bloodGlucose != null) out.bloodGlucose = normaliseGlucose(v.bloodGlucose.value, v.bloodGlucose.unit);
  return out;
}

/** The same vitals with their keys in VITALS_FIELD_ORDER (e.g. after reading a FHIR export back). */
export function inCanonicalOrder(v: NormalisedVitals): NormalisedVitals {
  const out: Record<string, unknown> = {};
  for (const k of VITALS_FIELD_ORDER) if (v[k] !== undefined) out[k] = v[k];
  return out as NormalisedVitals;
}

/** Canonical temperature from an entered value (also used when reading a FHIR export back). */
export function normaliseTemperature(value: number, unit: TemperatureUnit): NonNullable<NormalisedVitals['temperature']> {
  return { celsius: toCelsius(value, unit), entered: { value, unit } };
}

/** Canonical glucose from an entered value (also used when reading a FHIR export back). */
export function normaliseGlucose(value: number, unit: GlucoseUnit): NonNullable<NormalisedVitals['bloodGlucose']> {
  return { mmolPerL: toMmolPerL(value, unit), entered: { value, unit } };
}

/** A field's value in the canonical unit its usual range is given in (temperature °C, glucose mmol/L). */
function canonicalValue(v: NormalisedVitals, f: UnusualField): number | undefined {
  if (f === 'temperature') return v.temperature?.celsius;
  if (f === 'bloodGlucose') return v.bloodGlucose?.mmolPerL;
  return v[f];
}

/** The fields of a set whose values lie outside the usual clinical range (model/vitals.ts USUAL_RANGES). */
export function unusualValues(v: NormalisedVitals): UnusualField[] {
  return (Object.keys(USUAL_RANGES) as UnusualField[]).filter((f) => {
    const x = canonicalValue(v, f);
    return x !== undefined && (x < USUAL_RANGES[f].min || x > USUAL_RANGES[f].max);
  });
}
