/**
 * A simulated USB HID bus: implements HidBackend so drivers, hotplug and the app run unchanged
 * against byte-faithful device simulators (tests and demo mode).
 *
 * A simulator only speaks its protocol (the device's side). Transport-level faults — garbage
 * reports, truncated reports, silence, unplug mid-transfer — are injected here, the same way for
 * every device.
 */
import { WardError } from '../../model/errors';
import type { HidBackend, HidConnection, HidDeviceInfo } from '../types';

/** The device side of a simulated HID device. */
export interface SimulatedDevice {
  readonly info: Omit<HidDeviceInfo, 'path'>;
  /**
   * Called for every report the host writes. `report` excludes the report-id byte for output
   * reports written with report id 0 (as the wire would carry it); feature reports are passed whole.
   * The device answers by calling `emit` with input reports (any number, now or later).
   */
  onHostReport(report: Uint8Array, kind: 'output' | 'feature', emit: (input: Uint8Array) => void): void;
  /** Called when the host opens the device; streaming devices may start emitting here. */
  onOpen?(emit: (input: Uint8Array) => void): void;
  /** Called when the host closes the device or it is unplugged. */
  onClose?(): void;
}

export interface TransportFaults {
  /** Replace every Nth input report with random bytes of the same length. */
  garbageEvery?: number;
  /** Cut every Nth input report to half its length. */
  truncateEvery?: number;
  /** After this many input reports, the device stops answering (but stays plugged in). */
  silentAfter?: number;
  /** After this many input reports, the device is unplugged. */
  unplugAfter?: number;
  /** Not a fault: delay every input report by this many milliseconds (real devices are not instant). */
  latencyMs?: number;
  /** Seed of the garbage generator, so a failing run can be replayed (default 1). */
  seed?: number;
}

interface Plugged {
  path: string;
  device: SimulatedDevice;
  faults: TransportFaults;
  connections: Set<SimConnection>;
  /** Simulates a device present but not openable (missing udev permission). */
  denyOpen: boolean;
}

let nextPath = 1;

/** Small deterministic PRNG (xorshift32) for garbage bytes. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

export class SimulatedHidBus implements HidBackend {
  private readonly plugged = new Map<string, Plugged>();

  /** Plug a device in; returns its path. */
  plug(device: SimulatedDevice, options: { faults?: TransportFaults; denyOpen?: boolean } = {}): string {
    const path = `sim:${nextPath++}`;
    const faults = options.faults ?? {};
    this.plugged.set(path, {
      path,
      device,
      faults,
      connections: new Set(),
      denyOpen: options.denyOpen ?? false,
    });
    return path;
  }

  /** Pull the device out: it disappears from enumeration and open connections fail their pending and future reads. */
  unplug(path: string): void {
    const p = this.plugged.get(path);
    if (!p) return;
    this.plugged.delete(path);
    const wasOpen = p.connections.size > 0;
    for (const c of [...p.connections]) c.unplugged();
    p.connections.clear();
    if (wasOpen) p.device.onClose?.();
  }

  /** Replace the faults of a plugged device (counters are per connection and keep counting). */
  setFaults(path: string, faults: TransportFaults): void {
    const p = this.plugged.get(path);
    if (p) p.faults = faults;
  }

  /** True while the device at `path` is plugged in. */
  isPlugged(path: string): boolean {
    return this.plugged.has(path);
  }

  async enumerate(): Promise<HidDeviceInfo[]> {
    return [...this.plugged.values()].map((p) => ({ ...p.device.info, path: p.path }));
  }

  async open(path: string): Promise<HidConnection> {
    const p = this.plugged.get(path);
    if (!p) throw new WardError('DEVICE_UNPLUGGED', 'The device is no longer connected.');
    if (p.denyOpen) {
      throw new WardError('DEVICE_PERMISSION', 'The device is connected but cannot be opened: install the WardLedger udev rule (resources/linux) and re-plug it.');
    }
    const conn = new SimConnection(p, () => {
      p.connections.delete(conn);
      if (p.connections.size === 0) p.device.onClose?.();
    }, () => this.unplug(path));
    p.connections.add(conn);
    p.device.onOpen?.((r) => conn.deliver(r));
    return conn;
  }
}

const UNPLUGGED_MESSAGE = 'The device was unplugged during the transfer.';

class SimConnection implements HidConnection {
  private readonly queue: Uint8Array[] = [];
  private waiter: ((r: Uint8Array | null | Error) => void) | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private delivered = 0;
  private readonly random: () => number;
  private gone = false;
  private closed = false;

  constructor(
    private readonly plugged: Plugged,
    private readonly onClosed: () => void,
    private readonly unplugSelf: () => void,
  ) {
    this.random = xorshift(plugged.faults.seed ?? 1);
  }

  /** An input report from the device: faults are applied here, then it is queued or handed to the waiting read. */
  deliver(report: Uint8Array): void {
    if (this.gone || this.closed) return;
    const f = this.plugged.faults;
    this.delivered++;
    const n = this.delivered;
    if (f.silentAfter !== undefined && n > f.silentAfter) return;
    if (f.unplugAfter !== undefined && n > f.unplugAfter) {
      queueMicrotask(() => this.unplugSelf());
      return;
    }
    let out = Uint8Array.from(report);
    if (f.garbageEvery && n % f.garbageEvery === 0) out = Uint8Array.from(out, () => Math.floor(this.random() * 256));
    if (f.truncateEvery && n % f.truncateEvery === 0) out = out.slice(0, Math.floor(out.length / 2));
    if (f.latencyMs && f.latencyMs > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.enqueue(out);
      }, f.latencyMs);
      this.timers.add(t);
    } else this.enqueue(out);
  }

  private enqueue(report: Uint8Array): void {
    if (this.gone || this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(report);
    } else this.queue.push(report);
  }

  unplugged(): void {
    this.gone = true;
    this.clearTimers();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(new WardError('DEVICE_UNPLUGGED', UNPLUGGED_MESSAGE));
    }
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private check(): void {
    if (this.gone) throw new WardError('DEVICE_UNPLUGGED', UNPLUGGED_MESSAGE);
    if (this.closed) throw new WardError('DEVICE', 'The device connection is closed.');
  }

  async write(report: Uint8Array): Promise<void> {
    this.check();
    // Report id 0 is not sent on the wire.
    const payload = report[0] === 0 ? report.slice(1) : Uint8Array.from(report);
    this.plugged.device.onHostReport(payload, 'output', (r) => this.deliver(r));
  }

  async sendFeatureReport(report: Uint8Array): Promise<void> {
    this.check();
    this.plugged.device.onHostReport(Uint8Array.from(report), 'feature', (r) => this.deliver(r));
  }

  read(timeoutMs: number): Promise<Uint8Array | null> {
    try {
      this.check();
    } catch (e) {
      return Promise.reject(e);
    }
    const next = this.queue.shift();
    if (next) return Promise.resolve(next);
    if (this.waiter) return Promise.reject(new WardError('DEVICE', 'Only one read may wait at a time.'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, Math.max(0, timeoutMs));
      this.waiter = (r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    this.queue.length = 0;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
    if (!this.gone) this.onClosed();
  }
}
