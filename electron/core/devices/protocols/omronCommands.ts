/**
 * Omron HEM-790IT command framing (docs/devices.md: libomron doc/omron_protocol_notes.asciidoc,
 * src/omron.c, and the USB capture doc/logs/hem790it/790IT_OneReading.html). Host commands: three
 * ASCII letters + argument bytes + XOR of the argument bytes, sent in count-prefixed 8-byte
 * reports (bytes after the count are ignored by the device). Replies: `OK` + bytes whose XOR (the
 * last byte being the check) is zero, or `NO` (ask again); a reply with a wrong check byte is
 * asked for again too (libomron omron_exchange_cmd). END is answered `OK` then `OFF\r\n`.
 */
import { WardError } from '../../model/errors';
import { countPrefixedPayload } from './countPrefixed';
import { ReportChannel, type StepOptions } from '../transport/reportIo';
import { deviceLocalTime } from './vitalReadings';

/**
 * Mode feature reports (2 data bytes after report id 0), as Omron's own software sets them on a
 * HEM-790IT in the libomron capture: 0x0101 before VER/PRF/SRL (seq 0002), 0x312C before
 * GDC/GME/END (seq 0242). libomron's header names 0x1111/0x0102 and 0x74BC for these; the capture
 * is what a real unit answered.
 */
export const OMRON_MODE = { deviceInfo: 0x0101, memory: 0x312c } as const;

/** The clearing block after a mode change: 30 zero bytes in reports of 7, 7, 7, 7 and 2 (capture seq 0008–0035). */
export const OMRON_CLEAR_BYTES = 30;

export function xorOf(bytes: ArrayLike<number>): number {
  let x = 0;
  for (let i = 0; i < bytes.length; i++) x ^= bytes[i];
  return x;
}

/** `letters` (3 ASCII) + `args` + XOR of `args`. */
export function omronCommand(letters: string, args: ArrayLike<number>): Uint8Array {
  if (!/^[A-Z]{3}$/.test(letters)) throw new WardError('INTERNAL', 'An Omron command needs three capital letters.');
  const bytes = [...letters].map((c) => c.charCodeAt(0));
  return Uint8Array.from([...bytes, ...Array.from(args), xorOf(args)]);
}

/** The commands as captured (libomron capture seq 0074, 0098, 0116, 0392, 0416, 0446). "VER00" etc. are ASCII: argument '0' (0x30) and its XOR '0'. */
export const OMRON_COMMANDS = {
  version: omronCommand('VER', [0x30]),
  profile: omronCommand('PRF', [0x30]),
  serial: omronCommand('SRL', [0x30]),
  count: (bank: number): Uint8Array => omronCommand('GDC', [0x00, bank, 0x00, 0x00]),
  record: (bank: number, index: number): Uint8Array => omronCommand('GME', [0x00, bank, 0x00, index]),
  end: omronCommand('END', [0xff]),
} as const;

/** Full reply lengths (bytes after the count bytes are stripped). */
export const OMRON_REPLY_LENGTH = { version: 15, profile: 14, serial: 11, count: 8, record: 17 } as const;

/** `ok`; `no` (busy); `damaged`: garbled or a wrong check byte — either way the command is sent again. */
export type OmronReply = { status: 'ok'; bytes: Uint8Array } | { status: 'no' } | { status: 'damaged'; reason: string };

/**
 * Reads one reply of `length` bytes. Returns `no` as soon as the device says `NO`, `damaged` for a
 * reply that does not start `OK` or whose bytes after `OK` do not XOR to zero. Reports with a
 * count of 0 are skipped; bytes beyond `length` are ignored (libomron omron_get_command_return).
 */
export async function readOmronReply(channel: ReportChannel, step: StepOptions, length: number, what: string): Promise<OmronReply> {
  const bytes: number[] = [];
  // Empty reports are tolerated, but not forever.
  for (let reports = 0; bytes.length < length; reports++) {
    if (reports > length + 16) throw new WardError('PROTOCOL', `The blood-pressure monitor sent a reply that never completes (${what}).`);
    const payload = countPrefixedPayload(await channel.read(step, what), 0xff, 'blood-pressure monitor');
    bytes.push(...payload.subarray(0, length - bytes.length));
    if (bytes.length >= 2) {
      const head = String.fromCharCode(bytes[0], bytes[1]);
      if (head === 'NO' && bytes.length === 2) return { status: 'no' };
      if (head !== 'OK') return { status: 'damaged', reason: `The blood-pressure monitor sent a garbled reply (${what}).` };
    }
  }
  const reply = Uint8Array.from(bytes);
  if (length > 2 && xorOf(reply.subarray(2)) !== 0) {
    return { status: 'damaged', reason: `The blood-pressure monitor sent a reply with a wrong check byte (${what}).` };
  }
  return { status: 'ok', bytes: reply };
}

/** Firmware text from a VER reply: the ASCII between `OK 00` and the check byte. */
export function parseOmronVersion(reply: Uint8Array): string {
  expectLength(reply, OMRON_REPLY_LENGTH.version, 'version');
  const text = String.fromCharCode(...reply.subarray(3, reply.length - 1)).replace(/[^\x20-\x7e]/g, '').trim();
  if (!text) throw new WardError('PROTOCOL', 'The blood-pressure monitor sent an empty version.');
  return text;
}

/** Serial from an SRL reply: its seven binary bytes as upper-case hex. */
export function parseOmronSerial(reply: Uint8Array): string {
  expectLength(reply, OMRON_REPLY_LENGTH.serial, 'serial number');
  return Array.from(reply.subarray(3, reply.length - 1), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/** Record count from a GDC reply (byte 6). */
export function parseOmronCount(reply: Uint8Array): number {
  expectLength(reply, OMRON_REPLY_LENGTH.count, 'record count');
  return reply[6];
}

export interface OmronRecord {
  /** ISO local time from the device clock. */
  time: string;
  systolic: number;
  diastolic: number;
  pulse: number;
  /** Status byte: high nibble TruRead position (documented); bit 0 assumed irregular heartbeat. */
  flags: number;
  irregularHeartbeat: boolean;
}

/**
 * Assumption (unconfirmed on hardware, no capture shows it): the protocol notes only document the
 * high nibble of the status byte (TruRead series position); we take bit 0 as the
 * irregular-heartbeat symbol the unit displays.
 */
export const OMRON_FLAG_IRREGULAR_HEARTBEAT = 0x01;

/** One GME reply: `OK 00` + YY MM DD hh mm ss ? ? SYS DIA pulse ? flags + check. */
export function parseOmronRecord(reply: Uint8Array): OmronRecord {
  expectLength(reply, OMRON_REPLY_LENGTH.record, 'record');
  const d = reply.subarray(3);
  const time = deviceLocalTime({ year: 2000 + d[0], month: d[1], day: d[2], hour: d[3], minute: d[4], second: d[5] }, 'a record');
  const flags = d[12];
  return { time, systolic: d[8], diastolic: d[9], pulse: d[10], flags, irregularHeartbeat: (flags & OMRON_FLAG_IRREGULAR_HEARTBEAT) !== 0 };
}

function expectLength(reply: Uint8Array, length: number, what: string): void {
  if (reply.length !== length || reply[0] !== 0x4f || reply[1] !== 0x4b) {
    throw new WardError('PROTOCOL', `The blood-pressure monitor sent a malformed ${what} reply.`);
  }
}
