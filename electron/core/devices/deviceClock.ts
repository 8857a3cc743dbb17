/**
 * Meter clocks: meters store local wall-clock time without a zone, are often wrong and sometimes
 * unset. We keep the device's own time (as an ISO local string) next to the workstation time and
 * report the drift between them rather than silently "correcting" anything.
 */
import { WardError } from '../model/errors';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Validated ISO local time `YYYY-MM-DDTHH:MM:SS` (no zone). Throws WardError('PROTOCOL') when a
 * field is out of range, naming `what` (e.g. "record 12") but never the value.
 */
export function localIso(year: number, month: number, day: number, hour: number, minute: number, second = 0, what = 'a timestamp'): string {
  const ok =
    [year, month, day, hour, minute, second].every((n) => Number.isInteger(n)) &&
    year >= 1970 && year <= 2099 &&
    month >= 1 && month <= 12 &&
    day >= 1 && day <= daysInMonth(year, month) &&
    hour >= 0 && hour <= 23 &&
    minute >= 0 && minute <= 59 &&
    second >= 0 && second <= 59;
  if (!ok) throw new WardError('PROTOCOL', `The device sent an invalid date or time in ${what}.`);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
}

/** A Date read as workstation-local wall-clock time, in the same ISO shape (used by simulators). */
export function dateToLocalIso(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A device's local ISO time (no zone) read as workstation-local wall-clock time. */
export function deviceLocalTime(deviceLocalIso: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(deviceLocalIso);
  if (!m) throw new WardError('INTERNAL', 'Device time is not in the expected form.');
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return new Date(y, mo - 1, d, h, mi, s);
}

/** deviceTime − workstationTime in whole seconds, treating the device time as workstation-local time. */
export function clockDriftSeconds(deviceLocalIso: string, workstation: Date): number {
  return Math.round((deviceLocalTime(deviceLocalIso).getTime() - workstation.getTime()) / 1000);
}
