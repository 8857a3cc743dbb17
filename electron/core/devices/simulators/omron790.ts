/**
 * Simulated Omron HEM-790IT (0x0590:0x0028), the device side of the libomron-documented protocol:
 * mode by feature report `[0x00, hi, lo]`, then zero clearing bytes until it answers `OK`;
 * commands in count-prefixed 8-byte reports; replies `OK 00 … XOR`, `NO`, or `OFF\r\n` after END
 * (the unit then switches off and ignores everything). Index 0 of a bank is the newest record.
 */
import { WardError } from '../../model/errors';
import type { SimulatedDevice } from './bus';
import { countReports, DEFAULT_BP_READINGS, resolveBpReadings, type ResolvedBpReading, type SimulatedBpReading } from './bpMemory';

export interface Omron790SimulatorOptions {
  serialNumber?: string;
  /** VER text, 11 ASCII characters (default "M7080IT 207"). */
  version?: string;
  /** SRL bytes, 7 of them (default 06 00 00 00 00 00 00). */
  serialBytes?: number[];
  /** Bank 0 (user A) readings, oldest first. */
  readings?: SimulatedBpReading[];
  /** Bank 1 (user B) readings, oldest first. */
  bankB?: SimulatedBpReading[];
  clockDriftSeconds?: number;
  /** Answer "NO" (busy) this many times to `busyCommand` before serving it (default 0). */
  busyReplies?: number;
  busyCommand?: 'VER' | 'SRL' | 'GDC' | 'GME';
}

export interface Omron790Simulator extends SimulatedDevice {
  /** True once END switched the unit off. */
  readonly off: boolean;
  /** Every command received, as its three letters. */
  readonly commands: string[];
}

const MODES = new Set([0x0102, 0x74bc, 0x1074]);
const DEVICE_INFO = 0x0102;
const DAILY = 0x74bc;
const CLEAR_BYTES = 12;
const COMMAND_LENGTH: Record<string, number> = { VER: 5, PRF: 5, SRL: 5, END: 5, GDC: 8, GME: 8 };

const xor = (bytes: number[]): number => bytes.reduce((a, b) => a ^ b, 0);
const text = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0) & 0xff);

export function createOmron790Simulator(options: Omron790SimulatorOptions = {}): Omron790Simulator {
  const version = (options.version ?? 'M7080IT 207').padEnd(11, ' ').slice(0, 11);
  const serialBytes = options.serialBytes ?? [0x06, 0, 0, 0, 0, 0, 0];
  if (serialBytes.length !== 7 || serialBytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
    throw new WardError('BAD_INPUT', 'The simulated Omron serial must be 7 bytes.');
  }
  const now = Date.now();
  // Newest first: GME index 0 is the most recent record.
  const banks: ResolvedBpReading[][] = [
    resolveBpReadings(options.readings ?? DEFAULT_BP_READINGS, options.clockDriftSeconds, now).reverse(),
    resolveBpReadings(options.bankB ?? [], options.clockDriftSeconds, now).reverse(),
  ];
  let busyLeft = options.busyReplies ?? 0;
  const busyCommand = options.busyCommand ?? 'GME';
  let mode: number | null = null;
  let clearing = false;
  let zeros = 0;
  let off = false;
  let pending: number[] = [];
  const commands: string[] = [];

  const ok = (data: number[]): number[] => {
    const body = [0x00, ...data];
    return [...text('OK'), ...body, xor(body)];
  };
  const send = (emit: (r: Uint8Array) => void, message: number[]): void => {
    for (const r of countReports(message)) emit(r);
  };

  const answer = (cmd: number[]): number[] | null => {
    const letters = String.fromCharCode(cmd[0], cmd[1], cmd[2]);
    const args = cmd.slice(3, -1);
    commands.push(letters);
    if (xor(args) !== cmd[cmd.length - 1]) return text('NO');
    if (letters === busyCommand && busyLeft > 0) {
      busyLeft--;
      return text('NO');
    }
    switch (letters) {
      case 'VER':
        return mode === DEVICE_INFO ? ok(text(version)) : text('NO');
      case 'SRL':
        return mode === DEVICE_INFO ? ok(serialBytes) : text('NO');
      case 'PRF':
        return mode === DEVICE_INFO ? ok(text('0010100000')) : text('NO');
      case 'GDC': {
        const bank = banks[args[1]];
        return mode === DAILY && bank ? ok([0x00, 0x00, 0x00, bank.length]) : text('NO');
      }
      case 'GME': {
        const r = banks[args[1]]?.[args[3]];
        if (mode !== DAILY || !r) return text('NO');
        const flags = r.irregularHeartbeat ? 0x01 : 0x00;
        return ok([r.year - 2000, r.month, r.day, r.hour, r.minute, r.second, 0x00, 0x00, r.systolic, r.diastolic, r.pulse, 0x00, flags]);
      }
      case 'END':
        off = true;
        return text('OFF\r\n');
      default:
        return text('NO');
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
    onHostReport(report, kind, emit) {
      if (off) return;
      if (kind === 'feature') {
        const m = report.length === 3 && report[0] === 0x00 ? (report[1] << 8) | report[2] : -1;
        if (!MODES.has(m)) return;
        mode = m;
        clearing = true;
        zeros = 0;
        pending = [];
        return;
      }
      const count = report[0];
      if (report.length < 1 || count > 7 || count > report.length - 1) return;
      const data = Array.from(report.subarray(1, 1 + count));
      if (clearing) {
        if (data.some((b) => b !== 0)) {
          zeros = 0;
          return;
        }
        zeros += data.length;
        if (zeros >= CLEAR_BYTES) {
          clearing = false;
          zeros = 0;
          send(emit, text('OK'));
        }
        return;
      }
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
        const reply = answer(pending.slice(0, length));
        pending = pending.slice(length);
        if (reply) send(emit, reply);
        if (off) return;
      }
    },
  };
}
