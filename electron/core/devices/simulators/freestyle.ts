/**
 * The meter's side of the FreeStyle shared HID protocol, byte for byte (Precision/Optium Neo,
 * Libre, Libre Pro; a Libre 2 that is recognised but speaks only the unencrypted hello).
 * Replies are split over 64-byte reports with keepalives interleaved, as real meters do.
 */
import { dateToLocalIso } from '../deviceClock';
import {
  encodeFrame,
  encodeMultiRecord,
  encodeTextFrames,
  encodeTextReply,
  decodeFrame,
  FreeStyleType,
  latin1ToBytes,
  bytesToLatin1,
} from '../protocols/freestyleHid';
import type { SimulatedDevice } from './bus';

export type FreeStyleSimModel = 'neo' | 'libre' | 'libre-pro' | 'libre2';

export interface FreeStyleSimReading {
  /** 'sensor' (a Libre sensor scan) only exists on the Libre readers. */
  kind: 'glucose' | 'ketone' | 'sensor';
  /** Glucose mg/dL, ketone mmol/L (sent as raw × 18), or the meter's HI/LO (Neo). */
  value: number | 'HI' | 'LO';
  /** Meter local time, `YYYY-MM-DDTHH:MM:SS`. */
  time: string;
  control?: boolean;
  /** Record id; defaults to the position in the list (1-based). */
  id?: number;
  /** Libre error bits (non-zero: a failed test the meter still stores). */
  errors?: number;
}

export interface FreeStyleSimOptions {
  serial?: string;
  firmware?: string;
  readings?: FreeStyleSimReading[];
  /** Extra raw records appended to the log (e.g. insulin or time-change entries). */
  rawRecords?: string[];
  /** Meter clock minus real time, in seconds. */
  clockDriftSeconds?: number;
  /** The meter answers 255 for every clock field. */
  clockNotSet?: boolean;
  /** Insert a keepalive after every N reply reports (0: never). Default 2. */
  keepaliveEvery?: number;
  /** Value of `$dbrnum?` (Libre). */
  dbRecordNumber?: number;
  /** Clock source (tests). */
  now?: () => Date;
}

const IDS: Record<FreeStyleSimModel, { productId: number; product: string; serial: string }> = {
  neo: { productId: 0x3850, product: 'FreeStyle Precision Neo', serial: 'NEO0001-00042' },
  libre: { productId: 0x3650, product: 'FreeStyle Libre', serial: 'JCMV123-A4567' },
  'libre-pro': { productId: 0x3670, product: 'FreeStyle Libre Pro', serial: 'JCMP123-B4567' },
  libre2: { productId: 0x3950, product: 'FreeStyle Libre 2', serial: 'MAAB123-C4567' },
};

function timeParts(iso: string): number[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(iso);
  if (!m) throw new RangeError('simulator reading time must be YYYY-MM-DDTHH:MM:SS');
  return m.slice(1).map(Number);
}

/** Neo `$result?` record: 19 fields for glucose, 11 for ketone (field 10 / 9 = 0 marks control solution). */
export function neoRecord(r: FreeStyleSimReading, id: number): string {
  const [y, mo, d, h, mi] = timeParts(r.time);
  const head = [r.kind === 'ketone' ? 9 : 7, id, mo, d, y % 100, h, mi, 0];
  if (r.kind === 'ketone') {
    const raw = typeof r.value === 'number' ? Math.round(r.value * 18) : r.value;
    return [...head, raw, r.control ? 0 : 1, 0].join(',');
  }
  const fields: (string | number)[] = [...head, r.value, 0, r.control ? 0 : 1];
  while (fields.length < 19) fields.push(0);
  return fields.join(',');
}

/** Libre `$arresult?` record of type 2 (30 fields). */
export function libreRecord(r: FreeStyleSimReading, id: number): string {
  const [y, mo, d, h, mi, s] = timeParts(r.time);
  const f: (string | number)[] = new Array(30).fill(0);
  const readingType = r.kind === 'glucose' ? 0 : r.kind === 'ketone' ? 1 : 2;
  const value = typeof r.value === 'number' ? (r.kind === 'ketone' ? Math.round(r.value * 18) : r.value) : 0;
  [f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[12], f[28]] = [id, 2, mo, d, y % 100, h, mi, s, 1, readingType, value, r.errors ?? 0];
  return f.join(',');
}

export class FreeStyleSimulator implements SimulatedDevice {
  readonly info: SimulatedDevice['info'];
  private readonly serial: string;
  private readonly firmware: string;
  private keepaliveCounter = 0;
  /** Host commands received, for tests that check what a driver asked for. */
  readonly commands: string[] = [];

  constructor(
    readonly model: FreeStyleSimModel,
    private readonly options: FreeStyleSimOptions = {},
  ) {
    const ids = IDS[model];
    this.info = { vendorId: 0x1a61, productId: ids.productId, product: ids.product, manufacturer: 'Abbott Diabetes Care' };
    this.serial = options.serial ?? ids.serial;
    this.firmware = options.firmware ?? '2.1.2';
  }

  onHostReport(report: Uint8Array, kind: 'output' | 'feature', emit: (input: Uint8Array) => void): void {
    if (kind !== 'output') return;
    let frame;
    try {
      frame = decodeFrame(report);
    } catch {
      return; // a real meter ignores a report it cannot parse
    }
    const send = (frames: Uint8Array[]): void => this.emitWithKeepalives(frames, emit);
    switch (frame.type) {
      case FreeStyleType.hello:
        return send([encodeFrame(FreeStyleType.helloReply, Uint8Array.of(0x01))]);
      case FreeStyleType.serialRequest:
        return send([encodeFrame(FreeStyleType.serialReply, latin1ToBytes(`${this.serial}\0`))]);
      case FreeStyleType.versionRequest:
        return send([encodeFrame(FreeStyleType.versionReply, latin1ToBytes(`${this.firmware}\0`))]);
      case FreeStyleType.init:
        return send([encodeFrame(FreeStyleType.initReply, Uint8Array.of(0x01))]);
      case FreeStyleType.text:
      case FreeStyleType.textAlt:
        if (this.model === 'libre2' || (frame.type === FreeStyleType.textAlt && this.model === 'neo')) break;
        return send(encodeTextFrames(FreeStyleType.text, this.answer(bytesToLatin1(frame.payload))));
    }
    send([encodeFrame(FreeStyleType.unknownMessage, Uint8Array.of(0x85))]);
  }

  private emitWithKeepalives(frames: Uint8Array[], emit: (input: Uint8Array) => void): void {
    const every = this.options.keepaliveEvery ?? 2;
    frames.forEach((f, i) => {
      emit(f);
      if (every > 0 && (i + 1) % every === 0) emit(encodeFrame(FreeStyleType.keepalive, Uint8Array.of(this.keepaliveCounter++ & 0xff)));
    });
  }

  private isLibre(): boolean {
    return this.model === 'libre' || this.model === 'libre-pro';
  }

  /** The full text reply (message, checksum, status) to one command. */
  answer(command: string): string {
    this.commands.push(command);
    const ok = (message: string): string => encodeTextReply(message, true);
    const now = new Date((this.options.now?.() ?? new Date()).getTime() + (this.options.clockDriftSeconds ?? 0) * 1000);
    const [y, mo, d, h, mi] = timeParts(dateToLocalIso(now));
    switch (command) {
      case '$swver?':
        return ok(`${this.firmware}\r\n`);
      case '$serlnum?':
        if (this.isLibre()) break;
        return ok(`${this.serial}\r\n`);
      case '$sn?':
        if (!this.isLibre()) break;
        return ok(`${this.serial}\r\n`);
      case '$date?':
        return ok(this.options.clockNotSet ? '255,255,255\r\n' : `${mo},${d},${y % 100}\r\n`);
      case '$time?':
        return ok(this.options.clockNotSet ? '255,255\r\n' : `${h},${mi}\r\n`);
      case '$result?':
        if (this.isLibre()) break;
        return ok(encodeMultiRecord(this.records(neoRecord)));
      case '$arresult?':
        if (!this.isLibre()) break;
        return ok(encodeMultiRecord(this.records(libreRecord)));
      case '$history?':
        if (!this.isLibre()) break;
        return ok(encodeMultiRecord([]));
      case '$dbrnum?':
        return ok(`DB Record Number = ${this.options.dbRecordNumber ?? 0}\r\n`);
    }
    return encodeTextReply('', false);
  }

  private records(format: (r: FreeStyleSimReading, id: number) => string): string[] {
    const list = (this.options.readings ?? []).map((r, i) => format(r, r.id ?? i + 1));
    return [...list, ...(this.options.rawRecords ?? [])];
  }
}
