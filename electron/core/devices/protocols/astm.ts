/**
 * ASTM E1381 (low-level framing) and E1394 (records) as spoken by Ascensia/Bayer Contour meters
 * over USB HID.
 *
 * HID layer: 64-byte reports. From the device: bytes 0–2 a header we ignore, byte 3 the payload
 * length, then the payload; a length of 60 means another report continues the same message.
 * To the device: `00 00 00 len data`, zero padded (after the report-id byte).
 *
 * ASTM layer (docs/devices.md, "Ascensia / Bayer Contour"): a frame is `STX FN text ETB|ETX C1 C2
 * CR LF` where FN is '0'..'7' (mod 8) and C1C2 is the sum of the bytes from FN through ETB/ETX, mod
 * 256, as two uppercase hex digits. Each record ends with CR inside its frame; every frame of a
 * message but the last ends ETB, the last (the terminator record) ETX. The receiver answers ACK
 * for a good frame and NAK for a damaged one (the sender repeats it); EOT ends a transfer.
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
 * Encodes one frame: `STX FN text ETB|ETX C1 C2 CR LF`. `text` carries its own record-ending CR
 * when the frame ends a record (each Contour record ends with CR, whether its frame ends ETB or ETX).
 */
export function encodeAstmFrame(fn: number, text: string, terminator: 'ETB' | 'ETX'): Uint8Array {
  const body = `${String(fn & 7)}${text}${String.fromCharCode(terminator === 'ETX' ? ASTM.ETX : ASTM.ETB)}`;
  return toBytes(`\x02${body}${astmChecksum(body)}\r\n`);
}

/**
 * A whole message (records in order) as frames from frame number `firstFn`: every record ends with
 * CR, a record longer than `maxText` continues in the next frame, every frame but the last ends
 * ETB and the last ends ETX — as a Contour meter sends its memory (glucometerutils
 * test/test_bacontour.py, test_integration).
 */
export function encodeAstmMessage(records: readonly string[], firstFn: number, maxText = ASTM_MAX_FRAME_TEXT): Uint8Array[] {
  const chunks: string[] = [];
  for (const record of records) {
    const text = `${record}\r`;
    for (let i = 0; i < text.length; i += maxText) chunks.push(text.slice(i, i + maxText));
  }
  return chunks.map((chunk, i) => encodeAstmFrame((firstFn + i) & 7, chunk, i === chunks.length - 1 ? 'ETX' : 'ETB'));
}

export interface AstmFrame {
  fn: number;
  /** Frame text, with the record-ending CR when the frame ends a record. */
  text: string;
  /** ETX: the last frame of the message (ETB: more frames follow). */
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
  const text = toText(bytes.slice(2, end));
  if (/[\x00-\x08\x0a-\x0c\x0e-\x1f]/.test(text)) throw new WardError('PROTOCOL', 'The meter sent a frame with control characters in its text.');
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

/** A received record (its text without the record-ending CR). */
export interface AstmRecord {
  type: string;
  text: string;
}

function recordOf(text: string): AstmRecord {
  return { type: text.charAt(0), text };
}

/**
 * Runs one ASTM upload from a Contour meter over HID (LIS1-A / E1381 as the meters speak it):
 *
 * - Establishment: a meter already in transfer mode announces itself with ENQ (glucometerutils
 *   test/test_bacontour.py); otherwise the host wakes it with EOT and the meter answers EOT, its
 *   header frame and ENQ in one message (glucometerutils test/test_contourusb.py). The host ACKs
 *   the ENQ; a header announced that way is kept in case the transfer does not repeat it.
 * - Transfer: one frame per message, frame numbers counting up mod 8 from whatever the first one
 *   is; ACK for a good frame, NAK for a damaged or out-of-sequence one (the meter repeats it, at
 *   most six times), ACK again for a repeat of the frame just taken. Records end with CR; frames end
 *   ETB while more follow and ETX at the end of the message; the meter then sends EOT.
 */
export class AstmHidLink {
  constructor(private readonly conn: HidConnection) {}

  private async sendControl(byte: number, step: StepOptions): Promise<void> {
    await writeReport(this.conn, encodeContourHostReport(Uint8Array.of(byte)), step, 'control character');
  }

  /** Reads one message (reports until one is shorter than 60 bytes). Malformed reports make the message `null` (damaged). */
  private async readMessage(step: StepOptions, orNull = false): Promise<Uint8Array | null | 'silent'> {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < ASTM_LIMITS.maxReportsPerMessage; i++) {
      let decoded: { payload: Uint8Array; more: boolean };
      try {
        const report = orNull && i === 0 ? await readReportOrNull(this.conn, step) : await readReport(this.conn, step, 'meter data');
        if (report === null) return 'silent';
        decoded = decodeContourReport(report);
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

  private async nextMessage(step: StepOptions): Promise<Uint8Array | null> {
    const m = await this.readMessage(step);
    return m === 'silent' ? null : m;
  }

  /**
   * Receives every record of one transfer, in order. `onRecord` sees each record as soon as it is
   * complete (the header first, so its arrival time can be taken for the clock drift).
   */
  async receive(step: StepOptions, onRecord?: (r: AstmRecord) => void): Promise<AstmRecord[]> {
    const records: AstmRecord[] = [];
    let announced: AstmRecord | undefined;
    const take = (r: AstmRecord): void => {
      if (records.length === 0 && r.type !== 'H' && announced) {
        records.push(announced);
        onRecord?.(announced);
      }
      records.push(r);
      onRecord?.(r);
    };
    let text = '';
    let lastFn: number | undefined;
    let lastText: string | undefined;
    let retries = 0;
    let transfer = false;

    // A meter in transfer mode may already be announcing itself; anything else left over is stale.
    const first = await this.readMessage({ timeoutMs: Math.min(step.timeoutMs, 50), signal: step.signal }, true);
    let message: Uint8Array | null;
    if (first !== 'silent' && first !== null && first.includes(ASTM.ENQ)) message = first;
    else {
      if (first !== 'silent') await drainInput(this.conn, step);
      await this.sendControl(ASTM.EOT, step);
      message = await this.nextMessage(step);
    }

    for (let m = 0; m < ASTM_LIMITS.maxMessages; m++) {
      const tokens = message === null ? [{ kind: 'junk' } as AstmToken] : scanAstmMessage(message);
      const sawEnq = tokens.some((t) => t.kind === 'enq');
      const sawEot = tokens.some((t) => t.kind === 'eot');

      if (sawEnq) {
        // Establishment (again, if the meter restarted it): a header may ride along before the ENQ.
        for (const t of tokens) {
          if (t.kind !== 'frame') continue;
          try {
            const f = decodeAstmFrame(t.bytes);
            const header = f.text.replace(/\r$/, '');
            if (header.startsWith('H')) announced = recordOf(header);
          } catch {
            // A damaged announcement is not repeated; the transfer sends the header again.
          }
        }
        transfer = true;
        lastFn = undefined;
        lastText = undefined;
        text = '';
        await this.sendControl(ASTM.ACK, step);
        message = await this.nextMessage(step);
        continue;
      }

      if (!transfer) {
        // No ENQ yet: wake the meter again (glucometerutils sends EOT until it sees EOT … ENQ).
        if (++retries > ASTM_LIMITS.maxRetries) throw new WardError('PROTOCOL', 'The meter did not start its data transfer; check that it shows the transfer screen, then try again.');
        await drainInput(this.conn, step);
        await this.sendControl(ASTM.EOT, step);
        message = await this.nextMessage(step);
        continue;
      }

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
      for (const f of frames) {
        if (f.fn === lastFn && f.text === lastText) continue; // a repeat of the frame just taken
        if (lastFn !== undefined && f.fn !== ((lastFn + 1) & 7)) damaged = true;
      }

      if (sawEot && frames.length === 0 && !damaged) {
        if (records.length === 0 && !announced) throw new WardError('PROTOCOL', 'The meter ended the transfer without sending any data.');
        if (text) take(recordOf(text));
        if (records.length === 0 && announced) take(announced);
        return records;
      }

      if (damaged || frames.length === 0) {
        if (++retries > ASTM_LIMITS.maxRetries) throw new WardError('PROTOCOL', 'The meter kept sending damaged data; unplug it, plug it in again and retry.');
        await drainInput(this.conn, step);
        await this.sendControl(ASTM.NAK, step);
        message = await this.nextMessage(step);
        continue;
      }

      let messageEnds = false;
      for (const f of frames) {
        if (f.fn === lastFn && f.text === lastText) continue;
        lastFn = f.fn;
        lastText = f.text;
        text += f.text;
        if (text.length > 64 * 1024) throw new WardError('PROTOCOL', 'The meter sent a record that is too long.');
        for (let cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r')) {
          take(recordOf(text.slice(0, cr)));
          text = text.slice(cr + 1);
        }
        if (f.final) messageEnds = true;
      }
      retries = 0;
      await this.sendControl(ASTM.ACK, step);
      if (messageEnds) {
        if (text) take(recordOf(text));
        await this.awaitEot(step);
        return records;
      }
      message = await this.nextMessage(step);
    }
    throw new WardError('PROTOCOL', 'The meter transfer did not end.');
  }

  /** After the last frame the meter sends EOT; wait briefly so it is not left for the next transfer. */
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
