/**
 * Simulated Beurer BM58 (HID, 0x0C45:0x7406). Host reports: command byte (+ argument) padded
 * with `F4` to 8 bytes, as output reports or feature reports (report id 0 first). `AA`, `A4`,
 * `A5`, `A6`, `A7` each answer 8 ASCII bytes of the device id; `A2` the record count in byte 0;
 * `A3 n` record n (1 = oldest): SYS−25, DIA−25, pulse, month, day, hour, minute, year−2000.
 * `F7`, `F6` get no answer; neither does anything malformed.
 */
import { WardError } from '../../model/errors';
import type { SimulatedDevice } from './bus';
import { DEFAULT_BP_READINGS, resolveBpReadings, type SimulatedBpReading } from './bpMemory';

export interface Bm58SimulatorOptions {
  serialNumber?: string;
  /** Device id text answered over the five init commands (up to 40 characters). */
  deviceId?: string;
  readings?: SimulatedBpReading[];
  clockDriftSeconds?: number;
}

const INIT = [0xaa, 0xa4, 0xa5, 0xa6, 0xa7];

export function createBm58Simulator(options: Bm58SimulatorOptions = {}): SimulatedDevice {
  const id = (options.deviceId ?? 'Andon Blood Pressure Meter BM58 HID v1').padEnd(40, ' ').slice(0, 40);
  const records = resolveBpReadings(options.readings ?? DEFAULT_BP_READINGS, options.clockDriftSeconds).map((r) => {
    if (r.systolic < 25 || r.diastolic < 25 || r.systolic > 280 || r.diastolic > 280 || r.year < 2000 || r.year > 2255) {
      throw new WardError('BAD_INPUT', 'The BM58 stores SYS and DIA from 25 to 280 mmHg and years 2000–2255.');
    }
    return Uint8Array.of(r.systolic - 25, r.diastolic - 25, r.pulse, r.month, r.day, r.hour, r.minute, r.year - 2000);
  });

  return {
    info: { vendorId: 0x0c45, productId: 0x7406, product: 'Blood Pressure Monitor', manufacturer: 'Beurer', ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}) },
    onHostReport(raw, kind, emit) {
      // A feature report arrives whole, report id 0 first.
      const report = kind === 'feature' && raw.length === 9 && raw[0] === 0 ? raw.subarray(1) : raw;
      if (report.length !== 8) return;
      const command = report[0];
      const argLength = command === 0xa3 ? 1 : 0;
      for (let i = 1 + argLength; i < 8; i++) if (report[i] !== 0xf4) return;
      const initIndex = INIT.indexOf(command);
      if (initIndex >= 0) {
        emit(Uint8Array.from(id.slice(initIndex * 8, initIndex * 8 + 8), (c) => c.charCodeAt(0)));
      } else if (command === 0xa2) {
        emit(Uint8Array.of(records.length, 0, 0, 0, 0, 0, 0, 0));
      } else if (command === 0xa3) {
        const r = records[report[1] - 1];
        if (r) emit(Uint8Array.from(r));
      }
    },
  };
}
