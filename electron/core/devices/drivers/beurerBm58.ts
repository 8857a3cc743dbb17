/**
 * Beurer BM58 blood-pressure monitor, HID variant (0x0C45:0x7406), per docs/devices.md. Every host
 * report is the command byte (and argument) followed by seven `F4` padding bytes; every reply is
 * one 8-byte report; no checksum. Init `AA`, `A4`, `A5`, `A6`, `A7` (their ASCII replies form the
 * device id), `A2` (record count in byte 0), `A3 n` for n = 1..count (SYS−25, DIA−25, pulse, month,
 * day, hour, minute, year−2000); `F7`, `F6` end the session (sent on close). Bit 7 of the day byte
 * marks a user-2 record, bit 7 of the year byte an irregular heartbeat; an `A9` reply means "no
 * such record" and is skipped. A record that cannot be read is reported and the rest kept.
 *
 * No serial, firmware or clock in the protocol: the id is the USB serial-number string when
 * present, else `bm58-<device id text>` (stable across re-plugs but possibly shared by units of
 * the same batch; record ids include a digest of the record bytes to keep units apart).
 */
import { WardError } from '../../model/errors';
import { padReport, stepOptions, type StepOptions } from '../transport/reportIo';
import { MemorySession } from './memorySession';
import { bloodPressureReading, deviceLocalTime, memoryRecordIds, serialOrFallback, stampOf } from '../protocols/vitalReadings';
import { problemReason, unreadableRecord } from '../recordProblem';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidConnection, HidDeviceInfo, ReadOptions } from '../types';

export const BM58_REPORT_SIZE = 8;
export const BM58_PAD = 0xf4;
export const BM58_INIT_COMMANDS = [0xaa, 0xa4, 0xa5, 0xa6, 0xa7] as const;
export const BM58_COUNT = 0xa2;
export const BM58_RECORD = 0xa3;
export const BM58_END_COMMANDS = [0xf7, 0xf6] as const;
/** Offset of the stored SYS and DIA values. */
export const BM58_PRESSURE_OFFSET = 25;

/** Seven F4 padding bytes follow every command (muling-tt/beurer_bm58 bm58.py: `[i] + padding`, `[0xa3, n] + padding`). */
export const BM58_PADDING = 7;
/** Marks a user-2 record in the day byte. */
export const BM58_USER2_BIT = 0x80;
/** Marks an irregular heartbeat in the year byte. */
export const BM58_IHB_BIT = 0x80;
/** Reply to `A3 n` when there is no record n (curzon01/bm58 bm58.py, serial variant). */
export const BM58_NO_RECORD = 0xa9;

/** Command byte (+ argument) followed by seven F4 bytes. */
export function bm58Command(command: number, argument?: number): Uint8Array {
  const bytes = argument === undefined ? [command] : [command, argument];
  return padReport(bytes, bytes.length + BM58_PADDING, BM58_PAD);
}

function expectReply(reply: Uint8Array, what: string): Uint8Array {
  if (reply.length !== BM58_REPORT_SIZE) {
    throw new WardError('PROTOCOL', `The blood-pressure monitor sent a ${reply.length}-byte reply (${what}); expected ${BM58_REPORT_SIZE}.`);
  }
  return reply;
}

/** Device id text from the five init replies. */
export function parseBm58DeviceId(replies: Uint8Array[]): string {
  const bytes: number[] = [];
  for (const r of replies) bytes.push(...expectReply(r, 'device id'));
  const text = Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ' ')).join('').replace(/\s+/g, ' ').trim();
  if (!/[A-Za-z0-9]/.test(text)) throw new WardError('PROTOCOL', 'The blood-pressure monitor sent an unreadable device id.');
  return text;
}

export function parseBm58Count(reply: Uint8Array): number {
  return expectReply(reply, 'record count')[0];
}

export interface Bm58Record {
  time: string;
  systolic: number;
  diastolic: number;
  pulse: number;
  user: 1 | 2;
  irregularHeartbeat: boolean;
}

/** One `A3 n` reply → a record, or undefined for the "no such record" reply (`A9` and no valid record). */
export function parseBm58Record(reply: Uint8Array): Bm58Record | undefined {
  const r = expectReply(reply, 'record');
  const month = r[3];
  const day = r[4] & ~BM58_USER2_BIT;
  const year = 2000 + (r[7] & ~BM58_IHB_BIT);
  let time: string;
  try {
    time = deviceLocalTime({ year, month, day, hour: r[5], minute: r[6] }, 'a record');
  } catch (e) {
    if (r[0] === BM58_NO_RECORD) return undefined;
    throw e;
  }
  return {
    time,
    systolic: r[0] + BM58_PRESSURE_OFFSET,
    diastolic: r[1] + BM58_PRESSURE_OFFSET,
    pulse: r[2],
    user: r[4] & BM58_USER2_BIT ? 2 : 1,
    irregularHeartbeat: (r[7] & BM58_IHB_BIT) !== 0,
  };
}

class Bm58Session extends MemorySession {
  private deviceId: string | null = null;
  private talked = false;

  constructor(
    connection: HidConnection,
    private readonly info: HidDeviceInfo,
  ) {
    super(connection);
  }

  protected async identifyNow(options?: ReadOptions): Promise<DeviceIdentity> {
    const deviceId = await this.init(stepOptions(options));
    return {
      model: bm58Driver.model,
      serial: serialOrFallback(this.info, `bm58-${deviceId.replace(/[^A-Za-z0-9]+/g, '-')}`),
      workstationTime: new Date().toISOString(),
    };
  }

  protected async readMemoryNow(options?: ReadOptions): Promise<DeviceReading[]> {
    const step = stepOptions(options);
    if (this.deviceId === null) await this.init(step);
    const count = parseBm58Count(await this.ask(bm58Command(BM58_COUNT), step, 'record count'));
    const entries: Array<{ record: Bm58Record; bytes: Uint8Array } | { position: number; problem: string }> = [];
    for (let n = 1; n <= count; n++) {
      const bytes = await this.ask(bm58Command(BM58_RECORD, n), step, 'record');
      try {
        const record = parseBm58Record(bytes);
        if (record) entries.push({ record, bytes });
      } catch (e) {
        if (!(e instanceof WardError) || e.code !== 'PROTOCOL') throw e;
        entries.push({ position: n, problem: `Record ${n} of the monitor's memory could not be read: ${problemReason(e)}` });
      }
    }
    const good = entries.filter((e): e is { record: Bm58Record; bytes: Uint8Array } => 'record' in e);
    const ids = memoryRecordIds('bm58', good.map(({ record, bytes }) => ({ stamp: stampOf(record.time), bytes })));
    const idOf = new Map(good.map((e, i) => [e, ids[i]!]));
    return entries.map((e) => {
      if (!('record' in e)) return unreadableRecord(`bm58-unreadable-${e.position}`, 'blood-pressure', e.problem);
      const reading = bloodPressureReading(idOf.get(e)!, e.record, e.record.irregularHeartbeat ? ['irregular-heartbeat'] : []);
      reading.monitorUser = e.record.user;
      return reading;
    });
  }

  /** Sends F7, F6 (best effort; the device does not answer them), then closes. */
  override async close(): Promise<void> {
    if (this.talked) {
      for (const c of BM58_END_COMMANDS) {
        await this.channel.writeOutput(bm58Command(c), { timeoutMs: 500 }, 'end of session').catch(() => undefined);
      }
    }
    await super.close();
  }

  private async init(step: StepOptions): Promise<string> {
    const replies: Uint8Array[] = [];
    for (const c of BM58_INIT_COMMANDS) replies.push(await this.ask(bm58Command(c), step, 'device id'));
    this.deviceId = parseBm58DeviceId(replies);
    return this.deviceId;
  }

  private async ask(command: Uint8Array, step: StepOptions, what: string): Promise<Uint8Array> {
    this.talked = true;
    await this.channel.writeOutput(command, step, what);
    return this.channel.read(step, what);
  }
}

export const bm58Driver: DeviceDriver = {
  id: 'beurer-bm58',
  model: 'Beurer BM58',
  kind: 'blood-pressure',
  reads: 'memory',
  matches: [{ vendorId: 0x0c45, productId: 0x7406 }],
  async open(connection: HidConnection, info: HidDeviceInfo): Promise<DeviceSession> {
    return new Bm58Session(connection, info);
  },
};
