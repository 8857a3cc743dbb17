/**
 * Where a record lives: its key after the table byte — patient (20 bytes), measured time (8),
 * sequence (6). Indexes point at records by locator, so following one is a single point read.
 */
import { getUint, putUint } from './bytes';
import { hexKey, LOCATOR_BYTES, WIDTH } from './keys';

export interface Locator {
  bytes: Buffer;
  /** Lowercase 0x hex of the patient's address. */
  patientHex: string;
  at: number;
  seq: number;
}

export function locatorOf(patient: string, at: number, seq: number): Locator {
  const bytes = Buffer.allocUnsafe(LOCATOR_BYTES);
  hexKey(patient, WIDTH.address).copy(bytes, 0);
  putUint(bytes, WIDTH.address, WIDTH.time, at);
  putUint(bytes, WIDTH.address + WIDTH.time, WIDTH.seq, seq);
  return { bytes, patientHex: patient.toLowerCase(), at, seq };
}

export function parseLocator(b: Uint8Array): Locator {
  return new ReadLocator(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A locator read from a key; the patient's hex is made only when asked for (a window knows its patient). */
class ReadLocator implements Locator {
  readonly at: number;
  readonly seq: number;
  private hex: string | undefined;

  constructor(readonly bytes: Buffer) {
    this.at = getUint(bytes, WIDTH.address, WIDTH.time);
    this.seq = getUint(bytes, WIDTH.address + WIDTH.time, WIDTH.seq);
  }

  get patientHex(): string {
    return (this.hex ??= '0x' + this.bytes.toString('hex', 0, WIDTH.address));
  }
}
