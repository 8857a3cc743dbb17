/**
 * NEWS2 (National Early Warning Score 2, Royal College of Physicians, 2017), Scale 1 and Scale 2,
 * with the aggregate, the risk band including the "3 in a single parameter" rule, and the
 * clinical response per band. Bands are exactly those of shared/reference/CLINICAL.md.
 *
 * Rounding rule (values between printed bands): before banding, temperature is rounded half-up to
 * 1 decimal (35.05 °C → 35.1 → 1 point; 35.04 °C → 35.0 → 3 points; 38.05 °C → 38.1 → 1 point)
 * and every other numeric parameter is rounded half-up to a whole number (SpO2 95.5 % → 96;
 * respiration 20.5 /min → 21; systolic 110.5 → 111; pulse 90.5 → 91). Half-up matches how a nurse
 * reads a value off a chart printed in whole units (0.1 °C for temperature).
 *
 * Completeness: NEWS2 needs seven parameters (respiration rate, SpO2, air or oxygen, systolic BP,
 * pulse, consciousness, temperature). When any is missing the result is `complete: false`: the
 * sub-scores that could be computed are given, but `aggregate`, `band` and `response` are null,
 * because a partial sum shown as a score would under-state risk. `minimumBand` is a safe lower
 * bound (missing parameters can only add points), so an incomplete set with one 3 already calls for
 * at least an urgent ward-based response. On Scale 2, SpO2 of 93 % or more cannot be scored without
 * knowing whether the patient is on oxygen.
 */
import type { NormalisedVitals } from '../model/vitals';
import { NEWS2_PARAMETERS, type News2Band, type News2Parameter, type News2Response, type News2Result, type News2Scale } from '../model/news2';
import { roundHalfUp } from './units';

export interface News2Options {
  /** Defaults to Scale 1. */
  scale?: News2Scale;
}

/** Respiration rate (/min), whole number. */
export function scoreRespiratoryRate(rate: number): number {
  const r = roundHalfUp(rate);
  if (r <= 8) return 3;
  if (r <= 11) return 1;
  if (r <= 20) return 0;
  if (r <= 24) return 2;
  return 3;
}

/** SpO2 Scale 1 (%), whole number. Oxygen is scored separately as air-or-oxygen. */
export function scoreSpo2Scale1(spo2: number): number {
  const s = roundHalfUp(spo2);
  if (s <= 91) return 3;
  if (s <= 93) return 2;
  if (s <= 95) return 1;
  return 0;
}

/**
 * SpO2 Scale 2 (%), whole number. 88–92 % scores 0; at 93 % or more it scores 0 on air and 1–3
 * on oxygen. Returns undefined when SpO2 ≥ 93 % and oxygen status is unknown.
 */
export function scoreSpo2Scale2(spo2: number, onOxygen: boolean | undefined): number | undefined {
  const s = roundHalfUp(spo2);
  if (s <= 83) return 3;
  if (s <= 85) return 2;
  if (s <= 87) return 1;
  if (s <= 92) return 0;
  if (onOxygen === undefined) return undefined;
  if (!onOxygen) return 0;
  if (s <= 94) return 1;
  if (s <= 96) return 2;
  return 3;
}

/** Air (0) or supplemental oxygen (2), on both scales. */
export function scoreAirOrOxygen(onOxygen: boolean): number {
  return onOxygen ? 2 : 0;
}

/** Systolic blood pressure (mmHg), whole number. */
export function scoreSystolic(systolic: number): number {
  const s = roundHalfUp(systolic);
  if (s <= 90) return 3;
  if (s <= 100) return 2;
  if (s <= 110) return 1;
  if (s <= 219) return 0;
  return 3;
}

/** Pulse (/min), whole number. */
export function scorePulse(pulse: number): number {
  const p = roundHalfUp(pulse);
  if (p <= 40) return 3;
  if (p <= 50) return 1;
  if (p <= 90) return 0;
  if (p <= 110) return 1;
  if (p <= 130) return 2;
  return 3;
}

/** Consciousness (ACVPU): Alert 0; new confusion, voice, pain or unresponsive 3. */
export function scoreConsciousness(level: NonNullable<NormalisedVitals['consciousness']>): number {
  return level === 'A' ? 0 : 3;
}

/** Temperature (°C), rounded to 1 decimal. */
export function scoreTemperature(celsius: number): number {
  const t = roundHalfUp(celsius, 1);
  if (t <= 35.0) return 3;
  if (t <= 36.0) return 1;
  if (t <= 38.0) return 0;
  if (t <= 39.0) return 1;
  return 2;
}

/** Risk band from an aggregate and whether any single parameter scored 3. */
export function news2Band(aggregate: number, singleParameterThree: boolean): News2Band {
  if (aggregate >= 7) return 'high';
  if (aggregate >= 5) return 'medium';
  return singleParameterThree ? 'low-medium' : 'low';
}

/**
 * Clinical response for a complete score (wording paraphrased from the RCP 2017 NEWS2 chart:
 * aggregate 0 and 1–4 share the low band but differ in monitoring frequency).
 */
export function news2Response(aggregate: number, band: News2Band): News2Response {
  switch (band) {
    case 'high':
      return {
        title: 'Emergency response',
        monitoring: 'Continuous monitoring of vital signs.',
        action:
          'Registered nurse informs the medical team at once (at least specialist registrar level); emergency assessment by a team with critical-care competencies, including airway management; consider transfer to level 2 or 3 care.',
      };
    case 'medium':
      return {
        title: 'Key threshold for urgent response',
        monitoring: 'Observations at least every hour.',
        action:
          'Registered nurse informs the medical team at once and requests urgent assessment by a clinician or team competent in acute illness; care in an area with monitoring facilities.',
      };
    case 'low-medium':
      return {
        title: 'Urgent ward-based response',
        monitoring: 'Observations at least every hour.',
        action:
          'Registered nurse informs the medical team, who review the patient and decide whether care must be escalated.',
      };
    case 'low':
      return aggregate === 0
        ? {
            title: 'Routine monitoring',
            monitoring: 'Observations at least every 12 hours.',
            action: 'Continue routine NEWS2 monitoring.',
          }
        : {
            title: 'Ward-based response',
            monitoring: 'Observations at least every 4–6 hours.',
            action:
              'A registered nurse assesses the patient and decides whether to monitor more often or escalate care.',
          };
  }
}

/**
 * Minimum frequency of observations, in minutes, from the "clinical response to NEWS2 trigger
 * thresholds" of the RCP 2017 NEWS2 report (its monitoring-frequency column, as the responses
 * above word it): aggregate 0 → at least 12-hourly; 1–4 → at least 4–6-hourly (4 h, the stricter
 * end, so a board never shows a set as on time that a ward would call late); a 3 in any single
 * parameter → at least hourly; 5–6 → at least hourly; 7 or more → continuous monitoring of vital
 * signs, which a board can only show as a due time: every 15 minutes.
 * @param band the band of a complete set, or the lowest band a partial reading already reaches
 * @param aggregate the aggregate of a complete set (null for a partial reading)
 */
export function monitoringIntervalMinutes(band: News2Band, aggregate: number | null): number {
  if (band === 'high') return 15;
  if (band === 'medium' || band === 'low-medium') return 60;
  return aggregate === 0 ? 12 * 60 : 4 * 60;
}

/** Bands a board ranks by (higher is worse). */
export const BAND_RANK: Record<News2Band, number> = { low: 0, 'low-medium': 1, medium: 2, high: 3 };

/**
 * Whether a score calls for the nurse to escalate and record it: a medium or high score, or any
 * single parameter scoring 3 (RCP 2017: "urgent ward-based response" and above). For a partial
 * set, what is known already counts (a single 3, or a lower bound of medium or worse).
 */
export function callsForEscalation(n: News2Result): boolean {
  return n.singleParameterThree || BAND_RANK[n.band ?? n.minimumBand] >= BAND_RANK.medium;
}

/**
 * Computes NEWS2 for one set of vitals.
 * @param vitals validated vitals (temperature in °C)
 * @param options scale 1 (default) or 2
 */
export function computeNews2(vitals: NormalisedVitals, options: News2Options = {}): News2Result {
  const scale: News2Scale = options.scale ?? 1;
  const subScores: Partial<Record<News2Parameter, number>> = {};
  const onOxygen = vitals.supplementalOxygen;

  if (vitals.respiratoryRate !== undefined) subScores.respiratoryRate = scoreRespiratoryRate(vitals.respiratoryRate);
  if (vitals.spo2 !== undefined) {
    const spo2Score = scale === 1 ? scoreSpo2Scale1(vitals.spo2) : scoreSpo2Scale2(vitals.spo2, onOxygen);
    if (spo2Score !== undefined) subScores.spo2 = spo2Score;
  }
  if (onOxygen !== undefined) subScores.airOrOxygen = scoreAirOrOxygen(onOxygen);
  if (vitals.systolic !== undefined) subScores.systolic = scoreSystolic(vitals.systolic);
  if (vitals.pulse !== undefined) subScores.pulse = scorePulse(vitals.pulse);
  if (vitals.consciousness !== undefined) subScores.consciousness = scoreConsciousness(vitals.consciousness);
  if (vitals.temperature !== undefined) subScores.temperature = scoreTemperature(vitals.temperature.celsius);

  const missing = NEWS2_PARAMETERS.filter((p) => subScores[p] === undefined);
  const scores = Object.values(subScores) as number[];
  const sum = scores.reduce((a, b) => a + b, 0);
  const singleParameterThree = scores.some((s) => s === 3);
  const minimumBand = news2Band(sum, singleParameterThree);
  const complete = missing.length === 0;

  return {
    scale,
    complete,
    missing,
    subScores,
    aggregate: complete ? sum : null,
    singleParameterThree,
    band: complete ? minimumBand : null,
    minimumBand,
    response: complete ? news2Response(sum, minimumBand) : null,
  };
}
