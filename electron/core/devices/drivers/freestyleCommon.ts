/**
 * What the FreeStyle meters share above the framing: session start, identity (serial, firmware,
 * clock) and record-field helpers. Each model's driver adds its serial command and record layout.
 */
import { WardError } from '../../model/errors';
import { clockDriftSeconds, localIso } from '../deviceClock';
import { FreeStyleLink, singleLine } from '../protocols/freestyleHid';
import { drainInput, ExchangeSerializer, METER_STEP_TIMEOUT_MS, stepOptions, type StepOptions } from '../transport/reportIo';
import type { DeviceIdentity, DeviceReading, DeviceSession, HidConnection, ReadOptions } from '../types';

/** 255 in every clock field means the meter's clock was never set. */
const CLOCK_NOT_SET = 255;

function clockFields(reply: string, count: number, what: string): number[] {
  const parts = singleLine(reply).split(',');
  if (parts.length !== count || !parts.every((p) => /^\d{1,3}$/.test(p))) {
    throw new WardError('PROTOCOL', `The meter sent its ${what} in an unexpected format.`);
  }
  return parts.map(Number);
}

/**
 * Meter clock from the `$date?` (`M,D,YY`) and `$time?` (`H,M`) replies as ISO local time, or
 * undefined when the clock is not set.
 */
export function parseFreeStyleClock(dateReply: string, timeReply: string): string | undefined {
  const [month, day, yy] = clockFields(dateReply, 3, 'date');
  const [hour, minute] = clockFields(timeReply, 2, 'time');
  if ([month, day, yy, hour, minute].some((n) => n === CLOCK_NOT_SET)) return undefined;
  return localIso(2000 + yy, month, day, hour, minute, 0, 'the meter clock');
}

/** A non-negative integer field, or a PROTOCOL error naming the record (by position, never by content). */
export function intField(fields: readonly string[], index: number, recordNo: number): number {
  const v = fields[index];
  if (v === undefined || !/^\d{1,9}$/.test(v)) throw new WardError('PROTOCOL', `Record ${recordNo} from the meter has an invalid field ${index}.`);
  return Number(v);
}

/** Record time from fields [month, day, YY, hour, minute(, second)] starting at `first`. */
export function recordTime(fields: readonly string[], first: number, withSeconds: boolean, recordNo: number): string {
  const n = (i: number): number => intField(fields, first + i, recordNo);
  return localIso(2000 + n(2), n(0), n(1), n(3), n(4), withSeconds ? n(5) : 0, `record ${recordNo}`);
}

export function requireFields(fields: readonly string[], count: number, recordNo: number): void {
  if (fields.length < count) throw new WardError('PROTOCOL', `Record ${recordNo} from the meter is incomplete.`);
}

export interface FreeStyleModelSpec {
  /** Display name in the identity. */
  model: string;
  /** Text command for the serial number (`$serlnum?` on most, `$sn?` on the Libre). */
  serialCommand: string;
  /** Downloads and normalises the stored readings. */
  readRecords(link: FreeStyleLink, step: StepOptions, workstationTime: string): Promise<DeviceReading[]>;
}

/**
 * A DeviceSession for a FreeStyle meter: the binary handshake runs once, before the first
 * command, under that call's timeout; calls are queued so exchanges never interleave.
 */
export function freestyleSession(conn: HidConnection, spec: FreeStyleModelSpec): DeviceSession {
  const link = new FreeStyleLink(conn);
  const queue = new ExchangeSerializer();
  let started = false;

  const ready = async (step: StepOptions): Promise<void> => {
    if (started) return;
    await drainInput(conn, step);
    await link.handshake(step);
    started = true;
  };

  return {
    identify(options?: ReadOptions): Promise<DeviceIdentity> {
      const step = stepOptions(options, METER_STEP_TIMEOUT_MS);
      return queue.run(async () => {
        await ready(step);
        const serial = singleLine(await link.text(spec.serialCommand, step));
        if (!/^[\x21-\x7e]{1,32}$/.test(serial)) throw new WardError('PROTOCOL', 'The meter sent an invalid serial number.');
        const firmware = singleLine(await link.text('$swver?', step));
        const dateReply = await link.text('$date?', step);
        const timeReply = await link.text('$time?', step);
        const now = new Date();
        const deviceTime = parseFreeStyleClock(dateReply, timeReply);
        const identity: DeviceIdentity = { model: spec.model, serial, workstationTime: now.toISOString() };
        if (firmware) identity.firmware = firmware;
        if (deviceTime !== undefined) {
          identity.deviceTime = deviceTime;
          identity.clockDriftSeconds = clockDriftSeconds(deviceTime, now);
        }
        return identity;
      });
    },
    readMemory(options?: ReadOptions): Promise<DeviceReading[]> {
      const step = stepOptions(options, METER_STEP_TIMEOUT_MS);
      return queue.run(async () => {
        await ready(step);
        return spec.readRecords(link, step, new Date().toISOString());
      });
    },
    async close(): Promise<void> {
      await conn.close().catch(() => undefined);
    },
  };
}
