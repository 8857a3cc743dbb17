/**
 * Simulated Beurer BM58 (HID, 0x0C45:0x7406), from the sources in docs/devices.md rather than the
 * driver. Host reports: the command byte (and `A3`'s record number) followed by seven `F4` bytes
 * (muling-tt/beurer_bm58, p3pp3rX/beurer_bm58), as output or feature reports. `AA`, `A4`, `A5`,
 * `A6`, `A7` each answer 8 ASCII bytes of the device id; `A2` the record count in byte 0; `A3 n`
 * record n (1 = oldest): SYS−25, DIA−25, pulse, month, day (bit 7: user 2), hour, minute,
 * year−2000 (bit 7: irregular heartbeat); a missing record answers `A9` (curzon01/bm58, serial
 * variant; the HID variant pads it with zeros here). `F7`, `F6` get no answer; neither does
 * anything malformed.
 */
import { WardError } from '../../model/errors';
import type { SimulatedDevice } from './bus';
import { DEFAULT_BP_READINGS, resolveBpReadings, type SimulatedBpReading } from './bpMemory';

export interface Bm58SimReading extends SimulatedBpReading {
  /** Which user's memory (default 1). */
  user?: 1 | 2;
}

export interface Bm58SimulatorOptions {
  serialNumber?: string;
  /** Device id text answered over the five init commands (up to 40 characters). */
  deviceId?: string;
  readings?: Bm58SimReading[];
  clockDriftSeconds?: number;
  /** Record numbers (1-based) the unit answers with `A9` although the count includes them. */
  missing?: number[];
  /** Raw replies to `A3 n` replacing the stored record n (tests of damaged records). */
  rawRecords?: Record<number, number[]>;
}

const INIT = [0xaa, 0xa4, 0xa5, 0xa6, 0xa7];
const PAD = 0xf4;

export function createBm58Simulator(options: Bm58SimulatorOptions = {}): SimulatedDevice {
  const id = (options.deviceId ?? 'Andon Blood Pressure Meter BM58 HID v1').padEnd(40, ' ').slice(0, 40);
  const readings = options.readings ?? DEFAULT_BP_READINGS;
  const records = resolveBpReadings(readings, options.clockDriftSeconds).map((r, i) => {
    if (r.systolic < 25 || r.diastolic < 25 || r.systolic > 280 || r.diastolic > 280 || r.year < 2000 || r.year > 2127) {
      throw new WardError('BAD_INPUT', 'The BM58 stores SYS and DIA from 25 to 280 mmHg and years 2000–2127.');
    }
    const user2 = (readings[i] as Bm58SimReading).user === 2 ? 0x80 : 0;
    const ihb = r.irregularHeartbeat ? 0x80 : 0;
    return [r.systolic - 25, r.diastolic - 25, r.pulse, r.month, r.day | user2, r.hour, r.minute, (r.year - 2000) | ihb];
  });
  const missing = new Set(options.missing ?? []);

  return {
    info: { vendorId: 0x0c45, productId: 0x7406, product: 'Blood Pressure Monitor', manufacturer: 'Beurer', ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}) },
    onHostReport(raw, kind, emit) {
      // A feature report arrives whole, report id 0 first.
      const report = kind === 'feature' && raw[0] === 0 ? raw.subarray(1) : raw;
      const command = report[0];
      const argLength = command === 0xa3 ? 1 : 0;
      if (report.length !== 1 + argLength + 7) return;
      for (let i = 1 + argLength; i < report.length; i++) if (report[i] !== PAD) return;
      const initIndex = INIT.indexOf(command);
      if (initIndex >= 0) {
        emit(Uint8Array.from(id.slice(initIndex * 8, initIndex * 8 + 8), (c) => c.charCodeAt(0)));
      } else if (command === 0xa2) {
        emit(Uint8Array.of(records.length, 0, 0, 0, 0, 0, 0, 0));
      } else if (command === 0xa3) {
        const n = report[1];
        const raw = options.rawRecords?.[n];
        if (raw) emit(Uint8Array.from(raw));
        else if (missing.has(n) || !records[n - 1]) emit(Uint8Array.of(0xa9, 0, 0, 0, 0, 0, 0, 0));
        else emit(Uint8Array.from(records[n - 1]));
      }
    },
  };
}
