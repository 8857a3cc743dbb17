/**
 * Stored readings of the simulated blood-pressure monitors. Times are the device clock (ISO local
 * time); when a reading has none it is placed relative to the device's own "now", which is the
 * workstation clock shifted by the configured drift — so drift shows up in the readings.
 */
import { WardError } from '../../model/errors';

export interface SimulatedBpReading {
  systolic: number;
  diastolic: number;
  pulse: number;
  /** Device clock at measurement, `YYYY-MM-DDTHH:MM[:SS]` (local, no zone). */
  time?: string;
  irregularHeartbeat?: boolean;
  cuffFitError?: boolean;
}

export interface ResolvedBpReading extends Required<Omit<SimulatedBpReading, 'time'>> {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export const DEFAULT_BP_READINGS: SimulatedBpReading[] = [
  { systolic: 128, diastolic: 82, pulse: 71 },
  { systolic: 135, diastolic: 88, pulse: 76, irregularHeartbeat: true },
  { systolic: 119, diastolic: 77, pulse: 64 },
];

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Gives every reading concrete clock fields. Readings without a time are one hour apart, the
 * last one an hour before the device's now (workstation now + drift).
 */
export function resolveBpReadings(readings: SimulatedBpReading[], clockDriftSeconds = 0, now = Date.now()): ResolvedBpReading[] {
  const deviceNow = now + clockDriftSeconds * 1000;
  return readings.map((r, i) => {
    for (const v of [r.systolic, r.diastolic, r.pulse]) {
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new WardError('BAD_INPUT', 'Simulated blood-pressure values must fit in a byte.');
    }
    let parts: number[];
    if (r.time !== undefined) {
      const m = LOCAL.exec(r.time);
      if (!m) throw new WardError('BAD_INPUT', 'A simulated reading time must look like YYYY-MM-DDTHH:MM[:SS].');
      parts = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
    } else {
      const d = new Date(deviceNow - (readings.length - i) * 3600_000);
      parts = [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
    }
    const [year, month, day, hour, minute, second] = parts;
    if (year < 2000 || year > 2255) throw new WardError('BAD_INPUT', 'Simulated monitors store years 2000–2255 (two digits after 2000).');
    return {
      systolic: r.systolic,
      diastolic: r.diastolic,
      pulse: r.pulse,
      irregularHeartbeat: r.irregularHeartbeat ?? false,
      cuffFitError: r.cuffFitError ?? false,
      year,
      month,
      day,
      hour,
      minute,
      second,
    };
  });
}

/** `[count][≤7 bytes][zero padding]` 8-byte reports (the device side of the count framing). */
export function countReports(message: number[], countHighBits = 0): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < message.length; i += 7) {
    const chunk = message.slice(i, i + 7);
    const r = new Uint8Array(8);
    r[0] = countHighBits | chunk.length;
    r.set(chunk, 1);
    out.push(r);
  }
  return out;
}
