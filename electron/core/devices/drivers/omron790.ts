/**
 * Omron HEM-790IT / HEM-7080IT-E blood-pressure monitor (0x0590:0x0028). Device information mode:
 * VER00 (firmware text) and SRL00 (serial bytes). Daily mode: GDC per bank (record count), GME
 * per record. A session ends with END (sent on close: the unit switches itself off).
 *
 * The protocol has no command to read the device clock, so identify() carries no deviceTime;
 * each reading carries the device's timestamp as recorded.
 */
import { WardError } from '../../model/errors';
import { countPrefixedPayload, toCountPrefixedReports } from '../protocols/countPrefixed';
import {
  OMRON_CLEAR_BYTES,
  OMRON_COMMANDS,
  OMRON_MODE,
  OMRON_REPLY_LENGTH,
  parseOmronCount,
  parseOmronRecord,
  parseOmronSerial,
  parseOmronVersion,
  readOmronReply,
} from '../protocols/omronCommands';
import { stepOptions, type StepOptions } from '../transport/reportIo';
import { MemorySession } from './memorySession';
import { bloodPressureReading, stampOf } from '../protocols/vitalReadings';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidConnection, HidDeviceInfo, ReadOptions, ReadingFlag } from '../types';

/** Banks read by readMemory (the unit's user A / user B switch). */
export const OMRON_BANKS = [0, 1] as const;
/** How often a "NO" (busy) answer is retried before giving up. */
export const OMRON_MAX_BUSY_RETRIES = 3;
/** Clearing blocks sent after a mode change before giving up on the "OK". */
const MAX_CLEAR_ATTEMPTS = 5;

class Omron790Session extends MemorySession {
  private talked = false;

  protected async identifyNow(options?: ReadOptions): Promise<DeviceIdentity> {
    const step = stepOptions(options);
    await this.enterMode(OMRON_MODE.deviceInfo, step);
    const firmware = parseOmronVersion(await this.exchange(OMRON_COMMANDS.version, OMRON_REPLY_LENGTH.version, step, 'version'));
    const serial = parseOmronSerial(await this.exchange(OMRON_COMMANDS.serial, OMRON_REPLY_LENGTH.serial, step, 'serial number'));
    return { model: omron790Driver.model, serial, firmware, workstationTime: new Date().toISOString() };
  }

  protected async readMemoryNow(options?: ReadOptions): Promise<DeviceReading[]> {
    const step = stepOptions(options);
    await this.enterMode(OMRON_MODE.daily, step);
    const readings: DeviceReading[] = [];
    for (const bank of OMRON_BANKS) {
      const count = parseOmronCount(await this.exchange(OMRON_COMMANDS.count(bank), OMRON_REPLY_LENGTH.count, step, 'record count'));
      for (let index = 0; index < count; index++) {
        const record = parseOmronRecord(await this.exchange(OMRON_COMMANDS.record(bank, index), OMRON_REPLY_LENGTH.record, step, 'record'));
        const flags: ReadingFlag[] = record.irregularHeartbeat ? ['irregular-heartbeat'] : [];
        readings.push(bloodPressureReading(`omron-b${bank}-i${index}-${stampOf(record.time)}`, record, flags));
      }
    }
    return readings;
  }

  /** Ends the session with END (best effort, no wait for "OFF"), then closes. */
  override async close(): Promise<void> {
    if (this.talked) {
      await this.writeMessage(OMRON_COMMANDS.end, { timeoutMs: 500 }, 'end of session').catch(() => undefined);
    }
    await super.close();
  }

  /** Feature report selecting `mode`, then clearing blocks of zeros until the unit says OK. */
  private async enterMode(mode: number, step: StepOptions): Promise<void> {
    this.talked = true;
    await this.channel.sendFeature(Uint8Array.of(0x00, mode >> 8, mode & 0xff), step, 'mode change');
    for (let attempt = 0; attempt < MAX_CLEAR_ATTEMPTS; attempt++) {
      await this.writeMessage(new Uint8Array(OMRON_CLEAR_BYTES), step, 'mode change');
      const payload = countPrefixedPayload(await this.channel.read(step, 'mode change'), 0xff, 'blood-pressure monitor');
      if (payload.length >= 2 && payload[0] === 0x4f && payload[1] === 0x4b) return;
    }
    throw new WardError('PROTOCOL', 'The blood-pressure monitor did not acknowledge the transfer mode. Switch it off and on, then try again.');
  }

  /** Sends a command and returns its checked reply; "NO" (busy) is retried a bounded number of times. */
  private async exchange(command: Uint8Array, length: number, step: StepOptions, what: string): Promise<Uint8Array> {
    for (let attempt = 0; attempt <= OMRON_MAX_BUSY_RETRIES; attempt++) {
      await this.writeMessage(command, step, what);
      const reply = await readOmronReply(this.channel, step, length, what);
      if (reply.status === 'ok') return reply.bytes;
    }
    throw new WardError('DEVICE', `The blood-pressure monitor kept answering "busy" (${what}). Wait until it is idle and try again.`);
  }

  private async writeMessage(message: Uint8Array, step: StepOptions, what: string): Promise<void> {
    for (const report of toCountPrefixedReports(message)) await this.channel.writeOutput(report, step, what);
  }
}

export const omron790Driver: DeviceDriver = {
  id: 'omron-hem790it',
  model: 'Omron HEM-790IT',
  kind: 'blood-pressure',
  reads: 'memory',
  matches: [{ vendorId: 0x0590, productId: 0x0028 }],
  async open(connection: HidConnection, _info: HidDeviceInfo): Promise<DeviceSession> {
    return new Omron790Session(connection);
  },
};
