/**
 * Normalised glucometer measurements. Capillary glucose codes come from clinical/codes.ts; blood
 * ketone and sensor (interstitial) glucose are not there yet, so their codes are defined here.
 */
import { WardError } from '../model/errors';
import { MEASUREMENTS } from '../clinical/codes';
import type { Measurement } from './types';

/** MDC_CONC_GLU_ISF (partition 2, term 29140): glucose in interstitial fluid, i.e. a sensor scan. */
export const MDC_CONC_GLU_ISF = 160212;
/** LOINC "Glucose [Mass/volume] in Interstitial fluid". */
export const LOINC_GLUCOSE_ISF_MASS = '99504-3';
/** LOINC "Beta hydroxybutyrate [Moles/volume] in Blood by Test strip" (what a ketone strip measures). */
export const LOINC_KETONE_BLOOD_STRIP = '66441-7';
/**
 * IEEE 11073-10101 has no term for blood beta-ketone; this is a private-use term (partition 2,
 * term 0xF000, the range the standard reserves for private codes) so the value is still coded.
 */
export const MDC_PRIVATE_KETONE_BLOOD = 2 * 65536 + 0xf000;

function finite(value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new WardError('PROTOCOL', 'The meter reported a value that is not a valid measurement.');
  return value;
}

export function capillaryGlucoseMgDl(value: number): Measurement {
  const c = MEASUREMENTS.glucoseMass;
  return { mdc: c.mdc[0], loinc: c.loinc, unit: c.ucum, value: finite(value) };
}

export function capillaryGlucoseMmolL(value: number): Measurement {
  const c = MEASUREMENTS.glucoseMoles;
  return { mdc: c.mdc[0], loinc: c.loinc, unit: c.ucum, value: finite(value) };
}

export function sensorGlucoseMgDl(value: number): Measurement {
  return { mdc: MDC_CONC_GLU_ISF, loinc: LOINC_GLUCOSE_ISF_MASS, unit: 'mg/dL', value: finite(value) };
}

export function bloodKetoneMmolL(value: number): Measurement {
  return { mdc: MDC_PRIVATE_KETONE_BLOOD, loinc: LOINC_KETONE_BLOOD_STRIP, unit: 'mmol/L', value: finite(value) };
}

/** FreeStyle meters report ketone in mg/dL-like units: mmol/L = raw / 18 (two decimals kept). */
export function freestyleKetoneToMmolL(raw: number): number {
  return Math.round((finite(raw) / 18) * 100) / 100;
}
