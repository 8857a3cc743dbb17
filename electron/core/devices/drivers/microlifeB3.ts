/**
 * Microlife BP B3 Comfort PC (0x04D9:0xB554), per vytautas-valaitis/microlife_bp (bp.py, notes; see
 * docs/devices.md). The host writes the fetch-all request `4D FF 00 09 00 00 00 00 00 00 00 FD` +
 * sum-mod-256 check byte in one write whose first byte is the request length (13); replies are
 * 8-byte reports whose low nibble of byte 0 counts the valid bytes. Reply: 42-byte header `4D 3A …`
 * (byte 7 = record count), then 10-byte records (SYS, DIA, pulse, YY, MM, DD, hh, mm, flags, 00),
 * then one check byte = sum of all preceding reply bytes mod 256. A wrong check byte is a
 * transmission error: the request is repeated.
 *
 * Records taken before the monitor's clock was set have month and day 0 (ten of the 29 records of
 * the dump in the notes): they are kept as readings whose time is unknown (no deviceTime). A record
 * with any other impossible date is reported in place; the rest of the memory is kept.
 *
 * Flags (author's notes: 0x80 normal, 0xC0 irregular heartbeat, 0x00 cuff-fit error) are read as
 * bits: 0x40 set → irregular heartbeat; 0x80 clear → cuff-fit error; other bits ignored.
 *
 * The protocol has no identification: identify() proves the device answers (one fetch) and uses
 * the USB serial-number string when present, else `microlife-bp-b3` (record ids include a digest
 * of each record's bytes so two units' readings stay apart). No firmware or clock is readable.
 */
import { WardError } from '../../model/errors';
import { countPrefixedPayload } from '../protocols/countPrefixed';
import { stepOptions, type ReportChannel, type StepOptions } from '../transport/reportIo';
import { MemorySession } from './memorySession';
import { bloodPressureReading, deviceLocalTime, memoryRecordIds, serialOrFallback, stampOf } from '../protocols/vitalReadings';
import { problemReason, unreadableRecord } from '../recordProblem';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidConnection, HidDeviceInfo, ReadOptions, ReadingFlag } from '../types';

export const MICROLIFE_HEADER_SIZE = 42;
export const MICROLIFE_RECORD_SIZE = 10;
export const MICROLIFE_FLAG_PRESENT_OK = 0x80;
export const MICROLIFE_FLAG_IRREGULAR = 0x40;
/** Attempts of the fetch when the reply's check byte is wrong. */
export const MICROLIFE_MAX_ATTEMPTS = 3;

/** Sum of `bytes` mod 256 (request and reply check byte). */
export function microlifeChecksum(bytes: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i];
  return sum & 0xff;
}

/** `body` + its check byte. */
export function microlifeMessage(body: ArrayLike<number>): Uint8Array {
  return Uint8Array.from([...Array.from(body), microlifeChecksum(body)]);
}

export const MICROLIFE_FETCH_ALL = microlifeMessage([0x4d, 0xff, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd]);

/** Total reply length for `count` records. */
export function microlifeReplyLength(count: number): number {
  return MICROLIFE_HEADER_SIZE + MICROLIFE_RECORD_SIZE * count + 1;
}

export function microlifeChecksumValid(reply: Uint8Array): boolean {
  return reply.length >= 1 && microlifeChecksum(reply.subarray(0, reply.length - 1)) === reply[reply.length - 1];
}

export interface MicrolifeRecord {
  /** Device time, or undefined when the record was taken before the clock was set. */
  time?: string;
  systolic: number;
  diastolic: number;
  pulse: number;
  flags: ReadingFlag[];
  bytes: Uint8Array;
}

function checkHeader(bytes: ArrayLike<number>): void {
  if (bytes[0] !== 0x4d || bytes[1] !== 0x3a) throw new WardError('PROTOCOL', 'The blood-pressure monitor sent a reply without its header.');
}

/** One 10-byte record; month and day 0 mean the clock was not set (time unknown). */
export function parseMicrolifeRecord(r: Uint8Array): MicrolifeRecord {
  const undated = r[4] === 0 && r[5] === 0;
  const time = undated ? undefined : deviceLocalTime({ year: 2000 + r[3], month: r[4], day: r[5], hour: r[6], minute: r[7] }, 'a record');
  const flags: ReadingFlag[] = [];
  if (r[8] & MICROLIFE_FLAG_IRREGULAR) flags.push('irregular-heartbeat');
  if (!(r[8] & MICROLIFE_FLAG_PRESENT_OK)) flags.push('cuff-fit-error');
  return { ...(time ? { time } : {}), systolic: r[0], diastolic: r[1], pulse: r[2], flags, bytes: r };
}

/** Parses a complete reply (header, records, check byte); a record that cannot be read is a problem entry in place. */
export function parseMicrolifeReply(reply: Uint8Array): Array<MicrolifeRecord | { position: number; problem: string }> {
  if (reply.length < MICROLIFE_HEADER_SIZE + 1) throw new WardError('PROTOCOL', 'The blood-pressure monitor sent a truncated reply.');
  checkHeader(reply);
  const count = reply[7];
  if (reply.length !== microlifeReplyLength(count)) {
    throw new WardError('PROTOCOL', 'The blood-pressure monitor sent a reply whose length does not match its record count.');
  }
  if (!microlifeChecksumValid(reply)) throw new WardError('PROTOCOL', 'The blood-pressure monitor sent a reply with a wrong checksum.');
  const records: Array<MicrolifeRecord | { position: number; problem: string }> = [];
  for (let i = 0; i < count; i++) {
    const r = reply.slice(MICROLIFE_HEADER_SIZE + i * MICROLIFE_RECORD_SIZE, MICROLIFE_HEADER_SIZE + (i + 1) * MICROLIFE_RECORD_SIZE);
    try {
      records.push(parseMicrolifeRecord(r));
    } catch (e) {
      if (!(e instanceof WardError) || e.code !== 'PROTOCOL') throw e;
      records.push({ position: i + 1, problem: `Record ${i + 1} of the monitor's memory could not be read: ${problemReason(e)}` });
    }
  }
  return records;
}

/** Upper bound on reports for one reply (255 records, one byte per report worst case, plus slack). */
const MAX_REPLY_REPORTS = microlifeReplyLength(255) + 16;

/** Reads one whole reply: header first (for the count), then exactly the announced length. */
export async function readMicrolifeReply(channel: ReportChannel, step: StepOptions): Promise<Uint8Array> {
  const bytes: number[] = [];
  let total = -1;
  for (let i = 0; i < MAX_REPLY_REPORTS; i++) {
    const payload = countPrefixedPayload(await channel.read(step, 'memory download'), 0x0f, 'blood-pressure monitor');
    bytes.push(...payload);
    if (bytes.length >= 2) checkHeader(bytes);
    if (total < 0 && bytes.length >= MICROLIFE_HEADER_SIZE) total = microlifeReplyLength(bytes[7]);
    if (total >= 0 && bytes.length > total) throw new WardError('PROTOCOL', 'The blood-pressure monitor sent a longer reply than announced.');
    if (bytes.length === total) return Uint8Array.from(bytes);
  }
  throw new WardError('PROTOCOL', 'The blood-pressure monitor sent a reply that never ends.');
}

class MicrolifeSession extends MemorySession {
  constructor(
    connection: HidConnection,
    private readonly info: HidDeviceInfo,
  ) {
    super(connection);
  }

  protected async identifyNow(options?: ReadOptions): Promise<DeviceIdentity> {
    await this.fetchAll(stepOptions(options));
    return { model: microlifeB3Driver.model, serial: serialOrFallback(this.info, 'microlife-bp-b3'), workstationTime: new Date().toISOString() };
  }

  protected async readMemoryNow(options?: ReadOptions): Promise<DeviceReading[]> {
    const entries = await this.fetchAll(stepOptions(options));
    const good = entries.filter((e): e is MicrolifeRecord => 'bytes' in e);
    const ids = memoryRecordIds('microlife', good.map((r) => ({ stamp: r.time ? stampOf(r.time) : 'undated', bytes: r.bytes })));
    const idOf = new Map(good.map((r, i) => [r, ids[i]!]));
    return entries.map((e) => ('bytes' in e ? bloodPressureReading(idOf.get(e)!, e, e.flags) : unreadableRecord(`microlife-unreadable-${e.position}`, 'blood-pressure', e.problem)));
  }

  /** Fetch-all; a wrong check byte means a damaged transfer, so leftovers are drained and it is asked again. */
  private async fetchAll(step: StepOptions): Promise<ReturnType<typeof parseMicrolifeReply>> {
    for (let attempt = 1; ; attempt++) {
      // One write whose first byte is the request length, as microlife_bp's bp.py writes it.
      await this.channel.write(Uint8Array.from([MICROLIFE_FETCH_ALL.length, ...MICROLIFE_FETCH_ALL]), step, 'memory download');
      const reply = await readMicrolifeReply(this.channel, step);
      if (microlifeChecksumValid(reply)) return parseMicrolifeReply(reply);
      if (attempt >= MICROLIFE_MAX_ATTEMPTS) {
        throw new WardError('PROTOCOL', `The blood-pressure monitor's data failed its checksum ${attempt} times; check the cable and try again.`);
      }
      await this.channel.drain(step);
    }
  }
}

export const microlifeB3Driver: DeviceDriver = {
  id: 'microlife-bp-b3',
  model: 'Microlife BP B3 Comfort PC',
  kind: 'blood-pressure',
  reads: 'memory',
  matches: [{ vendorId: 0x04d9, productId: 0xb554 }],
  async open(connection: HidConnection, info: HidDeviceInfo): Promise<DeviceSession> {
    return new MicrolifeSession(connection, info);
  },
};
