/**
 * Simulated Microlife BP B3 Comfort PC (0x04D9:0xB554). Accepts the fetch-all request
 * `4D FF 00 09 00 00 00 00 00 00 00 FD 52` in count-prefixed 8-byte reports (a wrong check byte
 * is ignored) and answers in 8-byte reports whose low nibble counts the valid bytes: a 42-byte
 * header `4D 3A` (byte 7 = record count), 10-byte records (SYS, DIA, pulse, YY, MM, DD, hh, mm,
 * flags, 00; flags 0x80 normal, 0xC0 irregular heartbeat, 0x00 cuff-fit error), then a check
 * byte = sum of everything before it mod 256.
 */
import { WardError } from '../../model/errors';
import type { SimulatedDevice } from './bus';
import { countReports, DEFAULT_BP_READINGS, resolveBpReadings, type SimulatedBpReading } from './bpMemory';

export interface MicrolifeSimulatorOptions {
  serialNumber?: string;
  readings?: SimulatedBpReading[];
  clockDriftSeconds?: number;
  /** Send this many replies with a corrupted check byte first (default 0). */
  corruptChecksumTimes?: number;
}

export interface MicrolifeSimulator extends SimulatedDevice {
  /** Fetch-all requests answered so far. */
  readonly fetches: number;
}

const FETCH_ALL = [0x4d, 0xff, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52];
const sum8 = (bytes: number[]): number => bytes.reduce((a, b) => a + b, 0) & 0xff;

export function createMicrolifeSimulator(options: MicrolifeSimulatorOptions = {}): MicrolifeSimulator {
  const readings = resolveBpReadings(options.readings ?? DEFAULT_BP_READINGS, options.clockDriftSeconds);
  if (readings.length > 255) throw new WardError('BAD_INPUT', 'The Microlife header counts at most 255 records.');
  if (readings.some((r) => r.year < 2000 || r.year > 2255)) throw new WardError('BAD_INPUT', 'The Microlife stores years 2000–2255.');
  let corruptLeft = options.corruptChecksumTimes ?? 0;
  let fetches = 0;
  let pending: number[] = [];

  const reply = (): number[] => {
    const header = new Array<number>(42).fill(0);
    header[0] = 0x4d;
    header[1] = 0x3a;
    header[7] = readings.length;
    const body = [...header];
    for (const r of readings) {
      const flags = r.cuffFitError ? (r.irregularHeartbeat ? 0x40 : 0x00) : r.irregularHeartbeat ? 0xc0 : 0x80;
      body.push(r.systolic, r.diastolic, r.pulse, r.year - 2000, r.month, r.day, r.hour, r.minute, flags, 0x00);
    }
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
      if (kind !== 'output' || report.length < 1) return;
      const count = report[0];
      if (count > 7 || count > report.length - 1) return;
      pending.push(...report.subarray(1, 1 + count));
      if (pending.length < FETCH_ALL.length) return;
      const request = pending.slice(0, FETCH_ALL.length);
      pending = [];
      if (request.some((b, i) => b !== FETCH_ALL[i])) return;
      fetches++;
      for (const r of countReports(reply())) emit(r);
    },
  };
}
