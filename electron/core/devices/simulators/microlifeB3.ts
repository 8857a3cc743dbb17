/**
 * Simulated Microlife BP B3 Comfort PC (0x04D9:0xB554), from vytautas-valaitis/microlife_bp (bp.py
 * and its notes; docs/devices.md). The host writes the fetch-all request
 * `4D FF 00 09 00 00 00 00 00 00 00 FD 52` in one write whose first byte is its length (13); a
 * request with a wrong check byte is ignored. The reply comes in 8-byte reports whose low nibble
 * counts the valid bytes: a 42-byte header `4D 3A` (byte 7 = record count), 10-byte records (SYS,
 * DIA, pulse, YY, MM, DD, hh, mm, flags, 00; flags 0x80 normal, 0xC0 irregular heartbeat, 0x00
 * cuff-fit error), then a check byte = sum of everything before it mod 256. Records taken before
 * the clock was set carry month, day, hour and minute 0.
 */
import { WardError } from '../../model/errors';
import type { SimulatedDevice } from './bus';
import { countReports, DEFAULT_BP_READINGS, resolveBpReadings, type SimulatedBpReading } from './bpMemory';

export interface MicrolifeSimReading extends SimulatedBpReading {
  /** Taken before the clock was set: stored with month, day, hour and minute 0 (year byte `undatedYear`). */
  undated?: boolean;
}

export interface MicrolifeSimulatorOptions {
  serialNumber?: string;
  readings?: MicrolifeSimReading[];
  clockDriftSeconds?: number;
  /** Year byte of undated records (the notes' dump shows 17). */
  undatedYear?: number;
  /** Send this many replies with a corrupted check byte first (default 0). */
  corruptChecksumTimes?: number;
  /** Raw 10-byte records replacing record n (1-based), for tests of damaged records. */
  rawRecords?: Record<number, number[]>;
}

export interface MicrolifeSimulator extends SimulatedDevice {
  /** Fetch-all requests answered so far. */
  readonly fetches: number;
}

const FETCH_ALL = [0x4d, 0xff, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52];
const sum8 = (bytes: number[]): number => bytes.reduce((a, b) => a + b, 0) & 0xff;

export function createMicrolifeSimulator(options: MicrolifeSimulatorOptions = {}): MicrolifeSimulator {
  const given = options.readings ?? DEFAULT_BP_READINGS;
  const readings = resolveBpReadings(given, options.clockDriftSeconds);
  if (readings.length > 255) throw new WardError('BAD_INPUT', 'The Microlife header counts at most 255 records.');
  if (readings.some((r) => r.year < 2000 || r.year > 2255)) throw new WardError('BAD_INPUT', 'The Microlife stores years 2000–2255.');
  let corruptLeft = options.corruptChecksumTimes ?? 0;
  let fetches = 0;

  const reply = (): number[] => {
    const header = new Array<number>(42).fill(0);
    header[0] = 0x4d;
    header[1] = 0x3a;
    header[7] = readings.length;
    const body = [...header];
    readings.forEach((r, i) => {
      const raw = options.rawRecords?.[i + 1];
      if (raw) return void body.push(...raw);
      const flags = r.cuffFitError ? (r.irregularHeartbeat ? 0x40 : 0x00) : r.irregularHeartbeat ? 0xc0 : 0x80;
      const date = (given[i] as MicrolifeSimReading).undated ? [options.undatedYear ?? 17, 0, 0, 0, 0] : [r.year - 2000, r.month, r.day, r.hour, r.minute];
      body.push(r.systolic, r.diastolic, r.pulse, ...date, flags, 0x00);
    });
    let check = sum8(body);
    if (corruptLeft > 0) {
      corruptLeft--;
      check ^= 0xff;
    }
    return [...body, check];
  };

  return {
    info: { vendorId: 0x04d9, productId: 0xb554, product: 'BP B3 Comfort PC', manufacturer: 'Microlife', ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}) },
    get fetches() {
      return fetches;
    },
    onHostReport(report, kind, emit) {
      if (kind !== 'output' || report.length !== FETCH_ALL.length + 1 || report[0] !== FETCH_ALL.length) return;
      if (FETCH_ALL.some((b, i) => report[i + 1] !== b)) return;
      fetches++;
      for (const r of countReports(reply())) emit(r);
    },
  };
}
