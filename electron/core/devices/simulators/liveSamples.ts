/**
 * What the simulated oximeters measure: a cycle of samples (values, finger-out or searching
 * periods) played at a configurable rate, plus a timer that never keeps the process alive.
 */
import { WardError } from '../../model/errors';

export type LiveSample = { pulse: number; spo2: number } | { fingerOut: true } | { searching: true };

/** A calm adult, then a short finger-out period. */
export const DEFAULT_LIVE_SAMPLES: LiveSample[] = [
  { pulse: 72, spo2: 97 },
  { pulse: 73, spo2: 97 },
  { pulse: 74, spo2: 98 },
  { pulse: 73, spo2: 97 },
  { pulse: 71, spo2: 96 },
  { pulse: 72, spo2: 97 },
  { pulse: 75, spo2: 98 },
  { pulse: 74, spo2: 97 },
  { fingerOut: true },
  { fingerOut: true },
];

/** Status, pulse and SpO2 bytes of a vitals item (status bit 0 finger out, bit 1 searching; 127 = no value). */
export function sampleBytes(sample: LiveSample): { status: number; pulse: number; spo2: number } {
  if ('fingerOut' in sample) return { status: 0x01, pulse: 127, spo2: 127 };
  if ('searching' in sample) return { status: 0x02, pulse: 127, spo2: 127 };
  return { status: 0x00, pulse: sample.pulse, spo2: sample.spo2 };
}

export function checkSamples(samples: LiveSample[]): LiveSample[] {
  if (samples.length === 0) throw new WardError('BAD_INPUT', 'A simulated oximeter needs at least one sample.');
  for (const s of samples) {
    if ('pulse' in s && !(isByte(s.pulse) && isByte(s.spo2))) throw new WardError('BAD_INPUT', 'Simulated oximeter values must fit in a byte.');
  }
  return samples;
}

export function checkInterval(ms: number | undefined, fallback: number): number {
  const v = ms ?? fallback;
  if (!Number.isFinite(v) || v < 1) throw new WardError('BAD_INPUT', 'A simulated stream interval must be at least 1 ms.');
  return v;
}

function isByte(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 255;
}

/** Cycles through samples. */
export class SampleCycle {
  private next = 0;
  constructor(private readonly samples: LiveSample[]) {}
  take(): LiveSample {
    const s = this.samples[this.next % this.samples.length];
    this.next++;
    return s;
  }
}

/** setInterval that does not keep Node alive, restartable. */
export class Ticker {
  private timer: ReturnType<typeof setInterval> | null = null;

  start(periodMs: number, tick: () => void): void {
    this.stop();
    this.timer = setInterval(tick, Math.max(1, Math.round(periodMs)));
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get running(): boolean {
    return this.timer !== null;
  }
}

/** A slowly varying plethysmogram sample (0..100). */
export function plethSample(n: number): number {
  return Math.round(50 + 45 * Math.sin((n * 2 * Math.PI) / 60));
}
