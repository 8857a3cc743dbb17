/**
 * Dates in the reader's locale, times always on the 24-hour clock, as the charts, flowsheet and
 * record list write them: "Every entry in the medical record should be dated and timed (24 hour
 * clock)" (RCP, Generic medical record keeping standards, standard 5), and a 12-hour "4:02 PM" above a
 * chart whose axis says 16:00 is one more thing to convert at 3 a.m.
 */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });

/** A timestamp for people; the raw text if it is not a date. */
export function formatDateTime(when: string | number | null | undefined, empty = '—'): string {
  if (!when) return empty;
  const date = new Date(when);
  return Number.isNaN(date.getTime()) ? String(when) : dateTime.format(date);
}

/** "5 minutes", "30 seconds", "1 minute 30 seconds". */
export function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts: string[] = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? '' : 's'}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? '' : 's'}`);
  return parts.join(' ');
}

const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' });

/** A timestamp with seconds (tells records of the same minute apart). */
export function formatDateTimeSeconds(iso: string | null | undefined, empty = '—'): string {
  if (!iso) return empty;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeSeconds.format(date);
}

/** Sizes as the core words them too (its disk warnings). */
export { formatBytes } from './api/contract';
