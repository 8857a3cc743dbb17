/**
 * The meter's side of an Ascensia/Bayer Contour upload over HID, byte for byte: on the host's EOT
 * it sends its header frame and ENQ, then one frame per host ACK (repeating a frame after NAK),
 * and EOT after the terminator record. Can damage one frame's checksum once to exercise NAK.
 */
import { dateToLocalIso } from '../deviceClock';
import { ASTM, decodeContourHostReport, encodeAstmRecord, encodeContourDeviceReports } from '../protocols/astm';
import type { SimulatedDevice } from './bus';

export interface ContourSimReading {
  /** mg/dL (integer) or mmol/L (one decimal), per `unit`. */
  value: number;
  /** Meter local time `YYYY-MM-DDTHH:MM:SS` (seconds are not stored). */
  time: string;
  /** ASTM flags: '>', '<', 'C', 'B', 'A', 'D'. */
  flags?: string[];
}

export interface ContourSimOptions {
  /** USB product id (default 0x7800, Contour Next One). */
  productId?: number;
  productCode?: string;
  serial?: string;
  /** Versions as in the header, e.g. ['01.24', '01.04', '09.02.20']. */
  versions?: string[];
  unit?: 'mg/dL' | 'mmol/L';
  readings?: ContourSimReading[];
  /** Extra raw records placed before the terminator (e.g. an insulin result). */
  rawRecords?: string[];
  clockDriftSeconds?: number;
  /**
   * Send one frame with a wrong checksum, once, then the good one after the host's NAK.
   * `true` damages the first result frame; a number picks the frame (0 = header).
   */
  corruptFrameOnce?: boolean | number;
  /** Split records into ETB frames of at most this many characters (ASTM allows 240). */
  maxFrameText?: number;
  now?: () => Date;
}

/** YYYYMMDDhhmm from ISO local time. */
function astmTime(iso: string): string {
  return iso.slice(0, 16).replace(/[-T:]/g, '');
}

export class ContourSimulator implements SimulatedDevice {
  readonly info: SimulatedDevice['info'];
  /** Frames of the current upload, one per message. */
  private frames: Uint8Array[] = [];
  /** Index of the frame being sent (-1: no upload in progress). */
  private cursor = -1;
  private corruptPending: number | undefined;
  /** Control bytes received from the host (tests check the handshake). */
  readonly hostControls: number[] = [];
  /** Frames sent, including repeats (tests check that a NAK caused a resend). */
  framesSent = 0;

  constructor(private readonly options: ContourSimOptions = {}) {
    this.info = { vendorId: 0x1a79, productId: options.productId ?? 0x7800, product: 'CONTOUR NEXT ONE', manufacturer: 'Ascensia Diabetes Care' };
    const c = options.corruptFrameOnce;
    this.corruptPending = c === true ? 2 : typeof c === 'number' ? c : undefined;
  }

  /** The records of one upload, as text (header first, terminator last). */
  records(): string[] {
    const o = this.options;
    const unit = o.unit ?? 'mg/dL';
    const now = new Date((o.now?.() ?? new Date()).getTime() + (o.clockDriftSeconds ?? 0) * 1000);
    const readings = o.readings ?? [];
    const versions = (o.versions ?? ['01.24', '01.04', '09.02.20']).join('\\');
    const header =
      `H|\\^&||qvqOi8|${o.productCode ?? 'Bayer7390'}^${versions}^${o.serial ?? '7390-2336773'}^7403-|` +
      `A=1^C=63^G=1^I=0200^R=0^S=1^U=${unit === 'mg/dL' ? 0 : 1}^V=10600^X=070070070180130180070130^Y=360126090050099050300089^Z=1|` +
      `${readings.length}||||||1|${astmTime(dateToLocalIso(now))}`;
    const results = readings.map((r, i) => {
      const value = unit === 'mg/dL' ? String(Math.round(r.value)) : r.value.toFixed(1);
      return `R|${i + 1}|^^^Glucose|${value}|${unit}^P||${(r.flags ?? []).join('/')}||${astmTime(r.time)}`;
    });
    return [header, 'P|1', ...results, ...(o.rawRecords ?? []), 'L|1||N'];
  }

  onHostReport(report: Uint8Array, kind: 'output' | 'feature', emit: (input: Uint8Array) => void): void {
    if (kind !== 'output') return;
    let data: Uint8Array;
    try {
      data = decodeContourHostReport(report);
    } catch {
      return;
    }
    for (const byte of data) {
      this.hostControls.push(byte);
      if (byte === ASTM.EOT) this.startUpload(emit);
      else if (byte === ASTM.ACK) this.advance(emit);
      else if (byte === ASTM.NAK) this.sendCurrent(emit);
    }
  }

  onClose(): void {
    this.cursor = -1;
  }

  private startUpload(emit: (input: Uint8Array) => void): void {
    let fn = 1;
    this.frames = this.records().flatMap((text) => {
      const frames = encodeAstmRecord(text, fn, this.options.maxFrameText);
      fn = (fn + frames.length) & 7;
      return frames;
    });
    this.cursor = 0;
    this.sendCurrent(emit);
  }

  private advance(emit: (input: Uint8Array) => void): void {
    if (this.cursor < 0) return;
    this.cursor++;
    if (this.cursor >= this.frames.length) {
      this.cursor = -1;
      this.send(Uint8Array.of(ASTM.EOT), emit);
      return;
    }
    this.sendCurrent(emit);
  }

  private sendCurrent(emit: (input: Uint8Array) => void): void {
    if (this.cursor < 0 || this.cursor >= this.frames.length) return;
    let frame = Uint8Array.from(this.frames[this.cursor]);
    if (this.corruptPending === this.cursor) {
      this.corruptPending = undefined;
      frame[frame.length - 3] ^= 0x01; // flip the low bit of the second checksum digit: never a valid checksum
    }
    this.framesSent++;
    if (this.cursor === 0) {
      // The first frame of the upload is followed by ENQ.
      const withEnq = new Uint8Array(frame.length + 1);
      withEnq.set(frame);
      withEnq[frame.length] = ASTM.ENQ;
      frame = withEnq;
    }
    this.send(frame, emit);
  }

  private send(message: Uint8Array, emit: (input: Uint8Array) => void): void {
    for (const r of encodeContourDeviceReports(message)) emit(r);
  }
}
