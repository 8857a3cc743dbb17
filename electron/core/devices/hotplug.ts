/**
 * Hotplug detection by polling enumeration (node-hid has no native hotplug events without a native
 * build step). Each poll diffs the device list by path and emits `attached` / `detached`.
 * A failing enumeration is reported as an `error` event and polling continues: USB trouble must
 * never take the app down.
 */
import { WardError } from '../model/errors';
import { matchDriver } from './registry';
import type { DeviceDriver, HidBackend, HidDeviceInfo } from './types';

export interface HotplugEvents {
  attached: (info: HidDeviceInfo, driver: DeviceDriver | undefined) => void;
  detached: (info: HidDeviceInfo) => void;
  error: (error: WardError) => void;
}

/** A minimal typed event emitter. Unlike Node's, an `error` without listeners never throws and a throwing listener never breaks the emitter. */
export class TypedEmitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>();

  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: E[K]): void {
    this.listeners.get(event)?.delete(listener);
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        (l as (...a: Parameters<E[K]>) => void)(...args);
      } catch {
        // A faulty listener must not stop hotplug detection for everyone else.
      }
    }
  }
}

/** Injectable timer so tests can drive polls without waiting. */
export interface PollTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimer: PollTimer = {
  set: (cb, ms) => setTimeout(cb, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface HotplugOptions {
  /** Time between the end of one poll and the start of the next (ms). Default 1000. */
  intervalMs?: number;
  timer?: PollTimer;
  /** Driver lookup; defaults to the registry. */
  match?: (info: HidDeviceInfo) => DeviceDriver | undefined;
}

/** Same device as far as identity goes: a path reused by a different device counts as detach + attach. */
function sameDevice(a: HidDeviceInfo, b: HidDeviceInfo): boolean {
  return a.vendorId === b.vendorId && a.productId === b.productId && a.product === b.product && a.serialNumber === b.serialNumber;
}

export class HotplugMonitor extends TypedEmitter<HotplugEvents> {
  private readonly known = new Map<string, HidDeviceInfo>();
  private readonly intervalMs: number;
  private readonly timer: PollTimer;
  private readonly match: (info: HidDeviceInfo) => DeviceDriver | undefined;
  private handle: unknown;
  private running = false;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly backend: HidBackend,
    options: HotplugOptions = {},
  ) {
    super();
    this.intervalMs = Math.max(10, options.intervalMs ?? 1000);
    this.timer = options.timer ?? realTimer;
    this.match = options.match ?? matchDriver;
  }

  /** Starts polling; the first poll runs at once, so devices already plugged in are reported as attached. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling and waits for a poll in progress; known devices are kept (a restart reports only changes). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.handle !== undefined) this.timer.clear(this.handle);
    this.handle = undefined;
    await this.inFlight;
  }

  /** Devices currently known to be plugged in. */
  devices(): HidDeviceInfo[] {
    return [...this.known.values()];
  }

  /** Runs one poll now (also used by the timer). Concurrent calls share the poll in progress. */
  poll(): Promise<void> {
    this.inFlight ??= this.pollOnce().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.handle = this.timer.set(() => {
      this.handle = undefined;
      void this.poll().then(() => this.schedule(this.intervalMs));
    }, ms);
  }

  private async pollOnce(): Promise<void> {
    let list: HidDeviceInfo[];
    try {
      list = await this.backend.enumerate();
      if (!Array.isArray(list)) throw new Error('enumeration returned no list');
    } catch (e) {
      this.emit('error', e instanceof WardError ? e : new WardError('DEVICE', 'Listing USB devices failed; WardLedger keeps retrying.'));
      return;
    }
    const now = new Map<string, HidDeviceInfo>();
    for (const d of list) if (d && typeof d.path === 'string') now.set(d.path, d);

    for (const [path, old] of [...this.known]) {
      const current = now.get(path);
      if (!current || !sameDevice(old, current)) {
        this.known.delete(path);
        this.emit('detached', old);
      }
    }
    for (const [path, info] of now) {
      if (this.known.has(path)) continue;
      this.known.set(path, info);
      let driver: DeviceDriver | undefined;
      try {
        driver = this.match(info);
      } catch {
        driver = undefined;
      }
      this.emit('attached', info, driver);
    }
  }
}
