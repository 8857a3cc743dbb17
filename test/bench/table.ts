/** The benchmark result table: rows, verdicts against the product targets, text and JSON forms. */
import { round } from './stats';

export type Verdict = 'pass' | 'FAIL' | 'info';

/** A quality target from PRODUCT.md: figure must be ≤ or ≥ value. */
export interface Target {
  cmp: '<=' | '>=';
  value: number;
  /** Extra condition on ratio (figure / baseline), e.g. ≥ 20× the naive design. */
  minRatio?: number;
}

export interface BenchRow {
  name: string;
  figure: number;
  unit: string;
  target: Target | null;
  /** Figure of the baseline measured in the same run, if there is one. */
  baseline: number | null;
  ratio: number | null;
  verdict: Verdict;
  /** How it was measured and what it includes. */
  note?: string;
}

/** Build a row; the verdict follows from the target (info when there is none). */
export function makeRow(r: Omit<BenchRow, 'verdict' | 'ratio'> & { ratio?: number | null }): BenchRow {
  const ratio = r.ratio ?? (r.baseline ? r.figure / r.baseline : null);
  return { ...r, figure: round(r.figure), baseline: r.baseline === null ? null : round(r.baseline), ratio: ratio === null ? null : round(ratio), verdict: verdictOf(r.figure, r.target, ratio) };
}

export function verdictOf(figure: number, target: Target | null, ratio: number | null): Verdict {
  if (!target) return 'info';
  if (!Number.isFinite(figure)) return 'FAIL';
  const meets = target.cmp === '<=' ? figure <= target.value : figure >= target.value;
  const ratioMeets = target.minRatio === undefined || (ratio !== null && ratio >= target.minRatio);
  return meets && ratioMeets ? 'pass' : 'FAIL';
}

export function targetText(t: Target | null): string {
  if (!t) return '—';
  const base = `${t.cmp === '<=' ? '≤' : '≥'} ${t.value.toLocaleString('en-GB')}`;
  return t.minRatio === undefined ? base : `${base}, ≥ ${t.minRatio}× baseline`;
}

const num = (x: number | null, suffix = ''): string => (x === null ? '—' : `${round(x).toLocaleString('en-GB')}${suffix}`);

/** The table as aligned plain text (also valid Markdown). */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'figure', 'unit', 'target', 'baseline', 'ratio', 'verdict'];
  const cells = rows.map((r) => [r.name, num(r.figure), r.unit, targetText(r.target), num(r.baseline), num(r.ratio, '×'), r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => '| ' + c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w, i) => (i === 0 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...cells.map(line)].join('\n');
}
