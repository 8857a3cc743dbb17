/**
 * Unit conversion for the two measurements nurses enter in more than one unit.
 *
 * Factors:
 *   - glucose: mmol/L = mg/dL ÷ 18.016 (molar mass of glucose 180.16 g/mol; some meters use 18,
 *     which differs by < 0.1 %, far below meter accuracy).
 *   - temperature: °C = (°F − 32) × 5/9.
 *
 * Precision: every conversion rounds half-up (half away from zero) to 2 decimal places. That is
 * one decimal finer than the clinical display precision (0.1 °C / 0.1 °F, 0.1 mmol/L, whole
 * mg/dL), so a value entered at display precision survives a round trip exactly once the result
 * is rounded back to display precision (tested). NEWS2 applies its own banding rule on top.
 */
import type { GlucoseUnit, TemperatureUnit } from '../model/vitals';

/** Glucose: milligrams per decilitre in one millimole per litre. */
import { GLUCOSE_MG_PER_DL_PER_MMOL_PER_L } from '../model/vitals';

export { GLUCOSE_MG_PER_DL_PER_MMOL_PER_L };
/** Decimal places of every converted value. */
export const CONVERSION_DECIMALS = 2;

/**
 * Rounds half-up (half away from zero) to `decimals` places, treating the input as the decimal a
 * person typed: 35.05 → 35.1 even though the binary double is 35.04999…. Scaled values are first
 * cut to 15 significant digits, which removes binary noise but no digits anyone entered.
 */
export function roundHalfUp(value: number, decimals = 0): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** decimals;
  const scaled = Number((Math.abs(value) * factor).toPrecision(15));
  const rounded = Math.round(scaled) / factor;
  return value < 0 ? -rounded : rounded;
}

/** mg/dL → mmol/L (÷ 18.016), rounded to 2 decimals. */
export function mgPerDlToMmolPerL(mgPerDl: number): number {
  return roundHalfUp(mgPerDl / GLUCOSE_MG_PER_DL_PER_MMOL_PER_L, CONVERSION_DECIMALS);
}

/** mmol/L → mg/dL (× 18.016), rounded to 2 decimals. */
export function mmolPerLToMgPerDl(mmolPerL: number): number {
  return roundHalfUp(mmolPerL * GLUCOSE_MG_PER_DL_PER_MMOL_PER_L, CONVERSION_DECIMALS);
}

/** °F → °C, rounded to 2 decimals. */
export function fahrenheitToCelsius(fahrenheit: number): number {
  return roundHalfUp(((fahrenheit - 32) * 5) / 9, CONVERSION_DECIMALS);
}

/** °C → °F, rounded to 2 decimals. */
export function celsiusToFahrenheit(celsius: number): number {
  return roundHalfUp((celsius * 9) / 5 + 32, CONVERSION_DECIMALS);
}


/** Temperature in °C from a value in either UCUM unit. */
export function toCelsius(value: number, unit: TemperatureUnit): number {
  return unit === 'Cel' ? value : fahrenheitToCelsius(value);
}

/** Glucose in mmol/L from a value in either UCUM unit. */
export function toMmolPerL(value: number, unit: GlucoseUnit): number {
  return unit === 'mmol/L' ? value : mgPerDlToMmolPerL(value);
}
