/**
 * Simulated Contec CMS50E (HID): once opened it streams 18-byte reports of three 6-byte items
 * `EB type status v1 v2 00` — pleth items (type 0) and, once per interval, a vitals item
 * (type 1: pulse, SpO2; 127 = no value, status bit 0 finger out, bit 1 searching).
 */
import type { SimulatedDevice } from './bus';
import { checkInterval, checkSamples, DEFAULT_LIVE_SAMPLES, plethSample, SampleCycle, sampleBytes, Ticker, type LiveSample } from './liveSamples';

export interface Cms50eSimulatorOptions {
  /** USB product string (must match the driver: /CMS50|Contec/i). */
  product?: string;
  serialNumber?: string;
  /** Cycled, one per interval. */
  samples?: LiveSample[];
  /** Time between vitals items (default 1000 ms ≈ 1 Hz). */
  intervalMs?: number;
  /** 18-byte reports per interval, the last one ending with the vitals item (default 20 ≈ 60 items/s). */
  reportsPerInterval?: number;
}

export interface Cms50eSimulator extends SimulatedDevice {
  /** Stops the stream (the bus does not tell a device when the host closes it). */
  stop(): void;
}

export function createCms50eSimulator(options: Cms50eSimulatorOptions = {}): Cms50eSimulator {
  const samples = new SampleCycle(checkSamples(options.samples ?? DEFAULT_LIVE_SAMPLES));
  const intervalMs = checkInterval(options.intervalMs, 1000);
  const reportsPerInterval = Math.max(1, Math.floor(options.reportsPerInterval ?? 20));
  const ticker = new Ticker();
  let reportNo = 0;
  let plethNo = 0;

  const pleth = (): number[] => [0xeb, 0x00, 0x00, plethSample(plethNo++), 0x00, 0x00];

  const nextReport = (): Uint8Array => {
    reportNo++;
    const items = [pleth(), pleth()];
    if (reportNo % reportsPerInterval === 0) {
      const v = sampleBytes(samples.take());
      items.push([0xeb, 0x01, v.status, v.pulse, v.spo2, 0x00]);
    } else items.push(pleth());
    return Uint8Array.from(items.flat());
  };

  return {
    info: {
      vendorId: 0x28e9,
      productId: 0x028a,
      product: options.product ?? 'CMS50E',
      manufacturer: 'Contec',
      ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}),
    },
    onOpen(emit) {
      ticker.start(intervalMs / reportsPerInterval, () => emit(nextReport()));
    },
    onHostReport() {
      // The HID CMS50E streams without commands; host reports are ignored.
    },
    onClose() {
      ticker.stop();
    },
    stop() {
      ticker.stop();
    },
  };
}
