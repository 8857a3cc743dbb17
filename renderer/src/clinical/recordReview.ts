/**
 * The one place the record page turns the `records/history` reply into what it shows: the list
 * (newest first), the flowsheet columns and the chart series. How the history is read may change
 * (windowed reads, "load earlier", series downsampled in the core); only this adapter then changes.
 */
import type { PatientHistory, RecordView } from '../api/contract';
import { chartSeries, type ChartInput } from '../api/contract';
import { flowsheetColumns, type FlowsheetColumn } from './flowsheet';
import { newestFirst } from './recordList';

export interface RecordReview {
  patient: PatientHistory['patient'];
  news2Scale: 1 | 2;
  breakGlass: boolean;
  /** Every record read, newest measured first. */
  records: RecordView[];
  /** Vitals sets and corrections, oldest first. */
  flowsheet: FlowsheetColumn[];
  charts: ChartInput;
  /** Records that failed verification (tampered). */
  tampered: number;
}

export function reviewFromHistory(history: PatientHistory): RecordReview {
  return {
    patient: history.patient,
    news2Scale: history.news2Scale,
    breakGlass: history.breakGlass,
    records: newestFirst(history.records),
    flowsheet: flowsheetColumns(history.records),
    charts: chartSeries(history.records),
    tampered: history.records.filter((r) => r.provenance.status === 'tampered').length,
  };
}
