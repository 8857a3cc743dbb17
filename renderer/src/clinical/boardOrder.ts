/**
 * How the ward board is ordered and narrowed: by bed, by risk (highest first) or by when the next
 * set is due (most overdue first); filtered to a risk band and above, to overdue patients, or to
 * patients awaiting an escalation record. The choice is kept for the session; the large display
 * mode is remembered on the workstation. Pure functions, so the rules are tested without a DOM.
 */
import type { News2Band, ObservationStatus, PersonRef, PersonWithAge } from '../api/contract';

/** One row of the board or of a doctor's list, whichever list it came from. */
export interface BoardEntry {
  patient: PersonWithAge;
  bed: string | null;
  news2Scale: 1 | 2;
  responsibleDoctor: PersonRef | null;
  /** Null when the viewer may not see this patient's observations (restricted row). */
  observations: ObservationStatus | null;
  restricted: boolean;
}

export type BoardSort = 'bed' | 'risk' | 'due';
export type BandFilter = 'all' | Exclude<News2Band, 'low'>;

export interface BoardView {
  sort: BoardSort;
  /** Show this band and above ('all': every band, and patients without a complete set). */
  band: BandFilter;
  overdueOnly: boolean;
  escalationOnly: boolean;
}

export const defaultBoardView: BoardView = { sort: 'bed', band: 'all', overdueOnly: false, escalationOnly: false };

export const sortLabels: Record<BoardSort, string> = { bed: 'Bed', risk: 'Risk (highest first)', due: 'Next set due (most overdue first)' };
export const bandFilterLabels: Record<BandFilter, string> = {
  all: 'All patients',
  'low-medium': 'Low–medium and above',
  medium: 'Medium and above',
  high: 'High only',
};

const bandRank: Record<News2Band, number> = { low: 1, 'low-medium': 2, medium: 3, high: 4 };

function compareBeds(a: BoardEntry, b: BoardEntry): number {
  if (a.bed === null || b.bed === null) return a.bed === b.bed ? 0 : a.bed === null ? 1 : -1;
  return a.bed.localeCompare(b.bed, undefined, { numeric: true });
}

function riskRank(e: BoardEntry): number {
  return e.observations?.risk ? bandRank[e.observations.risk] : 0;
}

function aggregate(e: BoardEntry): number {
  return e.observations?.lastComplete?.news2.aggregate ?? -1;
}

function dueTime(e: BoardEntry): number {
  return e.observations ? Date.parse(e.observations.dueAt) : Number.POSITIVE_INFINITY;
}

/**
 * The rows in the chosen order; ties fall back to the bed. Restricted rows (nothing known about
 * their risk) go last when sorting by risk or due time.
 */
export function sortEntries<T extends BoardEntry>(entries: readonly T[], sort: BoardSort): T[] {
  const bySort: Record<BoardSort, (a: T, b: T) => number> = {
    bed: () => 0,
    risk: (a, b) =>
      Number(a.restricted) - Number(b.restricted) ||
      riskRank(b) - riskRank(a) ||
      aggregate(b) - aggregate(a) ||
      Number(!!b.observations?.overdue) - Number(!!a.observations?.overdue),
    due: (a, b) => Number(a.restricted) - Number(b.restricted) || dueTime(a) - dueTime(b),
  };
  return [...entries].sort((a, b) => bySort[sort](a, b) || compareBeds(a, b));
}

/** Whether any filter narrows the board (restricted rows cannot be matched and are then hidden). */
export function isFiltered(view: BoardView): boolean {
  return view.band !== 'all' || view.overdueOnly || view.escalationOnly;
}

export function matchesFilter(entry: BoardEntry, view: BoardView): boolean {
  if (!isFiltered(view)) return true;
  const o = entry.observations;
  if (!o) return false;
  if (view.band !== 'all' && (!o.risk || bandRank[o.risk] < bandRank[view.band])) return false;
  if (view.overdueOnly && !o.overdue) return false;
  if (view.escalationOnly && !o.escalationDue) return false;
  return true;
}

export function arrangeEntries<T extends BoardEntry>(entries: readonly T[], view: BoardView): T[] {
  return sortEntries(entries.filter((e) => matchesFilter(e, view)), view.sort);
}

/** A stored view read back: anything unknown or damaged falls back to the default, field by field. */
export function parseBoardView(stored: string | null): BoardView {
  let raw: unknown = null;
  try {
    raw = stored ? JSON.parse(stored) : null;
  } catch {
    raw = null;
  }
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const pick = <K extends string>(value: unknown, allowed: Record<K, string>, fallback: K): K =>
    typeof value === 'string' && Object.hasOwn(allowed, value) ? (value as K) : fallback;
  return {
    sort: pick(r.sort, sortLabels, defaultBoardView.sort),
    band: pick(r.band, bandFilterLabels, defaultBoardView.band),
    overdueOnly: r.overdueOnly === true,
    escalationOnly: r.escalationOnly === true,
  };
}

/** "Showing 4 of 30 beds: medium and above, overdue." */
export function filterSummary(view: BoardView, shown: number, total: number): string | null {
  if (!isFiltered(view)) return null;
  const parts: string[] = [];
  if (view.band !== 'all') parts.push(bandFilterLabels[view.band].toLowerCase());
  if (view.overdueOnly) parts.push('overdue');
  if (view.escalationOnly) parts.push('awaiting an escalation record');
  return `Showing ${shown} of ${total} bed${total === 1 ? '' : 's'}: ${parts.join(', ')}.`;
}
