/**
 * ASTM E1381 (low-level framing) and E1394 (records) as spoken by Ascensia/Bayer Contour meters
 * over USB HID.
 *
 * HID layer: 64-byte reports. From the device: bytes 0–2 a header we ignore, byte 3 the payload
 * length, then the payload; a length of 60 means another report continues the same message.
 * To the device: `00 00 00 len data`, zero padded (after the report-id byte).
 *
 * ASTM layer: a frame is `STX FN text CR ETX|ETB C1 C2 CR LF` where FN is '0'..'7' (mod 8) and
 * C1C2 is the sum of the bytes from FN through ETX/ETB, mod 256, as two uppercase hex digits.
 * The receiver answers ACK for a good frame and NAK for a damaged one (the sender repeats it);
 * EOT ends a transfer. Records longer than one frame are continued in ETB frames.
 */
import { WardError } from '../../model/errors';
import { drainInput, readReport, readReportOrNull, writeReport, type StepOptions } from '../transport/reportIo';
import type { HidConnection } from '../types';

export const ASTM = {
  STX: 0x02,
  ETX: 0x03,
  EOT: 0x04,
  ENQ: 0x05,
  ACK: 0x06,
  LF: 0x0a,
  CR: 0x0d,
  NAK: 0x15,
  ETB: 0x17,
} as const;

export const CONTOUR_REPORT_SIZE = 64;
export const CONTOUR_MAX_PAYLOAD = 60;
/** ASTM allows up to 240 text characters per frame. */
export const ASTM_MAX_FRAME_TEXT = 240;

export const ASTM_LIMITS = {
  /** Consecutive NAKs for one frame before giving up (E1381 allows six attempts). */
  maxRetries: 6,
  /** Reports in one message (a record is at most a few kilobytes). */
  maxReportsPerMessage: 256,
  /** Messages in one transfer: a full Contour memory is a few thousand records. */
  maxMessages: 100_000,
} as const;

// ---------------------------------------------------------------------------------------------
// HID report layer

/** What the host writes: report id 0, then `00 00 00 len data` zero padded to 64 bytes. */
export function encodeContourHostReport(data: Uint8Array): Uint8Array {
  if (data.length > CONTOUR_MAX_PAYLOAD) throw new WardError('INTERNAL', 'A Contour message is longer than one report.');
  const out = new Uint8Array(CONTOUR_REPORT_SIZE + 1);
  out[4] = data.length;
  out.set(data, 5);
  return out;
}

/** Device side of a host report (after the report id): accepts the `00 00 00` and the older `ABC` header. */
export function decodeContourHostReport(report: Uint8Array): Uint8Array {
  if (report.length < 4) throw new WardError('PROTOCOL', 'Report too short.');
  const len = report[3];
  if (len > CONTOUR_MAX_PAYLOAD || report.length < 4 + len) throw new WardError('PROTOCOL', 'Report length is inconsistent.');
  return report.slice(4, 4 + len);
}

/** Device side: a message as consecutive 64-byte input reports (a full last report is followed by an empty one). */
export function encodeContourDeviceReports(message: Uint8Array, header: readonly number[] = [0x41, 0x42, 0x43]): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (let i = 0; ; i += CONTOUR_MAX_PAYLOAD) {
    const chunk = message.slice(i, i + CONTOUR_MAX_PAYLOAD);
    const r = new Uint8Array(CONTOUR_REPORT_SIZE);
    r.set(header.slice(0, 3), 0);
    r[3] = chunk.length;
    r.set(chunk, 4);
    reports.push(r);
    if (chunk.length < CONTOUR_MAX_PAYLOAD) return reports;
  }
}

/** One input report → its payload and whether another report continues the message. */
export function decodeContourReport(report: Uint8Array): { payload: Uint8Array; more: boolean } {
  if (report.length < 4) throw new WardError('PROTOCOL', 'The meter sent a report too short to hold data.');
  const len = report[3];
  if (len > CONTOUR_MAX_PAYLOAD) throw new WardError('PROTOCOL', 'The meter sent a report with an impossible length.');
  if (report.length < 4 + len) throw new WardError('PROTOCOL', 'The meter sent a truncated report.');
  return { payload: report.slice(4, 4 + len), more: len === CONTOUR_MAX_PAYLOAD };
}

// ---------------------------------------------------------------------------------------------
// ASTM frame layer

function toBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function toText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Sum of `bytes` mod 256 as two uppercase hex digits. */
export function astmChecksum(bytes: Uint8Array | string): string {
  const b = typeof bytes === 'string' ? toBytes(bytes) : bytes;
  let sum = 0;
  for (const x of b) sum = (sum + x) & 0xff;
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Encodes one frame. A final frame (ETX) carries the record's terminating CR before ETX; an
 * intermediate frame (ETB) carries a chunk of the record only.
 */
export function encodeAstmFrame(fn: number, text: string, final = true): Uint8Array {
  const body = `${String(fn & 7)}${text}${final ? '\r' : ''}${String.fromCharCode(final ? ASTM.ETX : ASTM.ETB)}`;
  return toBytes(`\x02${body}${astmChecksum(body)}\r\n`);
}

/** A record as frames starting at frame number `firstFn` (continued in ETB frames when long). */
export function encodeAstmRecord(record: string, firstFn: number, maxText = ASTM_MAX_FRAME_TEXT): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let fn = firstFn;
  for (let i = 0; i < record.length || frames.length === 0; i += maxText) {
    const chunk = record.slice(i, i + maxText);
    frames.push(encodeAstmFrame(fn, chunk, i + maxText >= record.length));
    fn = (fn + 1) & 7;
  }
  return frames;
}

export interface AstmFrame {
  fn: number;
  text: string;
  /** ETX (last frame of a record) rather than ETB. */
  final: boolean;
}

/** Decodes and verifies one complete frame (STX through LF). Throws WardError('PROTOCOL'). */
export function decodeAstmFrame(bytes: Uint8Array): AstmFrame {
  const n = bytes.length;
  if (n < 7 || bytes[0] !== ASTM.STX || bytes[n - 2] !== ASTM.CR || bytes[n - 1] !== ASTM.LF) {
    throw new WardError('PROTOCOL', 'The meter sent a malformed frame.');
  }
  const end = n - 5; // position of ETX/ETB
  const terminator = bytes[end];
  if (terminator !== ASTM.ETX && terminator !== ASTM.ETB) throw new WardError('PROTOCOL', 'The meter sent a malformed frame.');
  const fnChar = bytes[1];
  if (fnChar < 0x30 || fnChar > 0x37) throw new WardError('PROTOCOL', 'The meter sent a frame with an invalid frame number.');
  const expected = astmChecksum(bytes.slice(1, end + 1));
  const got = toText(bytes.slice(end + 1, end + 3));
  if (got !== expected) throw new WardError('PROTOCOL', 'A frame from the meter failed its checksum.');
  let text = toText(bytes.slice(2, end));
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (/[\x00-\x08\x0a-\x1f]/.test(text)) throw new WardError('PROTOCOL', 'The meter sent a frame with control characters in its text.');
  return { fn: fnChar - 0x30, text, final: terminator === ASTM.ETX };
}

export type AstmToken =
  | { kind: 'enq' | 'eot' | 'ack' | 'nak' }
  | { kind: 'frame'; bytes: Uint8Array }
  /** Bytes that are neither a control character nor part of a complete frame. */
  | { kind: 'junk' };

/** Splits a received message into control characters, complete frames and junk. Never throws. */
export function scanAstmMessage(bytes: Uint8Array): AstmToken[] {
  const tokens: AstmToken[] = [];
  const single: Record<number, AstmToken['kind']> = { [ASTM.ENQ]: 'enq', [ASTM.EOT]: 'eot', [ASTM.ACK]: 'ack', [ASTM.NAK]: 'nak' };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === ASTM.STX) {
      let j = i + 1;
      while (j < bytes.length && bytes[j] !== ASTM.ETX && bytes[j] !== ASTM.ETB && bytes[j] !== ASTM.STX) j++;
      if (j >= bytes.length || bytes[j] === ASTM.STX || j + 4 >= bytes.length) {
        tokens.push({ kind: 'junk' });
        i = j >= bytes.length || bytes[j] !== ASTM.STX ? bytes.length : j;
        continue;
      }
      tokens.push({ kind: 'frame', bytes: bytes.slice(i, j + 5) });
      i = j + 5;
      continue;
    }
    const kind = single[b];
    if (kind) tokens.push({ kind } as AstmToken);
    else if (tokens.at(-1)?.kind !== 'junk') tokens.push({ kind: 'junk' });
    i++;
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Records (E1394)

export interface AstmDelimiters {
  field: string;
  repeat: string;
  component: string;
  escape: string;
}

export const DEFAULT_DELIMITERS: AstmDelimiters = { field: '|', repeat: '\\', component: '^', escape: '&' };

/** Delimiters declared by a header record (`H|\^&…`). */
export function headerDelimiters(headerText: string): AstmDelimiters {
  if (headerText.length < 5 || headerText[0] !== 'H') throw new WardError('PROTOCOL', 'The meter sent an invalid header record.');
  const [field, repeat, component, escape] = headerText.slice(1, 5);
  if (new Set([field, repeat, component, escape]).size !== 4 || /[A-Za-z0-9\r]/.test(field + repeat + component + escape)) {
    throw new WardError('PROTOCOL', 'The meter declared invalid record delimiters.');
  }
  return { field, repeat, component, escape };
}

/** A record's type letter and fields. */
export function splitRecord(text: string, d: AstmDelimiters = DEFAULT_DELIMITERS): { type: string; fields: string[] } {
  const fields = text.split(d.field);
  const type = fields[0];
  if (!/^[A-Z]$/.test(type)) throw new WardError('PROTOCOL', 'The meter sent a record of unknown type.');
  return { type, fields };
}

// ---------------------------------------------------------------------------------------------
// Transfer over HID

/** A received record (frames already joined). */
export interface AstmRecord {
  type: string;
  text: string;
}

/** Runs one ASTM upload from the meter: EOT from the host, then ACK/NAK per frame until L or EOT. */
export class AstmHidLink {
  constructor(private readonly conn: HidConnection) {}

  private async sendControl(byte: number, step: StepOptions): Promise<void> {
    await writeReport(this.conn, encodeContourHostReport(Uint8Array.of(byte)), step, 'control character');
  }

  /** Reads one message (reports until one is shorter than 60 bytes). Malformed reports make the message `null` (damaged). */
  private async readMessage(step: StepOptions): Promise<Uint8Array | null> {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < ASTM_LIMITS.maxReportsPerMessage; i++) {
      let decoded: { payload: Uint8Array; more: boolean };
      try {
        decoded = decodeContourReport(await readReport(this.conn, step, 'meter data'));
      } catch (e) {
        if (e instanceof WardError && e.code === 'PROTOCOL') return null;
        throw e;
      }
      parts.push(decoded.payload);
      if (!decoded.more) {
        const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) {
          out.set(p, o);
          o += p.length;
        }
        return out;
      }
    }
    throw new WardError('PROTOCOL', 'The meter sent a message that never ends.');
  }

  /**
   * Receives every record of one transfer. `onRecord` sees each record as soon as it is complete
   * (before it is acknowledged, so a parse failure stops the transfer).
   */
  async receive(step: StepOptions, onRecord?: (r: AstmRecord) => void): Promise<AstmRecord[]> {
    const records: AstmRecord[] = [];
    let partial = '';
    let lastFn: number | undefined;
    let lastText: string | undefined;
    let retries = 0;

    await drainInput(this.conn, step);
    await this.sendControl(ASTM.EOT, step);

    for (let m = 0; m < ASTM_LIMITS.maxMessages; m++) {
      const message = await this.readMessage(step);
      const tokens = message === null ? [{ kind: 'junk' } as AstmToken] : scanAstmMessage(message);

      const frames: AstmFrame[] = [];
      let damaged = false;
      for (const t of tokens) {
        if (t.kind === 'frame') {
          try {
            frames.push(decodeAstmFrame(t.bytes));
          } catch {
            damaged = true;
          }
        } else if (t.kind === 'junk' || t.kind === 'ack' || t.kind === 'nak') damaged = true;
      }
      const sawEot = tokens.some((t) => t.kind === 'eot');
      const sawEnq = tokens.some((t) => t.kind === 'enq');

      if (damaged) {
        if (++retries > ASTM_LIMITS.maxRetries) throw new WardError('PROTOCOL', 'The meter kept sending damaged data; unplug it, plug it in again and retry.');
        await drainInput(this.conn, step);
        await this.sendControl(ASTM.NAK, step);
        continue;
      }

      let finished = false;
      for (const f of frames) {
        if (f.fn === lastFn && f.text === lastText) continue; // a repeat of a frame we already acknowledged
        if (lastFn !== undefined && f.fn !== ((lastFn + 1) & 7)) throw new WardError('PROTOCOL', 'The meter sent frames out of order.');
        lastFn = f.fn;
        lastText = f.text;
        partial += f.text;
        if (partial.length > 64 * 1024) throw new WardError('PROTOCOL', 'The meter sent a record that is too long.');
        if (!f.final) continue;
        const record: AstmRecord = { type: partial.charAt(0), text: partial };
        partial = '';
        onRecord?.(record);
        records.push(record);
        if (record.type === 'L') finished = true;
      }
      if (frames.length > 0 || sawEnq) {
        retries = 0;
        await this.sendControl(ASTM.ACK, step);
      }
      if (finished) {
        await this.awaitEot(step);
        return records;
      }
      if (sawEot) {
        if (records.length === 0) throw new WardError('PROTOCOL', 'The meter ended the transfer without sending any data.');
        return records;
      }
    }
    throw new WardError('PROTOCOL', 'The meter transfer did not end.');
  }

  /** After the terminator record the meter sends EOT; wait briefly so it is not left for the next transfer. */
  private async awaitEot(step: StepOptions): Promise<void> {
    const quick: StepOptions = { timeoutMs: Math.min(step.timeoutMs, 250), signal: step.signal };
    for (let i = 0; i < 8; i++) {
      const r = await readReportOrNull(this.conn, quick);
      if (r === null) return;
      try {
        if (decodeContourReport(r).payload.includes(ASTM.EOT)) return;
      } catch {
        return;
      }
    }
  }
}
