/**
 * The flowsheet: a patient's vitals sets as an e-observation chart reads them — one column per
 * set at the time it was measured (oldest left, newest right), one row per parameter in the
 * order of the RCP NEWS2 observation chart, each cell carrying its NEWS2 sub-score so it can be
 * coloured like the paper chart (1 yellow, 2 orange, 3 red). A set corrected later stays as a
 * struck-through column beside its correction; a set that failed verification shows no values.
 */
import type { News2Band, News2Parameter, RecordView } from '../api/contract';
import { OXYGEN_DEVICES } from '../api/contract';
import { bandLabels } from './news2Display';
import { acvpuLabels } from './vitalsDisplay';

export type FlowsheetRowKey = 'respiratoryRate' | 'spo2' | 'airOrOxygen' | 'bloodPressure' | 'pulse' | 'consciousness' | 'temperature' | 'news2';

export interface FlowsheetRow {
  key: FlowsheetRowKey;
  label: string;
  unit: string;
}

/** Rows in the RCP chart's order (A+B, C, D, E), the NEWS2 total last. */
export function flowsheetRows(scale: 1 | 2): FlowsheetRow[] {
  return [
    { key: 'respiratoryRate', label: 'Resp. rate', unit: '/min' },
    { key: 'spo2', label: `SpO2 Scale ${scale}`, unit: '%' },
    { key: 'airOrOxygen', label: 'Air or oxygen', unit: 'device, flow' },
    { key: 'bloodPressure', label: 'Blood pressure', unit: 'mmHg' },
    { key: 'pulse', label: 'Pulse', unit: '/min' },
    { key: 'consciousness', label: 'Consciousness', unit: 'ACVPU' },
    { key: 'temperature', label: 'Temperature', unit: '°C' },
    { key: 'news2', label: 'NEWS2 total', unit: 'band' },
  ];
}

export interface FlowsheetCell {
  text: string;
  /** Second line (oxygen device and flow). */
  detail?: string;
  /** Full words for the title and screen readers. */
  words: string;
  /** The NEWS2 sub-score of this parameter; null when not scored. */
  score: number | null;
  /** NEWS2 total cells: the band. */
  band?: News2Band | null;
}

export type ColumnState = 'in-force' | 'superseded' | 'failed';

export interface FlowsheetColumn {
  id: string;
  /** Measured time, ms since the epoch. */
  t: number;
  measuredAt: string;
  state: ColumnState;
  /** A correction (amendment) of an earlier set. */
  correction: boolean;
  fromDevice: boolean;
  author: string;
  cells: Partial<Record<FlowsheetRowKey, FlowsheetCell>>;
}

/** Short device names as charted ("Device" row of the RCP chart). */
const deviceShort: Record<keyof typeof OXYGEN_DEVICES, string> = {
  'nasal-cannula': 'NC',
  'simple-mask': 'SM',
  venturi: 'V',
  'non-rebreather': 'NRB',
  'high-flow': 'HFNO',
  other: 'other',
};

const num = (n: number, decimals = 0): string => String(Number(n.toFixed(decimals)));

function cell(text: string, words: string, score: number | undefined, detail?: string): FlowsheetCell {
  return { text, words, score: score ?? null, ...(detail ? { detail } : {}) };
}

function isVitalsRecord(r: RecordView): boolean {
  return r.kind === 'vitals' || !!r.content?.vitals;
}

/** One column per vitals set (or correction) in time order. */
export function flowsheetColumns(records: readonly RecordView[]): FlowsheetColumn[] {
  const out: FlowsheetColumn[] = [];
  for (const r of records) {
    if (!isVitalsRecord(r)) continue;
    const t = Date.parse(r.measuredAt);
    if (Number.isNaN(t)) continue;
    const failed = r.provenance.status === 'tampered' || !r.content?.vitals;
    const column: FlowsheetColumn = {
      id: r.id,
      t,
      measuredAt: r.measuredAt,
      state: failed ? 'failed' : r.superseded ? 'superseded' : 'in-force',
      correction: r.kind === 'amendment',
      fromDevice: !!r.content?.device,
      author: r.author.name,
      cells: {},
    };
    if (!failed) column.cells = cellsOf(r);
    out.push(column);
  }
  // Oldest left; a correction sits right of the set it corrects (same measured time).
  return out.sort((a, b) => a.t - b.t || Number(a.correction) - Number(b.correction));
}

function cellsOf(r: RecordView): FlowsheetColumn['cells'] {
  const v = r.content!.vitals!;
  const news2 = r.content!.news2;
  const sub = (p: News2Parameter): number | undefined => news2?.subScores[p];
  const cells: FlowsheetColumn['cells'] = {};
  if (v.respiratoryRate !== undefined) {
    cells.respiratoryRate = cell(num(v.respiratoryRate, 1), `${num(v.respiratoryRate, 1)} breaths per minute`, sub('respiratoryRate'));
  }
  if (v.spo2 !== undefined) cells.spo2 = cell(num(v.spo2, 1), `SpO2 ${num(v.spo2, 1)}%`, sub('spo2'));
  if (v.supplementalOxygen !== undefined) {
    if (v.supplementalOxygen) {
      const how = [
        v.oxygenFlow !== undefined ? `${num(v.oxygenFlow, 1)} L` : '',
        v.fio2 !== undefined ? `${num(v.fio2)}%` : '',
        v.oxygenDevice ? deviceShort[v.oxygenDevice] : '',
      ].filter(Boolean).join(' ');
      const words = ['on oxygen', v.oxygenDevice ? OXYGEN_DEVICES[v.oxygenDevice] : '', v.oxygenFlow !== undefined ? `${num(v.oxygenFlow, 1)} L/min` : '', v.fio2 !== undefined ? `FiO2 ${num(v.fio2)}%` : '']
        .filter(Boolean)
        .join(', ');
      cells.airOrOxygen = cell('O2', words, sub('airOrOxygen'), how || undefined);
    } else {
      cells.airOrOxygen = cell('Air', 'on air', sub('airOrOxygen'));
    }
  }
  if (v.systolic !== undefined || v.diastolic !== undefined) {
    const text = `${v.systolic ?? '–'}/${v.diastolic ?? '–'}`;
    cells.bloodPressure = cell(text, `blood pressure ${text} mmHg`, sub('systolic'));
  }
  if (v.pulse !== undefined) cells.pulse = cell(num(v.pulse, 1), `pulse ${num(v.pulse, 1)} per minute`, sub('pulse'));
  if (v.consciousness !== undefined) cells.consciousness = cell(v.consciousness, acvpuLabels[v.consciousness], sub('consciousness'));
  if (v.temperature !== undefined) {
    cells.temperature = cell(v.temperature.celsius.toFixed(1), `${v.temperature.celsius.toFixed(1)} °C`, sub('temperature'));
  }
  if (news2) {
    cells.news2 =
      news2.complete && news2.aggregate !== null && news2.band
        ? { text: String(news2.aggregate), words: `NEWS2 ${news2.aggregate}, ${bandLabels[news2.band]} risk`, score: null, band: news2.band }
        : { text: '—', words: `NEWS2 incomplete (${7 - news2.missing.length} of 7 parameters)`, score: null, band: null };
  }
  return cells;
}

/** Columns are shown in windows of this many sets (the newest window first). */
export const FLOWSHEET_WINDOW = 36;

/** The window `back` windows before the newest: [start, end) indexes into the columns. */
export function flowsheetWindow(count: number, back: number, size = FLOWSHEET_WINDOW): { start: number; end: number; earlier: boolean; later: boolean } {
  const end = Math.max(0, count - back * size);
  const start = Math.max(0, end - size);
  return { start, end, earlier: start > 0, later: back > 0 };
}
