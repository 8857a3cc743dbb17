/**
 * Abbott FreeStyle "shared HID protocol" (Precision/Optium Neo, Libre, Libre Pro, InsuLinx).
 *
 * Wire: 64-byte reports `[type][len 0..62][payload][zero padding]`, no report number (the host
 * prefixes report id 0 when writing). Binary messages set up the session; text commands travel as
 * type 0x60 and their replies are split over many reports, interleaved with keepalives (0x22).
 * A text reply is `<message>CKSM:<8 hex>\r\nCMD OK\r\n` where the checksum is the byte sum of the
 * message. Multi-record replies add `<count>,<8 hex>\r\n` over the record bytes.
 *
 * Pure encode/parse functions are used by both the driver and the simulator; FreeStyleLink runs
 * the exchanges over a HidConnection.
 */
import { WardError } from '../../model/errors';
import { drainInput, readReport, writeReport, type StepOptions } from '../transport/reportIo';
import type { HidConnection } from '../types';

export const FREESTYLE_REPORT_SIZE = 64;
export const FREESTYLE_MAX_PAYLOAD = FREESTYLE_REPORT_SIZE - 2;

/** Message types seen on the wire. */
export const FreeStyleType = {
  init: 0x01,
  initReply: 0x71,
  hello: 0x04,
  helloReply: 0x34,
  serialRequest: 0x05,
  serialReply: 0x06,
  versionRequest: 0x15,
  versionReply: 0x35,
  keepalive: 0x22,
  unknownMessage: 0x30,
  text: 0x60,
  /** The Libre also accepts text commands as 0x21. */
  textAlt: 0x21,
} as const;

/** Upper bounds that keep a misbehaving device from holding a transfer open forever. */
export const FREESTYLE_LIMITS = {
  /** Largest text reply accepted (a full Libre history is well below 2 MiB). */
  maxReplyBytes: 4 * 1024 * 1024,
  /** Keepalives tolerated in a row before the device is considered stuck. */
  maxConsecutiveKeepalives: 1000,
  /** Extra attempts for a text command whose reply arrived damaged. */
  textRetries: 2,
} as const;

export interface FreeStyleFrame {
  type: number;
  payload: Uint8Array;
}

/** Bytes ↔ text, one char per byte, so byte sums and lengths stay exact for any input. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** A 64-byte frame (as read from the device, or written after the report-id byte). */
export function encodeFrame(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > FREESTYLE_MAX_PAYLOAD) throw new WardError('INTERNAL', 'A FreeStyle message is longer than one report.');
  const out = new Uint8Array(FREESTYLE_REPORT_SIZE);
  out[0] = type & 0xff;
  out[1] = payload.length;
  out.set(payload, 2);
  return out;
}

/** What the host writes: report id 0 followed by the 64-byte frame. */
export function encodeOutputReport(type: number, payload?: Uint8Array): Uint8Array {
  const out = new Uint8Array(FREESTYLE_REPORT_SIZE + 1);
  out.set(encodeFrame(type, payload), 1);
  return out;
}

/** Parses one input report. Throws WardError('PROTOCOL') for a short or inconsistent report. */
export function decodeFrame(report: Uint8Array): FreeStyleFrame {
  if (report.length < 2) throw new WardError('PROTOCOL', 'The meter sent a report too short to hold a message.');
  const len = report[1];
  if (len > FREESTYLE_MAX_PAYLOAD) throw new WardError('PROTOCOL', 'The meter sent a message with an impossible length.');
  if (report.length < 2 + len) throw new WardError('PROTOCOL', 'The meter sent a truncated report.');
  return { type: report[0], payload: report.slice(2, 2 + len) };
}

/** Splits a text (a reply, on the simulator side) into consecutive frames of `type`. */
export function encodeTextFrames(type: number, text: string): Uint8Array[] {
  const bytes = latin1ToBytes(text);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += FREESTYLE_MAX_PAYLOAD) frames.push(encodeFrame(type, bytes.slice(i, i + FREESTYLE_MAX_PAYLOAD)));
  if (frames.length === 0) frames.push(encodeFrame(type));
  return frames;
}

/** Plain byte sum as 8 uppercase hex digits (wraps at 32 bits). */
export function freestyleChecksum(text: string | Uint8Array): string {
  const bytes = typeof text === 'string' ? latin1ToBytes(text) : text;
  let sum = 0;
  for (const b of bytes) sum = (sum + b) >>> 0;
  return sum.toString(16).toUpperCase().padStart(8, '0');
}

const COMPLETE_RE = /CMD (?:OK|Fail!)\r\n/;
const REPLY_RE = /^([\s\S]*)CKSM:([0-9A-F]{8})\r\nCMD (OK|Fail!)\r\n$/;
const MULTI_RE = /^([\s\S]*\r\n)(\d{1,9}),([0-9A-F]{8})\r\n$/;
export const LOG_EMPTY = 'Log Empty\r\n';

/** True once an accumulated reply holds its status line. */
export function isTextReplyComplete(text: string): boolean {
  return COMPLETE_RE.test(text);
}

/** Builds a full text reply (simulator side). */
export function encodeTextReply(message: string, ok = true): string {
  return `${message}CKSM:${freestyleChecksum(message)}\r\nCMD ${ok ? 'OK' : 'Fail!'}\r\n`;
}

/** Parses and verifies a complete text reply. Throws WardError('PROTOCOL') when malformed or the checksum is wrong. */
export function parseTextReply(text: string): { message: string; ok: boolean } {
  const m = REPLY_RE.exec(text);
  if (!m) throw new WardError('PROTOCOL', 'The meter sent a reply in an unexpected format.');
  const [, message, checksum, status] = m;
  if (freestyleChecksum(message) !== checksum) throw new WardError('PROTOCOL', 'A reply from the meter failed its checksum; the data was damaged in transfer.');
  return { message, ok: status === 'OK' };
}

/** Builds a multi-record message (simulator side); records are already comma-joined lines. */
export function encodeMultiRecord(records: readonly string[]): string {
  if (records.length === 0) return LOG_EMPTY;
  const body = records.map((r) => `${r}\r\n`).join('');
  return `${body}${records.length},${freestyleChecksum(body)}\r\n`;
}

/**
 * Parses the message of a multi-record reply into records of comma-separated fields. Checks the
 * record checksum and that the count line matches. `Log Empty` is an empty list.
 */
export function parseMultiRecord(message: string): string[][] {
  if (message === LOG_EMPTY) return [];
  const m = MULTI_RE.exec(message);
  if (!m) throw new WardError('PROTOCOL', 'The meter sent a record list in an unexpected format.');
  const [, body, countText, checksum] = m;
  if (freestyleChecksum(body) !== checksum) throw new WardError('PROTOCOL', 'The record list from the meter failed its checksum; the data was damaged in transfer.');
  const lines = body.split('\r\n');
  lines.pop(); // the body ends with CR LF, leaving one empty entry
  if (lines.length !== Number(countText)) throw new WardError('PROTOCOL', 'The meter sent a different number of records than it announced.');
  return lines.map((l) => l.split(','));
}

/** Strips the trailing CR LF (and NULs) of a one-line reply. */
export function singleLine(message: string): string {
  return message.replace(/[\r\n\0]+$/, '');
}

/** Session-level exchanges with one FreeStyle meter. Only one exchange may run at a time. */
export class FreeStyleLink {
  constructor(
    private readonly conn: HidConnection,
    private readonly textType: number = FreeStyleType.text,
  ) {}

  /** Reads the next non-keepalive frame. */
  private async nextFrame(step: StepOptions, what: string): Promise<FreeStyleFrame> {
    for (let i = 0; i <= FREESTYLE_LIMITS.maxConsecutiveKeepalives; i++) {
      const frame = decodeFrame(await readReport(this.conn, step, what));
      if (frame.type !== FreeStyleType.keepalive) return frame;
    }
    throw new WardError('PROTOCOL', 'The meter only sends keepalive messages; unplug it and try again.');
  }

  private async send(type: number, payload: Uint8Array, step: StepOptions, what: string): Promise<void> {
    await writeReport(this.conn, encodeOutputReport(type, payload), step, what);
  }

  /** Sends a binary message and returns the payload of the expected reply type. */
  async binary(type: number, expectedReply: number, step: StepOptions): Promise<Uint8Array> {
    const what = `message 0x${type.toString(16).padStart(2, '0')}`;
    await this.send(type, new Uint8Array(0), step, what);
    const frame = await this.nextFrame(step, what);
    if (frame.type === FreeStyleType.unknownMessage) throw new WardError('PROTOCOL', `The meter did not recognise ${what}.`);
    if (frame.type !== expectedReply) throw new WardError('PROTOCOL', `The meter answered ${what} with an unexpected message type.`);
    return frame.payload;
  }

  /**
   * The binary start-up sequence (04, 05, 15, 01). Returns the serial number and software
   * version the meter reports in binary form.
   */
  async handshake(step: StepOptions): Promise<{ serial: string; softwareVersion: string }> {
    await this.binary(FreeStyleType.hello, FreeStyleType.helloReply, step);
    const serial = singleLine(bytesToLatin1(await this.binary(FreeStyleType.serialRequest, FreeStyleType.serialReply, step)));
    const softwareVersion = singleLine(bytesToLatin1(await this.binary(FreeStyleType.versionRequest, FreeStyleType.versionReply, step)));
    const init = await this.binary(FreeStyleType.init, FreeStyleType.initReply, step);
    if (init.length !== 1 || init[0] !== 0x01) throw new WardError('PROTOCOL', 'The meter did not accept the session start.');
    return { serial, softwareVersion };
  }

  /**
   * Sends a text command and returns the verified reply message (without checksum/status lines).
   * A reply damaged in transfer (bad frame, checksum) is asked for again, up to `textRetries`
   * times, after discarding what is left of it; a refusal (CMD Fail!) is final.
   */
  async text(command: string, step: StepOptions): Promise<string> {
    if (!/^[\x20-\x7e]{1,62}$/.test(command)) throw new WardError('INTERNAL', 'Invalid FreeStyle text command.');
    for (let attempt = 0; ; attempt++) {
      let reply: { message: string; ok: boolean };
      try {
        reply = await this.textOnce(command, step);
      } catch (e) {
        if (!(e instanceof WardError) || e.code !== 'PROTOCOL' || attempt >= FREESTYLE_LIMITS.textRetries) throw e;
        await drainInput(this.conn, step);
        continue;
      }
      if (!reply.ok) throw new WardError('PROTOCOL', `The meter refused command ${command}.`);
      return reply.message;
    }
  }

  private async textOnce(command: string, step: StepOptions): Promise<{ message: string; ok: boolean }> {
    const what = `command ${command}`;
    await this.send(this.textType, latin1ToBytes(command), step, what);
    let reply = '';
    for (;;) {
      const frame = await this.nextFrame(step, what);
      if (frame.type === FreeStyleType.unknownMessage) throw new WardError('PROTOCOL', `The meter did not recognise ${what}.`);
      if (frame.type !== FreeStyleType.text) throw new WardError('PROTOCOL', `The meter answered ${what} with an unexpected message type.`);
      reply += bytesToLatin1(frame.payload);
      if (reply.length > FREESTYLE_LIMITS.maxReplyBytes) throw new WardError('PROTOCOL', `The meter's reply to ${what} is too long.`);
      if (isTextReplyComplete(reply)) return parseTextReply(reply);
    }
  }

  /** Sends a command whose reply is a record list. */
  async records(command: string, step: StepOptions): Promise<string[][]> {
    return parseMultiRecord(await this.text(command, step));
  }
}
