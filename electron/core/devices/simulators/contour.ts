/**
 * The meter's side of an Ascensia/Bayer Contour upload over HID, built from the independent
 * sources in docs/devices.md (not from the driver):
 *
 * - `establish: 'announce'` (Contour Next USB, default): when the host writes any byte other than
 *   ACK/NAK (glucometerutils writes EOT, "any char except ACK and NAK"), one message: EOT, the header
 *   frame (FN 1, ETB) and ENQ (glucometerutils test/test_contourusb.py).
 * - `establish: 'enq'` (Contour USB 7390): ENQ as soon as the host opens the device
 *   (glucometerutils test/test_bacontour.py, test_integration).
 *
 * After the host ACKs the ENQ, the transfer: one frame per message from FN 1 — header, patient,
 * results, terminator — each record ending CR in its own frame, every frame ETB but the last (the
 * terminator), which is ETX; one frame per host ACK, the same frame again after NAK, EOT after the
 * last frame is acknowledged. Reports from the meter carry the `ABC` header and a length byte.
 */
import { dateToLocalIso } from '../deviceClock';
import { ASTM, decodeContourHostReport, encodeAstmFrame, encodeAstmMessage, encodeContourDeviceReports } from '../protocols/astm';
import type { SimulatedDevice } from './bus';

export interface ContourSimReading {
  /** mg/dL (integer) or mmol/L (one decimal), per `unit`. */
  value: number;
  /** Meter local time `YYYY-MM-DDTHH:MM:SS` (seconds are sent only with `secondsInTimes`). */
  time: string;
  /** ASTM markers: '>', '<', 'C', 'B', 'A', 'D', 'M0', 'T1', … */
  flags?: string[];
}

export interface ContourSimOptions {
  /** USB product id (default 0x7410, Contour Next USB). */
  productId?: number;
  productCode?: string;
  serial?: string;
  /** Versions as in the header, e.g. ['01.24', '01.04', '09.02.20']. */
  versions?: string[];
  unit?: 'mg/dL' | 'mmol/L';
  readings?: ContourSimReading[];
  /** Raw records placed before the terminator, in order with the readings' records (e.g. an insulin result). */
  rawRecords?: string[];
  clockDriftSeconds?: number;
  /** How the meter starts the transfer (see the header comment). Default 'announce'. */
  establish?: 'announce' | 'enq';
  /** Times as YYYYMMDDhhmmss with a trailing field delimiter on the header (Contour Next One style). */
  secondsInTimes?: boolean;
  /**
   * Send one frame with a wrong checksum, once, then the good one after the host's NAK.
   * `true` damages the first result frame; a number picks the frame (0 = header).
   */
  corruptFrameOnce?: boolean | number;
  /** Split records over frames of at most this many characters (ASTM allows 240). */
  maxFrameText?: number;
  now?: () => Date;
}

/** YYYYMMDDhhmm(ss) from ISO local time. */
function astmTime(iso: string, seconds: boolean): string {
  return iso.slice(0, seconds ? 19 : 16).replace(/[-T:]/g, '');
}

export class ContourSimulator implements SimulatedDevice {
  readonly info: SimulatedDevice['info'];
  /** Frames of the current transfer, one per message. */
  private frames: Uint8Array[] = [];
  /** Index of the frame being sent (-1: no transfer in progress). */
  private cursor = -1;
  /** The ENQ is out and the host has not answered it yet. */
  private enquiring = false;
  private corruptPending: number | undefined;
  /** Control bytes received from the host (tests check the handshake). */
  readonly hostControls: number[] = [];
  /** Frames sent, including repeats (tests check that a NAK caused a resend). */
  framesSent = 0;

  constructor(private readonly options: ContourSimOptions = {}) {
    this.info = { vendorId: 0x1a79, productId: options.productId ?? 0x7410, product: 'Bayer Contour Next USB', manufacturer: 'Bayer HealthCare' };
    const c = options.corruptFrameOnce;
    this.corruptPending = c === true ? 2 : typeof c === 'number' ? c : undefined;
  }

  private headerRecord(): string {
    const o = this.options;
    const unit = o.unit ?? 'mg/dL';
    const now = new Date((o.now?.() ?? new Date()).getTime() + (o.clockDriftSeconds ?? 0) * 1000);
    const versions = (o.versions ?? ['01.24', '01.04', '09.02.20']).join('\\');
    return (
      `H|\\^&||qvqOi8|${o.productCode ?? 'Bayer7390'}^${versions}^${o.serial ?? '7390-2336773'}^7403-|` +
      `A=1^C=63^G=1^I=0200^R=0^S=1^U=${unit === 'mg/dL' ? 0 : 1}^V=10600^X=070070070070180130150250^Y=360126090050099050300089^Z=1|` +
      `${(o.readings ?? []).length}|||||P|1|${astmTime(dateToLocalIso(now), o.secondsInTimes ?? false)}${o.secondsInTimes ? '|' : ''}`
    );
  }

  /** The records of one transfer, as text (header first, terminator last). */
  records(): string[] {
    const o = this.options;
    const unit = o.unit ?? 'mg/dL';
    const results = (o.readings ?? []).map((r, i) => {
      const value = unit === 'mg/dL' ? String(Math.round(r.value)) : r.value.toFixed(1);
      return `R|${i + 1}|^^^Glucose|${value}|${unit}^P||${(r.flags ?? []).join('/')}||${astmTime(r.time, o.secondsInTimes ?? false)}`;
    });
    return [this.headerRecord(), 'P|1', ...results, ...(o.rawRecords ?? []), 'L|1||N'];
  }

  onOpen(emit: (input: Uint8Array) => void): void {
    if (this.options.establish === 'enq') this.enquire(emit, []);
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
      if (byte === ASTM.ACK) {
        if (this.enquiring) this.startTransfer(emit);
        else this.advance(emit);
      } else if (byte === ASTM.NAK) this.sendCurrent(emit);
      else {
        // Any other byte (re)starts the establishment: EOT, the header frame and ENQ in one message.
        this.cursor = -1;
        this.enquire(emit, [ASTM.EOT, ...encodeAstmFrame(1, `${this.headerRecord()}\r`, 'ETB')]);
      }
    }
  }

  onClose(): void {
    this.cursor = -1;
    this.enquiring = false;
  }

  private enquire(emit: (input: Uint8Array) => void, before: number[]): void {
    this.enquiring = true;
    this.send(Uint8Array.from([...before, ASTM.ENQ]), emit);
  }

  private startTransfer(emit: (input: Uint8Array) => void): void {
    this.enquiring = false;
    this.frames = encodeAstmMessage(this.records(), 1, this.options.maxFrameText);
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
    const frame = Uint8Array.from(this.frames[this.cursor]);
    if (this.corruptPending === this.cursor) {
      this.corruptPending = undefined;
      frame[frame.length - 3] ^= 0x01; // flip the low bit of the second checksum digit: never a valid checksum
    }
    this.framesSent++;
    this.send(frame, emit);
  }

  private send(message: Uint8Array, emit: (input: Uint8Array) => void): void {
    for (const r of encodeContourDeviceReports(message)) emit(r);
  }
}
