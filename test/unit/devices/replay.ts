/**
 * Replays a captured device session on the simulated bus: the host's writes are checked against
 * the capture byte for byte (through `sameReport`, for protocols where some bytes are documented
 * as ignored), and the device's reports are played back in captured order, each batch after the
 * host message that caused it. A script step without a host message plays when the device is
 * opened (a meter that announces itself).
 */
import type { SimulatedDevice } from '../../../electron/core/devices/simulators/bus';

export interface ReplayStep {
  /** Where in the capture this step comes from (shown when the host deviates). */
  at: string;
  host?: { kind: 'output' | 'feature'; bytes: number[] };
  device: number[][];
}

export class ReplayDevice implements SimulatedDevice {
  private position = 0;
  /** Host messages that did not match the capture (empty when the session replayed exactly). */
  readonly deviations: string[] = [];

  constructor(
    readonly info: SimulatedDevice['info'],
    private readonly steps: ReplayStep[],
    private readonly sameReport: (expected: number[], actual: Uint8Array) => boolean = (e, a) => e.length === a.length && e.every((b, i) => a[i] === b),
  ) {}

  /** True when every step of the capture has been played. */
  get finished(): boolean {
    return this.position >= this.steps.length;
  }

  onOpen(emit: (input: Uint8Array) => void): void {
    this.playUnprompted(emit);
  }

  onHostReport(report: Uint8Array, kind: 'output' | 'feature', emit: (input: Uint8Array) => void): void {
    const step = this.steps[this.position];
    const hex = Array.from(report, (b) => b.toString(16).padStart(2, '0')).join(' ');
    if (!step?.host) {
      this.deviations.push(`host sent ${kind} ${hex} after the end of the capture`);
      return;
    }
    if (step.host.kind !== kind || !this.sameReport(step.host.bytes, report)) {
      this.deviations.push(`${step.at}: host sent ${kind} ${hex}`);
      return;
    }
    this.position++;
    for (const r of step.device) emit(Uint8Array.from(r));
    this.playUnprompted(emit);
  }

  private playUnprompted(emit: (input: Uint8Array) => void): void {
    while (this.position < this.steps.length && !this.steps[this.position].host) {
      for (const r of this.steps[this.position].device) emit(Uint8Array.from(r));
      this.position++;
    }
  }
}

/** ASCII (Latin-1) text as bytes. */
export const bytesOf = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0) & 0xff);

/** A report padded with zeros to `size`. */
export const padded = (bytes: number[], size: number): number[] => [...bytes, ...new Array<number>(Math.max(0, size - bytes.length)).fill(0)];
