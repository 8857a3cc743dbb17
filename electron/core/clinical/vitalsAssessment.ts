/**
 * The one way a vitals set becomes what a record stores: validated vitals in canonical units,
 * NEWS2 on the patient's scale (the score keeps its scale), and the time the observation was made.
 * Every path uses it — nurse entry, amendments, device assignment, bound monitors (station
 * ingest) and the demo — so the same vitals give the same content and score wherever they come
 * from; the screens show the score as stored.
 *
 * A hand-entered set ('entered') also carries what the nurse states about it, and is refused
 * until it does: a time taken that is not in the future (and a reason when it is more than an
 * hour back), an explicit confirmation of each value outside the usual range, how oxygen is
 * given, and why NEWS2 parameters are missing from a partial set. A device reading ('device')
 * is what the device measured at the time it measured it: none of that is asked of it.
 */
import { WardError } from '../model/errors';
import type { DeviceProvenance } from '../model/devices';
import { FUTURE_TOLERANCE_SECONDS, LATE_ENTRY_MINUTES, OLDEST_ENTRY_DAYS, type ObservationInput, type VitalsPreview } from '../model/observations';
import { NEWS2_PARAMETERS, type News2Parameter, type News2Result, type News2Scale } from '../model/news2';
import type { VitalsContent } from '../model/records';
import { USUAL_RANGES, VITAL_LIMITS, type NormalisedVitals, type UnusualField, type VitalsErrors } from '../model/vitals';
import { computeNews2 } from './news2';
import { unusualValues, validateVitals } from './vitals';

/** Where a vitals set comes from, and what that path knows of its time. */
export type ObservationSource =
  /**
   * Typed by a nurse or doctor. `now` is the core's clock. An amendment keeps the time of the set
   * it corrects unless another is given, and its amendment reason covers a late entry.
   */
  | { kind: 'entered'; now: number; amending?: { measuredAt: string } }
  /** Measured by a device: a meter's memory or a bound monitor, at `measuredAt` (see devices/readingVitals.ts). */
  | { kind: 'device'; measuredAt: string; device: DeviceProvenance };

export type Assessment =
  | { ok: true; content: VitalsContent; unusual: UnusualField[] }
  | {
      ok: false;
      /** Per-field messages (vital signs by name; takenAt, lateEntryReason, missingReason, 'form'). */
      errors: VitalsErrors;
      /** NEWS2 of what is valid so far (null when nothing is), for the live score. */
      news2: News2Result | null;
      /** Values outside the usual range not yet confirmed. */
      unusual: UnusualField[];
    };

const UNUSUAL_LABELS: Record<UnusualField, { label: string; unit: string }> = {
  respiratoryRate: VITAL_LIMITS.respiratoryRate,
  spo2: VITAL_LIMITS.spo2,
  systolic: VITAL_LIMITS.systolic,
  diastolic: VITAL_LIMITS.diastolic,
  pulse: VITAL_LIMITS.pulse,
  temperature: VITAL_LIMITS.temperatureCelsius,
  bloodGlucose: VITAL_LIMITS.glucoseMmolPerL,
  oxygenFlow: VITAL_LIMITS.oxygenFlow,
};

/** "Pulse is outside the usual range (30–200 beats/min): check it, then confirm the value." */
export function unusualMessage(f: UnusualField): string {
  const { label, unit } = UNUSUAL_LABELS[f];
  return `${label} is outside the usual range (${USUAL_RANGES[f].min}–${USUAL_RANGES[f].max} ${unit}): check it, then tick “Confirm value”.`;
}

const PARAMETER_NAMES: Record<News2Parameter, string> = {
  respiratoryRate: 'respiration rate',
  spo2: 'SpO2',
  airOrOxygen: 'air or oxygen',
  systolic: 'systolic BP',
  pulse: 'pulse',
  consciousness: 'consciousness',
  temperature: 'temperature',
};

/** A partial NEWS2 set: some parameters scored, some not (a glucose check alone is no NEWS2 set). */
function isPartialSet(n: News2Result): boolean {
  return !n.complete && n.missing.length < NEWS2_PARAMETERS.length;
}

/**
 * Turn a vitals input and the patient's NEWS2 scale into record content, or say per field what
 * stops it. Never throws.
 */
export function assessObservation(input: ObservationInput, scale: News2Scale, source: ObservationSource): Assessment {
  const errors: VitalsErrors = {};
  const validated = validateVitals(input.vitals);
  let vitals: NormalisedVitals | null = null;
  if (validated.ok) vitals = validated.value;
  else {
    Object.assign(errors, validated.errors);
    const partial = validateVitals(withoutFields(input.vitals, Object.keys(validated.errors)));
    if (partial.ok) vitals = partial.value;
  }
  const news2 = vitals ? computeNews2(vitals, { scale }) : null;
  const unusualFound = vitals ? unusualValues(vitals) : [];

  let measuredAt: string;
  const statements: Pick<VitalsContent, 'lateEntryReason' | 'confirmedValues' | 'missingReason' | 'device'> = {};
  let unusual: UnusualField[] = [];
  if (source.kind === 'device') {
    measuredAt = source.measuredAt;
    statements.device = source.device;
  } else {
    measuredAt = enteredTime(input, source, errors);
    const confirmed = new Set(input.confirmed ?? []);
    unusual = unusualFound.filter((f) => !confirmed.has(f));
    for (const f of unusual) if (!(f in errors)) errors[f] = unusualMessage(f);
    const confirmedValues = unusualFound.filter((f) => confirmed.has(f));
    if (confirmedValues.length) statements.confirmedValues = confirmedValues;
    if (input.lateEntryReason && isLate(measuredAt, source)) statements.lateEntryReason = input.lateEntryReason;
    if (vitals?.supplementalOxygen === true) {
      if (vitals.oxygenDevice === undefined && !('oxygenDevice' in errors)) errors.oxygenDevice = 'Choose how the oxygen is given.';
      if (vitals.oxygenFlow === undefined && vitals.fio2 === undefined && !('oxygenFlow' in errors) && !('fio2' in errors)) {
        errors.oxygenFlow = 'Give the oxygen flow in L/min, or the inspired fraction (FiO2) for a Venturi or high-flow device.';
      }
    }
    if (news2 && isPartialSet(news2)) {
      if (input.missingReason) statements.missingReason = input.missingReason;
      else if (validated.ok) {
        errors.missingReason = `NEWS2 needs all seven parameters: say why ${news2.missing.map((p) => PARAMETER_NAMES[p]).join(', ')} ${news2.missing.length === 1 ? 'is' : 'are'} missing.`;
      }
    }
  }

  if (Object.keys(errors).length > 0 || !vitals || !news2) return { ok: false, errors, news2, unusual };
  return { ok: true, content: { measuredAt, vitals, news2, ...statements }, unusual: [] };
}

/**
 * Like assessObservation, for writing: the content, or WardError('BAD_INPUT') with the per-field
 * messages in `details.fields`.
 */
export function observationContent(input: ObservationInput, scale: News2Scale, source: ObservationSource): VitalsContent {
  const a = assessObservation(input, scale, source);
  if (a.ok) return a.content;
  const messages = Object.values(a.errors);
  throw new WardError('BAD_INPUT', messages.length === 1 ? messages[0]! : 'Some entries need attention before the set can be saved.', { fields: a.errors });
}

/** NEWS2 of recorded vitals: as recorded, or on the patient's scale for content written before every path stored one. */
export function news2Of(content: { vitals: NormalisedVitals; news2?: News2Result }, scale: News2Scale): News2Result {
  return content.news2 ?? computeNews2(content.vitals, { scale });
}

/**
 * The live check while a set is typed: what is invalid, which values need confirming, which NEWS2
 * parameters are missing, and the NEWS2 of what is valid so far (built up as the nurse types).
 */
export function previewObservation(input: ObservationInput, scale: News2Scale, now: number): VitalsPreview {
  const a = assessObservation(input, scale, { kind: 'entered', now });
  if (a.ok) return { valid: true, errors: {}, news2: a.content.news2, unusual: [], missing: a.content.news2.missing };
  return { valid: false, errors: a.errors, news2: a.news2, unusual: a.unusual, missing: a.news2?.missing ?? [...NEWS2_PARAMETERS] };
}

/** The time taken of a hand-entered set, checked: errors go into `errors`. */
function enteredTime(input: ObservationInput, source: Extract<ObservationSource, { kind: 'entered' }>, errors: VitalsErrors): string {
  const fallback = source.amending?.measuredAt ?? new Date(source.now).toISOString();
  if (input.takenAt === undefined) return fallback;
  const t = Date.parse(input.takenAt);
  if (Number.isNaN(t)) {
    errors.takenAt = 'Give the date and time the set was taken.';
    return fallback;
  }
  const measuredAt = new Date(t).toISOString();
  if (t > source.now + FUTURE_TOLERANCE_SECONDS * 1000) errors.takenAt = 'The time taken cannot be in the future.';
  else if (source.amending && measuredAt === new Date(Date.parse(source.amending.measuredAt)).toISOString()) return measuredAt;
  else if (source.now - t > OLDEST_ENTRY_DAYS * 24 * 3600_000) errors.takenAt = `The time taken is more than ${OLDEST_ENTRY_DAYS} days ago: check the date.`;
  else if (isLate(measuredAt, source) && !input.lateEntryReason) {
    errors.lateEntryReason = 'This set was taken more than an hour ago: say why it is recorded late.';
  }
  return measuredAt;
}

/** A hand-entered set recorded more than LATE_ENTRY_MINUTES after it was taken (an amendment's own reason covers it). */
function isLate(measuredAt: string, source: Extract<ObservationSource, { kind: 'entered' }>): boolean {
  return !source.amending && source.now - Date.parse(measuredAt) > LATE_ENTRY_MINUTES * 60_000;
}

/** The vitals input without the fields that failed validation (so the rest can be scored). */
function withoutFields(input: unknown, fields: string[]): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of fields) delete copy[field.split('.')[0]!];
  return copy;
}
