/**
 * The list of a patient's records on the record page: newest first by measured time, filtered by
 * kind, author and period, shown a page at a time (a bound oximeter adds 1,440 records a day), and
 * each record summed up in one line of key values.
 */
import type { RecordKind, RecordView } from '../api/contract';
import { vitalsSummary } from './vitalsDisplay';

export const kindLabels: Record<RecordKind, string> = {
  vitals: 'Vitals',
  note: 'Note',
  diagnosis: 'Diagnosis',
  amendment: 'Amendment',
  escalation: 'Escalation',
};

export type PeriodFilter = 'all' | '24h' | '72h' | '7d';

export const periodLabels: Record<PeriodFilter, string> = {
  all: 'All time',
  '24h': 'Last 24 hours',
  '72h': 'Last 3 days',
  '7d': 'Last 7 days',
};

const periodMs: Record<Exclude<PeriodFilter, 'all'>, number> = { '24h': 24 * 3600_000, '72h': 72 * 3600_000, '7d': 7 * 24 * 3600_000 };

export interface RecordFilter {
  kind: RecordKind | 'all';
  /** An author's account address, or 'all'. */
  author: string;
  period: PeriodFilter;
}

export const noFilter: RecordFilter = { kind: 'all', author: 'all', period: 'all' };

export function isFiltered(f: RecordFilter): boolean {
  return f.kind !== 'all' || f.author !== 'all' || f.period !== 'all';
}

/** Newest measured first; of two at the same time, the later signed first (a correction above its original). */
export function newestFirst(records: readonly RecordView[]): RecordView[] {
  const keyed = records.map((r) => ({ r, m: Date.parse(r.measuredAt), c: Date.parse(r.createdAt) }));
  keyed.sort((a, b) => b.m - a.m || b.c - a.c);
  return keyed.map((k) => k.r);
}

/** The records a filter keeps, in the order given. */
export function filterRecords(ordered: readonly RecordView[], f: RecordFilter, now: number): RecordView[] {
  const since = f.period === 'all' ? -Infinity : now - periodMs[f.period];
  return ordered.filter(
    (r) => (f.kind === 'all' || r.kind === f.kind) && (f.author === 'all' || r.author.address === f.author) && (since === -Infinity || Date.parse(r.measuredAt) >= since),
  );
}

/** Everyone who signed a record here, by name. */
export function authorsOf(records: readonly RecordView[]): Array<{ address: string; name: string }> {
  const byAddress = new Map<string, string>();
  for (const r of records) byAddress.set(r.author.address, r.author.name);
  return [...byAddress].map(([address, name]) => ({ address, name })).sort((a, b) => a.name.localeCompare(b.name));
}

export const PAGE_SIZE = 50;

export interface Page<T> {
  items: T[];
  /** 0-based page index, clamped to the pages there are. */
  page: number;
  pages: number;
  /** 1-based positions of the first and last item shown (0 when empty). */
  from: number;
  to: number;
  total: number;
}

export function pageOf<T>(list: readonly T[], page: number, size = PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(list.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  const items = list.slice(p * size, (p + 1) * size);
  return { items, page: p, pages, from: items.length ? p * size + 1 : 0, to: p * size + items.length, total: list.length };
}

/** The page holding a record (its index in the filtered list), or null when it is filtered out. */
export function pageHolding(list: readonly RecordView[], id: string, size = PAGE_SIZE): number | null {
  const i = list.findIndex((r) => r.id === id);
  return i < 0 ? null : Math.floor(i / size);
}

/** The key values of a record in one line (the badge, author and time are shown beside it). */
export function recordSummary(r: RecordView): string {
  const c = r.content;
  if (c === null) return 'The content of this record cannot be read.';
  const parts: string[] = [];
  if (c.reason) parts.push(`Reason: ${c.reason}`);
  if (c.vitals) parts.push(vitalsSummary(c.vitals));
  if (c.note) parts.push(c.note);
  if (c.diagnosis) parts.push(`${c.diagnosis.text}${c.diagnosis.code ? ` (${c.diagnosis.code})` : ''}`);
  if (c.escalation) parts.push(`${c.escalation.informed.name} (${c.escalation.informed.role}) informed: ${c.escalation.response}`);
  if (c.device) parts.push(`from ${c.device.model}`);
  return parts.join(' · ') || 'No content';
}
