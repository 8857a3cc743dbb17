/**
 * How NEWS2 results are put into words on screen. Every band is shown as text (never colour
 * alone); the colour class only reinforces it.
 */
import type { News2Band, News2Parameter, News2Result } from '../api/contract';

export const NEWS2_PARAMETER_COUNT = 7;

export const bandLabels: Record<News2Band, string> = {
  low: 'Low',
  'low-medium': 'Low–medium',
  medium: 'Medium',
  high: 'High',
};

/** The parameters in the order the RCP chart lists them, with their names on screen. */
export const parameterLabels: Record<News2Parameter, string> = {
  respiratoryRate: 'Respiration rate',
  spo2: 'SpO2',
  airOrOxygen: 'Air or oxygen',
  systolic: 'Systolic BP',
  pulse: 'Pulse',
  consciousness: 'Consciousness',
  temperature: 'Temperature',
};
export const parameterOrder = Object.keys(parameterLabels) as News2Parameter[];

/** "systolic BP, consciousness, temperature": parameters named inside a sentence. */
export function parameterList(params: readonly News2Parameter[]): string {
  return params.map((p) => (p === 'spo2' || p === 'systolic' ? parameterLabels[p].replace(/^S(?=y)/, 's') : parameterLabels[p].toLowerCase())).join(', ');
}

/** CSS modifier for a band's colour (low green, low-medium amber, medium orange, high red). */
export function bandClass(band: News2Band | null): string {
  return band ? `band--${band}` : 'band--incomplete';
}

/**
 * The colour class of a NEWS2 total chip. A total of 0 has its own (white, outlined) chip apart
 * from 1–4: the RCP response differs (Chart 4, "Clinical response to the NEWS trigger thresholds":
 * 0 → minimum 12-hourly, continue routine monitoring; total 1–4 → minimum 4–6-hourly, a registered
 * nurse must assess), so a 4 must not look like a 0. Otherwise low green, low–medium yellow
 * (a single parameter scoring 3), medium orange, high red.
 */
export function badgeClass(result: News2Result): string {
  if (result.complete && result.aggregate === 0) return 'band--zero';
  return bandClass(displayBand(result));
}

/** The colour classes of a score chip (no score: the incomplete colour). */
export function scoreClasses(result: News2Result | null): string[] {
  return [result ? badgeClass(result) : 'band--incomplete'];
}

/** Number of parameters that could be scored. */
export function scoredCount(result: News2Result): number {
  return NEWS2_PARAMETER_COUNT - result.missing.length;
}

/** What a screen reader hears when the score changes: total and band only ("NEWS2 5, medium risk"). */
export function news2Announcement(result: News2Result | null): string {
  if (!result) return '';
  if (result.complete && result.aggregate !== null && result.band) return `NEWS2 ${result.aggregate}, ${bandLabels[result.band].toLowerCase()} risk`;
  return `NEWS2 incomplete, at least ${bandLabels[result.minimumBand].toLowerCase()} risk`;
}

/** "5 — Medium", or "Incomplete (4 of 7 parameters)". */
export function news2Headline(result: News2Result): string {
  if (result.complete && result.aggregate !== null && result.band) {
    return `${result.aggregate} — ${bandLabels[result.band]}`;
  }
  return `Incomplete (${scoredCount(result)} of ${NEWS2_PARAMETER_COUNT} parameters)`;
}

/** Short badge text: "5 Medium" or "Incomplete". */
export function news2Short(result: News2Result): string {
  if (result.complete && result.aggregate !== null && result.band) return `${result.aggregate} ${bandLabels[result.band]}`;
  return 'Incomplete';
}

/** Hint for an incomplete set: the lowest band it could have once complete. */
export function minimumBandHint(result: News2Result): string | null {
  if (result.complete) return null;
  return `At least ${bandLabels[result.minimumBand].toLowerCase()} risk from the parameters entered so far.`;
}

/** The band's colour class for an incomplete set: the minimum band when it already calls for action. */
export function displayBand(result: News2Result): News2Band | null {
  if (result.band) return result.band;
  return result.minimumBand === 'low' ? null : result.minimumBand;
}

/** NEWS2 band areas for the NEWS2 chart (0–4 low, 5–6 medium, ≥ 7 high), as y ranges. */
export const news2BandAreas = [
  { band: 'low', label: '0–4 low', from: -0.5, to: 4.5 },
  { band: 'medium', label: '5–6 medium', from: 4.5, to: 6.5 },
  { band: 'high', label: '7 or more high', from: 6.5, to: 25 },
] as const;
