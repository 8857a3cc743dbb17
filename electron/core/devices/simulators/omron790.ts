/**
 * Simulated Omron HEM-790IT (0x0590:0x0028), built from libomron's USB capture of the unit talking
 * to Omron's own software (doc/logs/hem790it/790IT_OneReading.html) and its protocol notes — not
 * from the driver (docs/devices.md):
 *
 * - A mode is set by a feature report `[0x00, hi, lo]` (0x0101 device information, 0x312C memory).
 * - Clearing: the first mode change after power-on is never answered; after a later one the unit
 *   sends an empty report (count 0) and `08 60 00 00 00 00 00 00` for the first block of zeros and
 *   `02 4F 4B` ("OK") for the next. A command (non-zero bytes) is served whenever it arrives.
 * - Commands arrive in count-prefixed reports (bytes after the count are ignored); replies are
 *   count-prefixed too, with stale bytes from the previous report left after the count, as captured.
 * - VER00 / PRF00 / SRL00 answer in any mode, GDC / GME only in memory mode (else "NO"). GME index 0
 *   is the newest record. END is answered "OK", then "OFF\r\n", and the unit switches off.
 */
import { WardError } from '../../model/errors';
import type { SimulatedDevice } from './bus';
import { DEFAULT_BP_READINGS, resolveBpReadings, type ResolvedBpReading, type SimulatedBpReading } from './bpMemory';

export interface Omron790SimulatorOptions {
  serialNumber?: string;
  /** VER text, 11 ASCII characters (default "M7080IT 207", as captured). */
  version?: string;
  /** SRL bytes, 7 of them (default 06 00 00 00 00 00 00, as captured). */
  serialBytes?: number[];
  /** Stored readings, oldest first. */
  readings?: SimulatedBpReading[];
  clockDriftSeconds?: number;
  /** Answer "NO" (busy) this many times to `busyCommand` before serving it (default 0). */
  busyReplies?: number;
  busyCommand?: 'VER' | 'SRL' | 'GDC' | 'GME';
  /** GME indexes (0 = newest) whose first answer carries a wrong check byte. */
  damagedOnce?: number[];
  /** GME indexes whose answer always carries a wrong check byte. */
  alwaysDamaged?: number[];
}

export interface Omron790Simulator extends SimulatedDevice {
  /** True once END switched the unit off. */
  readonly off: boolean;
  /** Every command received, as its three letters. */
  readonly commands: string[];
}

const MODES = new Set([0x0101, 0x312c]);
const MEMORY_MODE = 0x312c;
const COMMAND_LENGTH: Record<string, number> = { VER: 5, PRF: 5, SRL: 5, END: 5, GDC: 8, GME: 8 };

const xor = (bytes: number[]): number => bytes.reduce((a, b) => a ^ b, 0);
const text = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0) & 0xff);

export function createOmron790Simulator(options: Omron790SimulatorOptions = {}): Omron790Simulator {
  const version = (options.version ?? 'M7080IT 207').padEnd(11, ' ').slice(0, 11);
  const serialBytes = options.serialBytes ?? [0x06, 0, 0, 0, 0, 0, 0];
  if (serialBytes.length !== 7 || serialBytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
    throw new WardError('BAD_INPUT', 'The simulated Omron serial must be 7 bytes.');
  }
  // Newest first: GME index 0 is the most recent record.
  const records: ResolvedBpReading[] = resolveBpReadings(options.readings ?? DEFAULT_BP_READINGS, options.clockDriftSeconds).reverse();
  let busyLeft = options.busyReplies ?? 0;
  const busyCommand = options.busyCommand ?? 'GME';
  const damagedOnce = new Set(options.damagedOnce ?? []);
  const alwaysDamaged = new Set(options.alwaysDamaged ?? []);
  let mode: number | null = null;
  let modeChanges = 0;
  let clearBlocksAnswered = 0;
  let zeros = 0;
  let off = false;
  let pending: number[] = [];
  let lastReport = new Uint8Array(8);
  const commands: string[] = [];

  /** One count-prefixed report; the bytes after the count keep what the previous report had there. */
  const report = (chunk: number[]): Uint8Array => {
    const r = Uint8Array.from(lastReport);
    r[0] = chunk.length;
    r.set(chunk, 1);
    lastReport = r;
    return r;
  };
  const send = (emit: (r: Uint8Array) => void, message: number[]): void => {
    for (let i = 0; i < message.length; i += 7) emit(report(message.slice(i, i + 7)));
  };
  const ok = (data: number[], damage = false): number[] => {
    const body = [0x00, ...data];
    return [...text('OK'), ...body, xor(body) ^ (damage ? 0x5a : 0)];
  };

  const answer = (cmd: number[]): number[][] => {
    const letters = String.fromCharCode(cmd[0], cmd[1], cmd[2]);
    const args = cmd.slice(3, -1);
    commands.push(letters);
    if (xor(args) !== cmd[cmd.length - 1]) return [text('NO')];
    if (letters === busyCommand && busyLeft > 0) {
      busyLeft--;
      return [text('NO')];
    }
    switch (letters) {
      case 'VER':
        return [ok(text(version))];
      case 'PRF':
        return [ok(text('0010100000'))];
      case 'SRL':
        return [ok(serialBytes)];
      case 'GDC':
        return mode === MEMORY_MODE && args[1] === 0 ? [ok([0x00, 0x10, 0x00, records.length])] : [text('NO')];
      case 'GME': {
        const index = args[3];
        const r = records[index];
        if (mode !== MEMORY_MODE || args[1] !== 0 || !r) return [text('NO')];
        const damage = alwaysDamaged.has(index) || damagedOnce.delete(index);
        const flags = r.irregularHeartbeat ? 0x01 : 0x00;
        return [ok([r.year - 2000, r.month, r.day, r.hour, r.minute, r.second, 0x00, 0x00, r.systolic, r.diastolic, r.pulse, 0x00, flags], damage)];
      }
      case 'END':
        off = true;
        return [text('OK'), text('OFF\r\n')];
      default:
        return [text('NO')];
    }
  };

  return {
    info: { vendorId: 0x0590, productId: 0x0028, product: 'HEM-790IT', manufacturer: 'Omron', ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}) },
    get off() {
      return off;
    },
    get commands() {
      return commands;
    },
    onHostReport(raw, kind, emit) {
      if (off) return;
      if (kind === 'feature') {
        const m = raw.length === 3 && raw[0] === 0x00 ? (raw[1] << 8) | raw[2] : -1;
        if (!MODES.has(m)) return;
        mode = m;
        modeChanges++;
        clearBlocksAnswered = 0;
        zeros = 0;
        pending = [];
        return;
      }
      const count = raw[0];
      if (raw.length < 1 || count > 7 || count > raw.length - 1) return;
      const data = Array.from(raw.subarray(1, 1 + count));
      if (pending.length === 0 && data.every((b) => b === 0)) {
        // Part of a clearing block (30 zero bytes).
        zeros += data.length;
        if (zeros < 30) return;
        zeros = 0;
        if (modeChanges <= 1) return; // the first mode change after power-on is never answered
        if (clearBlocksAnswered++ === 0) {
          emit(report([]));
          emit(Uint8Array.of(0x08, 0x60, 0, 0, 0, 0, 0, 0));
        } else send(emit, text('OK'));
        return;
      }
      zeros = 0;
      pending.push(...data);
      while (pending.length >= 3) {
        const letters = String.fromCharCode(pending[0], pending[1], pending[2]);
        const length = COMMAND_LENGTH[letters];
        if (length === undefined) {
          pending = [];
          send(emit, text('NO'));
          return;
        }
        if (pending.length < length) return;
        const replies = answer(pending.slice(0, length));
        pending = pending.slice(length);
        for (const r of replies) send(emit, r);
        if (off) return;
      }
    },
  };
}
