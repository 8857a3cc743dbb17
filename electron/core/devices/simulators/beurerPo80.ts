/**
 * Simulated Beurer PO 80: 64-byte reports. Answers `81 01` with `F1` + model ASCII and
 * `8E 03 11` with `FE 03` + user ASCII; `80` and `9B 01 1C` are accepted silently; `9B 00 1B`
 * starts live data (`EB 00 00 pleth` reports and, once per interval, `EB 01 status bpm spo2`).
 * Commands with a wrong check byte ((sum of preceding bytes) & 0x7F) are ignored, as a device
 * would. Assumption: without a `9A 1A` keepalive for `keepaliveWindow` reports, it stops.
 */
import type { SimulatedDevice } from './bus';
import { checkInterval, checkSamples, DEFAULT_LIVE_SAMPLES, plethSample, SampleCycle, sampleBytes, Ticker, type LiveSample } from './liveSamples';

export interface Po80SimulatorOptions {
  product?: string;
  serialNumber?: string;
  /** Model text sent after `F1` (default "PO80"). */
  model?: string;
  /** User name sent after `FE 03` (default "user"). */
  user?: string;
  samples?: LiveSample[];
  /** Time between vitals reports (default 1000 ms). */
  intervalMs?: number;
  /** Pleth reports between vitals reports (default 1). */
  plethPerInterval?: number;
  /** Live reports sent without a keepalive before the device stops streaming (default 30). */
  keepaliveWindow?: number;
}

export interface Po80Simulator extends SimulatedDevice {
  /** True while live data is being sent. */
  readonly streaming: boolean;
  /** Keepalives received so far. */
  readonly keepalives: number;
  stop(): void;
}

const REPORT = 64;

function report(bytes: number[]): Uint8Array {
  const r = new Uint8Array(REPORT);
  r.set(bytes.slice(0, REPORT));
  return r;
}

function ascii(text: string, max: number): number[] {
  return Array.from(text.slice(0, max), (c) => c.charCodeAt(0) & 0x7f);
}

/** Length of each checked command by its first byte. */
const COMMAND_LENGTH: Record<number, number> = { 0x81: 2, 0x8e: 3, 0x9b: 3, 0x9a: 2 };

export function createPo80Simulator(options: Po80SimulatorOptions = {}): Po80Simulator {
  const samples = new SampleCycle(checkSamples(options.samples ?? DEFAULT_LIVE_SAMPLES));
  const intervalMs = checkInterval(options.intervalMs, 1000);
  const plethPerInterval = Math.max(0, Math.floor(options.plethPerInterval ?? 1));
  const keepaliveWindow = Math.max(1, Math.floor(options.keepaliveWindow ?? 30));
  const ticker = new Ticker();
  let emitLive: ((r: Uint8Array) => void) | null = null;
  let tick = 0;
  let plethNo = 0;
  let sinceKeepalive = 0;
  let keepalives = 0;

  const startStreaming = (emit: (r: Uint8Array) => void): void => {
    emitLive = emit;
    sinceKeepalive = 0;
    if (ticker.running) return;
    ticker.start(intervalMs / (plethPerInterval + 1), () => {
      if (!emitLive) return;
      if (++sinceKeepalive > keepaliveWindow) {
        ticker.stop();
        return;
      }
      tick++;
      if (tick % (plethPerInterval + 1) === 0) {
        const v = sampleBytes(samples.take());
        emitLive(report([0xeb, 0x01, v.status, v.pulse, v.spo2]));
      } else emitLive(report([0xeb, 0x00, 0x00, plethSample(plethNo++)]));
    });
  };

  const sim: Po80Simulator = {
    info: {
      vendorId: 0x28e9,
      productId: 0x028a,
      product: options.product ?? 'Pulse Oximeter',
      manufacturer: 'Beurer',
      ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}),
    },
    get streaming() {
      return ticker.running;
    },
    get keepalives() {
      return keepalives;
    },
    onHostReport(bytes, kind, emit) {
      if (kind !== 'output' || bytes.length === 0) return;
      const op = bytes[0];
      if (op === 0x80) return; // one-byte command, no check byte: accepted silently
      const length = COMMAND_LENGTH[op];
      if (length === undefined || bytes.length < length) return;
      let sum = 0;
      for (let i = 0; i < length - 1; i++) sum += bytes[i];
      if ((sum & 0x7f) !== bytes[length - 1]) return; // bad check byte: ignored
      if (op === 0x81 && bytes[1] === 0x01) emit(report([0xf1, ...ascii(options.model ?? 'PO80', 62)]));
      else if (op === 0x8e && bytes[1] === 0x03) emit(report([0xfe, 0x03, ...ascii(options.user ?? 'user', 7)]));
      else if (op === 0x9b && bytes[1] === 0x00) startStreaming(emit);
      else if (op === 0x9a) {
        keepalives++;
        sinceKeepalive = 0;
      }
    },
    onClose() {
      ticker.stop();
      emitLive = null;
    },
    stop() {
      ticker.stop();
      emitLive = null;
    },
  };
  return sim;
}
