/**
 * Omron HEM-790IT / HEM-7080IT-E blood-pressure monitor (0x0590:0x0028), following the session
 * Omron's own software ran in the libomron USB capture (docs/devices.md): device-information mode
 * for VER00, PRF00 (profile) and SRL00 (serial bytes); memory mode for GDC (record count) and GME
 * per record. A session ends with END (sent on close: the unit switches itself off).
 *
 * The protocol has no command to read the device clock, so identify() carries no deviceTime;
 * each reading carries the device's timestamp as recorded. A record the unit keeps sending damaged
 * is reported in place and the download goes on.
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
import { problemReason, unreadableRecord } from '../recordProblem';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidConnection, HidDeviceInfo, ReadOptions, ReadingFlag } from '../types';

/**
 * Memory banks read by readMemory. Omron's software reads bank 0 only from a HEM-790IT (capture
 * seq 0392); libomron's notes guess at banks 1 and 2 for two-user models without a capture.
 */
export const OMRON_BANKS = [0] as const;
/** How often a "NO" (busy) or damaged answer is asked again before giving up on that command. */
export const OMRON_MAX_BUSY_RETRIES = 3;
/** Clearing blocks sent after a mode change before giving up on the "OK". */
const MAX_CLEAR_ATTEMPTS = 6;
/**
 * Clearing blocks the unit may leave unanswered before the host goes ahead anyway: right after it
 * is plugged in, a HEM-790IT answered neither of two blocks and Omron's software then sent VER00,
 * which it answered (capture seq 0008–0074).
 */
const SILENT_CLEARS_TOLERATED = 2;
/** How long to wait for the answer to a clearing block (Omron's software waited about a second). */
const CLEAR_WAIT_MS = 1000;

class Omron790Session extends MemorySession {
  private talked = false;

  protected async identifyNow(options?: ReadOptions): Promise<DeviceIdentity> {
    const step = stepOptions(options);
    await this.enterMode(OMRON_MODE.deviceInfo, step);
    const firmware = parseOmronVersion(await this.exchange(OMRON_COMMANDS.version, OMRON_REPLY_LENGTH.version, step, 'version'));
    await this.exchange(OMRON_COMMANDS.profile, OMRON_REPLY_LENGTH.profile, step, 'profile');
    const serial = parseOmronSerial(await this.exchange(OMRON_COMMANDS.serial, OMRON_REPLY_LENGTH.serial, step, 'serial number'));
    return { model: omron790Driver.model, serial, firmware, workstationTime: new Date().toISOString() };
  }

  protected async readMemoryNow(options?: ReadOptions): Promise<DeviceReading[]> {
    const step = stepOptions(options);
    await this.enterMode(OMRON_MODE.memory, step);
    const readings: DeviceReading[] = [];
    for (const bank of OMRON_BANKS) {
      const count = parseOmronCount(await this.exchange(OMRON_COMMANDS.count(bank), OMRON_REPLY_LENGTH.count, step, 'record count'));
      for (let index = 0; index < count; index++) {
        try {
          const record = parseOmronRecord(await this.exchange(OMRON_COMMANDS.record(bank, index), OMRON_REPLY_LENGTH.record, step, `record ${index + 1}`));
          const flags: ReadingFlag[] = record.irregularHeartbeat ? ['irregular-heartbeat'] : [];
          readings.push(bloodPressureReading(`omron-b${bank}-i${index}-${stampOf(record.time)}`, record, flags));
        } catch (e) {
          if (!(e instanceof WardError) || e.code !== 'PROTOCOL') throw e;
          readings.push(unreadableRecord(`omron-b${bank}-i${index}-unreadable`, 'blood-pressure', `Record ${index + 1} of the monitor's memory could not be read: ${problemReason(e)}`));
        }
      }
    }
    return readings;
  }

  /** Ends the session with END (best effort, no wait for its "OK" / "OFF"), then closes. */
  override async close(): Promise<void> {
    if (this.talked) {
      await this.writeMessage(OMRON_COMMANDS.end, { timeoutMs: 500 }, 'end of session').catch(() => undefined);
    }
    await super.close();
  }

  /**
   * Feature report selecting `mode`, then clearing blocks until the unit says OK. Reports with a
   * count of 0 are skipped; anything else (the `08 60 00 …` report after a mode change) asks for
   * another block; a unit that stays silent is taken as ready after two blocks.
   */
  private async enterMode(mode: number, step: StepOptions): Promise<void> {
    this.talked = true;
    await this.channel.sendFeature(Uint8Array.of(0x00, mode >> 8, mode & 0xff), step, 'mode change');
    const wait: StepOptions = { timeoutMs: Math.min(step.timeoutMs, CLEAR_WAIT_MS), signal: step.signal };
    let silent = 0;
    for (let attempt = 0; attempt < MAX_CLEAR_ATTEMPTS; attempt++) {
      await this.writeMessage(new Uint8Array(OMRON_CLEAR_BYTES), step, 'mode change');
      for (;;) {
        const report = await this.channel.readOrNull(wait);
        if (report === null) {
          if (++silent >= SILENT_CLEARS_TOLERATED) return;
          break;
        }
        const payload = countPrefixedPayload(report, 0xff, 'blood-pressure monitor');
        if (payload.length === 0) continue;
        if (payload.length >= 2 && payload[0] === 0x4f && payload[1] === 0x4b) return;
        break;
      }
    }
    throw new WardError('PROTOCOL', 'The blood-pressure monitor did not acknowledge the transfer mode. Switch it off and on, then try again.');
  }

  /** Sends a command and returns its checked reply; "NO" (busy) and damaged replies are asked again a bounded number of times. */
  private async exchange(command: Uint8Array, length: number, step: StepOptions, what: string): Promise<Uint8Array> {
    let damaged: string | undefined;
    for (let attempt = 0; attempt <= OMRON_MAX_BUSY_RETRIES; attempt++) {
      if (damaged) await this.channel.drain(step);
      await this.writeMessage(command, step, what);
      const reply = await readOmronReply(this.channel, step, length, what);
      if (reply.status === 'ok') return reply.bytes;
      damaged = reply.status === 'damaged' ? reply.reason : undefined;
    }
    if (damaged) throw new WardError('PROTOCOL', damaged);
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
