/**
 * One NEWS2 parameter per column on the ward board and the doctor's list: the value as a ward
 * chart prints it, the NEWS2 sub-score it earned (the cell is coloured by it, and the digit is
 * written too, so colour is never the only cue), and the words a screen reader says for it.
 *
 * Sub-score colours follow the RCP NEWS2 observation chart (Royal College of Physicians, National
 * Early Warning Score (NEWS) 2, 2017, Chart 1 "The NEWS scoring system"): 0 uncoloured, 1 yellow,
 * 2 orange, 3 red.
 */
import type { News2Parameter, ObservationSummary } from '../api/contract';
import { acvpuLabels, formatTemperature, oxygenDelivery } from './vitalsDisplay';

export interface ParameterColumn {
  key: News2Parameter;
  /** Column heading as the chart abbreviates it. */
  heading: string;
  /** The heading in words (abbr title, screen readers). */
  title: string;
}

/** In the order the RCP chart lists the parameters (parameterOrder). */
export const parameterColumns: readonly ParameterColumn[] = [
  { key: 'respiratoryRate', heading: 'RR', title: 'Respiration rate (/min)' },
  { key: 'spo2', heading: 'SpO2', title: 'SpO2 (%), with its scale' },
  { key: 'airOrOxygen', heading: 'O2', title: 'Air or oxygen' },
  { key: 'systolic', heading: 'BP', title: 'Blood pressure (mmHg), systolic scored' },
  { key: 'pulse', heading: 'Pulse', title: 'Pulse (/min)' },
  { key: 'consciousness', heading: 'ACVPU', title: 'Consciousness (ACVPU)' },
  { key: 'temperature', heading: 'Temp', title: 'Temperature (°C)' },
];

export interface ParameterCell {
  key: News2Parameter;
  /** What the cell shows: "24", "92", "O2 2 L", "96/65", "A", "38.4"; "—" when not measured. */
  text: string;
  /** A short tag beside the value: "S2" on SpO2 scored on Scale 2. */
  tag: string | null;
  /** The NEWS2 points this value earned; null when it was not scored. */
  subScore: number | null;
  /** The whole cell in words: "Pulse 104/min, scores 2". */
  spoken: string;
}

function trim(n: number, decimals: number): string {
  return String(Number(n.toFixed(decimals)));
}

/** "O2 2 L" / "O2 28%" / "O2": oxygen in a narrow column (the full delivery is in the spoken text). */
function oxygenShort(set: ObservationSummary): string {
  const v = set.vitals;
  if (v.supplementalOxygen === undefined) return '—';
  if (!v.supplementalOxygen) return 'Air';
  if (v.oxygenFlow !== undefined) return `O2 ${trim(v.oxygenFlow, 1)} L`;
  if (v.fio2 !== undefined) return `O2 ${trim(v.fio2, 0)}%`;
  return 'O2';
}

function valueOf(set: ObservationSummary, key: News2Parameter): { text: string; words: string } | null {
  const v = set.vitals;
  switch (key) {
    case 'respiratoryRate':
      return v.respiratoryRate === undefined ? null : { text: trim(v.respiratoryRate, 1), words: `Respiration rate ${trim(v.respiratoryRate, 1)}/min` };
    case 'spo2':
      return v.spo2 === undefined ? null : { text: trim(v.spo2, 1), words: `SpO2 ${trim(v.spo2, 1)}% on Scale ${set.news2.scale}` };
    case 'airOrOxygen': {
      if (v.supplementalOxygen === undefined) return null;
      const delivery = oxygenDelivery(v);
      return { text: oxygenShort(set), words: v.supplementalOxygen ? `On oxygen${delivery ? `: ${delivery}` : ''}` : 'On air' };
    }
    case 'systolic':
      if (v.systolic === undefined) return null;
      return v.diastolic === undefined
        ? { text: String(v.systolic), words: `Systolic BP ${v.systolic} mmHg` }
        : { text: `${v.systolic}/${v.diastolic}`, words: `BP ${v.systolic}/${v.diastolic} mmHg` };
    case 'pulse':
      return v.pulse === undefined ? null : { text: trim(v.pulse, 1), words: `Pulse ${trim(v.pulse, 1)}/min` };
    case 'consciousness':
      return v.consciousness === undefined ? null : { text: v.consciousness, words: `Consciousness ${acvpuLabels[v.consciousness]}` };
    case 'temperature':
      return v.temperature === undefined ? null : { text: v.temperature.celsius.toFixed(1), words: `Temperature ${formatTemperature(v.temperature)}` };
  }
}

/** The seven cells of a set, in chart order; every cell "not measured" without a set. */
export function parameterCells(set: ObservationSummary | null): ParameterCell[] {
  return parameterColumns.map(({ key, title }) => {
    const value = set ? valueOf(set, key) : null;
    if (!set || !value) return { key, text: '—', tag: null, subScore: null, spoken: `${title.replace(/ \(.*$/, '')}: not measured` };
    const subScore = set.news2.subScores[key] ?? null;
    const tag = key === 'spo2' && set.news2.scale === 2 ? 'S2' : null;
    return { key, text: value.text, tag, subScore, spoken: subScore === null ? `${value.words}, not scored` : `${value.words}, scores ${subScore}` };
  });
}

/** CSS modifier colouring a cell by its sub-score (RCP Chart 1 colours). */
export function subScoreClass(subScore: number | null): string {
  return subScore === null ? 'sub--none' : `sub--${Math.min(3, Math.max(0, subScore))}`;
}
