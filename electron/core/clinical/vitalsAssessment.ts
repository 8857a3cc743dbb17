/**
 * Vitals with their NEWS2: what a vitals record holds (the score on the patient's scale at the
 * time, kept in the signed record), and the live preview a nurse sees while typing.
 */
import type { News2Result, News2Scale } from '../model/news2';
import type { NormalisedVitals, VitalsErrors } from '../model/vitals';
import { computeNews2 } from './news2';
import { validateVitals } from './vitals';

/** The content of a vitals record: the vitals and NEWS2 on the patient's scale. */
export function assessVitals(vitals: NormalisedVitals, scale: News2Scale): { vitals: NormalisedVitals; news2: News2Result } {
  return { vitals, news2: computeNews2(vitals, { scale }) };
}

/** NEWS2 of recorded vitals: as recorded, or computed for content that holds none (device readings). */
export function news2Of(content: { vitals: NormalisedVitals; news2?: News2Result }, scale: News2Scale): News2Result {
  return content.news2 ?? computeNews2(content.vitals, { scale });
}

export interface VitalsPreview {
  valid: boolean;
  errors: VitalsErrors;
  news2: News2Result | null;
}

/** Validate vitals as typed; while some are invalid, score what is valid so the NEWS2 builds up. */
export function previewVitals(input: unknown, scale: News2Scale): VitalsPreview {
  const v = validateVitals(input);
  if (v.ok) return { valid: true, errors: {}, news2: computeNews2(v.value, { scale }) };
  const partial = validateVitals(withoutInvalid(input, v.errors));
  return { valid: false, errors: v.errors, news2: partial.ok ? computeNews2(partial.value, { scale }) : null };
}

/** The vitals input without the fields that failed validation. */
function withoutInvalid(input: unknown, errors: VitalsErrors): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of Object.keys(errors)) delete copy[field.split('.')[0]!];
  return copy;
}
