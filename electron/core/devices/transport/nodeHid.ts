/**
 * HidBackend over node-hid's asynchronous API. node-hid is loaded lazily with a dynamic import so
 * the app starts (and the simulator/demo mode works) on machines where its native part or libusb
 * is missing; the first enumerate/open then fails with one clear message.
 *
 * Kept deliberately thin: everything that can be tested without hardware (error mapping, report
 * conversion) is a pure exported function.
 */
import { WardError } from '../../model/errors';
import type { HidBackend, HidConnection, HidDeviceInfo } from '../types';

/** The subset of node-hid this backend uses (node-hid 3 `HIDAsync`). */
export interface NodeHidDevice {
  read(timeoutMs?: number): Promise<Buffer | undefined>;
  write(values: number[] | Buffer): Promise<number>;
  sendFeatureReport(data: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
}

export interface NodeHidModule {
  devicesAsync(): Promise<Array<{ vendorId: number; productId: number; path?: string; product?: string; manufacturer?: string; serialNumber?: string }>>;
  HIDAsync: { open(path: string): Promise<NodeHidDevice> };
}

export interface NodeHidBackendOptions {
  /** How node-hid is loaded; tests inject a failing loader. Default: `import('node-hid')`. */
  load?: () => Promise<NodeHidModule>;
  /** Deadline for a write or feature report (ms). Default 2000. */
  writeTimeoutMs?: number;
  /** Extra time granted to the native read beyond its own timeout before we give up on it (ms). */
  readGraceMs?: number;
}

export const USB_UNAVAILABLE_MESSAGE = 'USB access unavailable: install libusb-1.0-0';
const PERMISSION_MESSAGE =
  'The device is connected but this user may not open it. On Linux install resources/linux/60-wardledger-devices.rules into /etc/udev/rules.d/, run "udevadm control --reload-rules", then unplug and re-plug the device.';
const UNPLUGGED_MESSAGE = 'The device was unplugged during the transfer.';

async function defaultLoad(): Promise<NodeHidModule> {
  const mod = (await import('node-hid')) as unknown as NodeHidModule & { default?: NodeHidModule };
  return typeof mod.devicesAsync === 'function' ? mod : (mod.default as NodeHidModule);
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`;
  return String(e);
}

/** Maps a failure to open a present device: permissions get the udev hint, anything else a generic message. */
export function mapOpenError(e: unknown): WardError {
  if (e instanceof WardError) return e;
  const text = messageOf(e);
  if (/EACCES|EPERM|permission denied|could not open|cannot open|failed to open/i.test(text)) {
    return new WardError('DEVICE_PERMISSION', PERMISSION_MESSAGE);
  }
  if (/ENODEV|ENOENT|no such device|not found/i.test(text)) return new WardError('DEVICE_UNPLUGGED', 'The device is no longer connected.');
  return new WardError('DEVICE', 'The device could not be opened.');
}

/**
 * Maps a failure during a transfer. hidapi reports a device that vanished as a failed read/write
 * (ENODEV / EIO / "could not read"), so those are an unplug; anything else is a generic device error.
 */
export function mapTransferError(e: unknown): WardError {
  if (e instanceof WardError) return e;
  const text = messageOf(e);
  if (/ENODEV|EIO|ENXIO|ESHUTDOWN|no such device|input\/output error|disconnected|could not read|cannot write|device has been closed|closed device/i.test(text)) {
    return new WardError('DEVICE_UNPLUGGED', UNPLUGGED_MESSAGE);
  }
  return new WardError('DEVICE', 'The device reported an input/output error.');
}

/** Maps a failure to load node-hid itself (missing native module or libusb/hidraw library). */
export function mapLoadError(_e: unknown): WardError {
  return new WardError('DEVICE', USB_UNAVAILABLE_MESSAGE);
}

/** node-hid returns an empty buffer (or undefined) when a read times out. */
export function toReport(data: Buffer | Uint8Array | number[] | undefined | null): Uint8Array | null {
  if (!data || data.length === 0) return null;
  return Uint8Array.from(data);
}

/** Node-hid's device list entry → HidDeviceInfo (entries without a path cannot be opened and are dropped). */
export function toDeviceInfo(d: { vendorId: number; productId: number; path?: string; product?: string; manufacturer?: string; serialNumber?: string }): HidDeviceInfo | undefined {
  if (!d.path) return undefined;
  const info: HidDeviceInfo = { path: d.path, vendorId: d.vendorId, productId: d.productId };
  if (d.product) info.product = d.product;
  if (d.manufacturer) info.manufacturer = d.manufacturer;
  if (d.serialNumber) info.serialNumber = d.serialNumber;
  return info;
}

function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => WardError): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  p.catch(() => undefined); // a late rejection after the deadline is not unhandled
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

class NodeHidConnection implements HidConnection {
  private closed = false;

  constructor(
    private readonly device: NodeHidDevice,
    private readonly writeTimeoutMs: number,
    private readonly readGraceMs: number,
  ) {}

  private check(): void {
    if (this.closed) throw new WardError('DEVICE', 'The device connection is closed.');
  }

  async write(report: Uint8Array): Promise<void> {
    this.check();
    try {
      await withDeadline(this.device.write(Buffer.from(report)), this.writeTimeoutMs, () => new WardError('DEVICE_TIMEOUT', 'The device did not accept data in time.'));
    } catch (e) {
      throw mapTransferError(e);
    }
  }

  async sendFeatureReport(report: Uint8Array): Promise<void> {
    this.check();
    try {
      await withDeadline(this.device.sendFeatureReport(Buffer.from(report)), this.writeTimeoutMs, () => new WardError('DEVICE_TIMEOUT', 'The device did not accept a feature report in time.'));
    } catch (e) {
      throw mapTransferError(e);
    }
  }

  async read(timeoutMs: number): Promise<Uint8Array | null> {
    this.check();
    const ms = Math.max(1, Math.floor(timeoutMs));
    try {
      // The native read has its own timeout; the JS deadline only guards against a stuck worker.
      const data = await withDeadline(this.device.read(ms), ms + this.readGraceMs, () => new WardError('DEVICE_TIMEOUT', 'The device stopped responding.'));
      return toReport(data);
    } catch (e) {
      throw mapTransferError(e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.device.close();
    } catch {
      // Closing a device that is already gone is not an error worth reporting.
    }
  }
}

/** Creates the production HID backend. Nothing native is loaded until the first call. */
export function createNodeHidBackend(options: NodeHidBackendOptions = {}): HidBackend {
  const load = options.load ?? defaultLoad;
  const writeTimeoutMs = options.writeTimeoutMs ?? 2000;
  const readGraceMs = options.readGraceMs ?? 1000;
  let loaded: Promise<NodeHidModule> | undefined;

  const hid = (): Promise<NodeHidModule> => {
    loaded ??= load().then(
      (m) => {
        if (!m || typeof m.devicesAsync !== 'function' || typeof m.HIDAsync?.open !== 'function') throw mapLoadError(undefined);
        return m;
      },
      (e: unknown) => {
        throw mapLoadError(e);
      },
    );
    // A failed load is retried next time (the user may install the library meanwhile).
    loaded.catch(() => {
      loaded = undefined;
    });
    return loaded;
  };

  return {
    async enumerate(): Promise<HidDeviceInfo[]> {
      const m = await hid();
      let list: Awaited<ReturnType<NodeHidModule['devicesAsync']>>;
      try {
        list = await m.devicesAsync();
      } catch {
        throw new WardError('DEVICE', 'Listing USB devices failed.');
      }
      return list.map(toDeviceInfo).filter((d): d is HidDeviceInfo => d !== undefined);
    },
    async open(path: string): Promise<HidConnection> {
      const m = await hid();
      let device: NodeHidDevice;
      try {
        device = await m.HIDAsync.open(path);
      } catch (e) {
        throw mapOpenError(e);
      }
      return new NodeHidConnection(device, writeTimeoutMs, readGraceMs);
    },
  };
}
