/**
 * The devices plugged into the workstation: hotplug (polling enumeration) → driver match → open
 * and identify → handed on by what the driver reads (memory download or live stream). Nothing a
 * device sends can take this down: every driver error becomes a status and a message on that
 * device.
 */
import { MEASUREMENTS } from '../clinical/codes';
import type { DeviceStatus, DeviceView } from '../model/devices';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import type { CompositeBackend } from './compositeBackend';
import { HotplugMonitor } from './hotplug';
import { measured } from './readingVitals';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidDeviceInfo } from './types';

export interface AttachedDevice {
  info: HidDeviceInfo;
  driver: DeviceDriver | undefined;
  session: DeviceSession | null;
  identity: DeviceIdentity | null;
  status: DeviceStatus;
  message: string | null;
  /** A streaming monitor's latest reading, and when it came. */
  live: { reading: DeviceReading; at: number } | null;
  stopStream: (() => Promise<void>) | null;
}

/** What happens to a device once identified, and when it goes. */
export interface DeviceLifecycle {
  /** The device is open and identified: read it as its driver says. */
  identified(d: AttachedDevice): Promise<void>;
  /** The device was unplugged, or the service stops: drop what is held for it. */
  gone(d: AttachedDevice, why: 'unplugged' | 'stopping'): void;
}

/**
 * A device's memory download, where its driver declares it reads memory (types.ts ReadingMode):
 * checked here once, so nothing else probes a session's optional methods.
 */
export function memoryOf(d: AttachedDevice): NonNullable<DeviceSession['readMemory']> {
  const read = d.driver?.reads === 'memory' ? d.session?.readMemory : undefined;
  if (!read) throw new WardError('BAD_INPUT', 'This device has no memory to read.');
  return read.bind(d.session);
}

/** A device's live stream, where its driver declares it streams. */
export function streamOf(d: AttachedDevice): NonNullable<DeviceSession['stream']> {
  const stream = d.driver?.reads === 'stream' ? d.session?.stream : undefined;
  if (!stream) throw new WardError('BAD_INPUT', 'Only streaming monitors can be bound to a bed.');
  return stream.bind(d.session);
}

export class AttachedDevices {
  private readonly devices = new Map<string, AttachedDevice>();
  private readonly hotplug: HotplugMonitor;

  constructor(
    private readonly backend: CompositeBackend,
    private readonly lifecycle: DeviceLifecycle,
    private readonly changed: () => void,
    pollIntervalMs = 1000,
  ) {
    this.hotplug = new HotplugMonitor(backend, { intervalMs: pollIntervalMs });
    this.hotplug.on('attached', (info, driver) => void this.attach(info, driver));
    this.hotplug.on('detached', (info) => void this.detach(info));
    this.hotplug.on('error', (e) => log('warn', 'devices.enumerate_failed', { code: e.code }));
  }

  start(): void {
    this.hotplug.start();
  }

  async stop(): Promise<void> {
    await this.hotplug.stop();
    for (const d of this.devices.values()) await this.release(d, 'stopping');
    this.devices.clear();
  }

  /** Poll now (tests, and right after plugging a simulator). */
  poll(): Promise<void> {
    return this.hotplug.poll();
  }

  get usbProblem(): string | null {
    return this.backend.usbProblem;
  }

  require(deviceId: string): AttachedDevice {
    const d = this.devices.get(deviceId);
    if (!d) throw new WardError('NOT_FOUND', 'That device is no longer connected.');
    return d;
  }

  all(): AttachedDevice[] {
    return [...this.devices.values()];
  }

  private async attach(info: HidDeviceInfo, driver: DeviceDriver | undefined): Promise<void> {
    const d: AttachedDevice = { info, driver, session: null, identity: null, status: 'connecting', message: null, live: null, stopStream: null };
    this.devices.set(info.path, d);
    this.changed();
    if (!driver) {
      d.status = 'unsupported';
      d.message = 'This USB device is not a supported medical device.';
      return this.changed();
    }
    if (driver.unsupportedReason) {
      d.status = 'unsupported';
      d.message = driver.unsupportedReason;
      return this.changed();
    }
    try {
      const connection = await this.backend.open(info.path);
      d.session = await driver.open(connection, info);
      d.identity = await d.session.identify({ timeoutMs: 3000 });
      d.status = 'ready';
      log('info', 'devices.attached', { driver: driver.id, simulated: info.path.startsWith('sim:') });
      this.changed();
      await this.lifecycle.identified(d);
    } catch (e) {
      this.fail(d, e);
    }
  }

  /** A device error becomes its status and message (the panel shows it); the service carries on. */
  fail(d: AttachedDevice, e: unknown): void {
    const err = e instanceof WardError ? e : new WardError('DEVICE', 'The device stopped responding.');
    d.status = err.code === 'DEVICE_PERMISSION' ? 'no-permission' : 'error';
    d.message = err.message;
    log('warn', 'devices.error', { driver: d.driver?.id ?? 'none', code: err.code });
    this.changed();
  }

  private async detach(info: HidDeviceInfo): Promise<void> {
    const d = this.devices.get(info.path);
    if (!d) return;
    this.devices.delete(info.path);
    await this.release(d, 'unplugged');
    this.changed();
  }

  private async release(d: AttachedDevice, why: 'unplugged' | 'stopping'): Promise<void> {
    this.lifecycle.gone(d, why);
    await d.stopStream?.().catch(() => undefined);
    d.stopStream = null;
    await d.session?.close().catch(() => undefined);
    d.session = null;
  }
}

/** A device as the panel shows it (its bed binding, if any, comes from BedBinding). */
export function deviceView(d: AttachedDevice, binding: DeviceView['binding']): DeviceView {
  return {
    id: d.info.path,
    driver: d.driver?.id ?? null,
    model: d.identity?.model ?? d.driver?.model ?? d.info.product ?? `USB device ${d.info.vendorId.toString(16)}:${d.info.productId.toString(16)}`,
    kind: d.driver?.kind ?? null,
    simulated: d.info.path.startsWith('sim:'),
    status: d.status,
    message: d.message,
    serial: d.identity?.serial ?? null,
    firmware: d.identity?.firmware ?? null,
    deviceTime: d.identity?.deviceTime ?? null,
    clockDriftSeconds: d.identity?.clockDriftSeconds ?? null,
    batteryPercent: d.identity?.batteryPercent ?? null,
    live: d.live
      ? { spo2: measured(d.live.reading, MEASUREMENTS.spo2.loinc), pulse: measured(d.live.reading, MEASUREMENTS.pulse.loinc), at: new Date(d.live.at).toISOString(), flags: d.live.reading.flags }
      : null,
    binding,
  };
}
