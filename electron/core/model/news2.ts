/** What a NEWS2 score says (RCP 2017): computed by clinical/news2.ts, shown by the screens. */

/** Scale 1: default. Scale 2: confirmed hypercapnic respiratory failure, chosen and recorded by a clinician. */
export type News2Scale = 1 | 2;

export type News2Parameter =
  | 'respiratoryRate'
  | 'spo2'
  | 'airOrOxygen'
  | 'systolic'
  | 'pulse'
  | 'consciousness'
  | 'temperature';

export const NEWS2_PARAMETERS: readonly News2Parameter[] = [
  'respiratoryRate',
  'spo2',
  'airOrOxygen',
  'systolic',
  'pulse',
  'consciousness',
  'temperature',
];

export type News2Band = 'low' | 'low-medium' | 'medium' | 'high';

export interface News2Response {
  /** Short name of the response level, e.g. "Urgent ward-based response". */
  title: string;
  /** Minimum frequency of observations. */
  monitoring: string;
  /** What the clinical team does. */
  action: string;
}

export interface News2Result {
  scale: News2Scale;
  /** True when all seven parameters were scored. */
  complete: boolean;
  /** Parameters that could not be scored (absent, or Scale 2 SpO2 ≥ 93 % with oxygen unknown). */
  missing: News2Parameter[];
  /** Sub-score of each parameter that could be scored. */
  subScores: Partial<Record<News2Parameter, number>>;
  /** Sum of the sub-scores; null when incomplete. */
  aggregate: number | null;
  /** True when any scored parameter scored 3. */
  singleParameterThree: boolean;
  /** Risk band; null when incomplete. */
  band: News2Band | null;
  /** Lowest band the complete score could have (from what is known); equals `band` when complete. */
  minimumBand: News2Band;
  /** Clinical response for the band; null when incomplete. */
  response: News2Response | null;
}
