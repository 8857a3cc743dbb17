/**
 * Device layer contracts. Layers, each testable alone with bytes:
 *   HidBackend (node-hid or the simulator bus) → HidConnection (one open device)
 *   → protocol framing (per family) → DeviceDriver (per model) → DeviceReading.
 * Simulators are product code (demo mode uses them) and implement the same HidBackend.
 * What a reading holds (measurements, flags) is part of the model: model/devices.ts.
 */
import type { Measurement, ReadingFlag, ReadingKind } from '../model/devices';

export type { Measurement, ReadingFlag, ReadingKind };

/** What enumeration reports about a plugged-in HID device. */
export interface HidDeviceInfo {
  /** Stable while plugged in; used to open the device. */
  path: string;
  vendorId: number;
  productId: number;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
}

/** One open HID device. All calls are async; reads take a timeout. */
export interface HidConnection {
  /** Write an output report. The first byte is the report id (0 when the device uses none). */
  write(report: Uint8Array): Promise<void>;
  /** Send a feature report. The first byte is the report id. */
  sendFeatureReport(report: Uint8Array): Promise<void>;
  /**
   * Read one input report, waiting at most `timeoutMs`.
   * Resolves `null` on timeout; rejects with WardError('DEVICE_UNPLUGGED') if the device went away.
   */
  read(timeoutMs: number): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/** Enumerates and opens devices: node-hid in production, the simulator bus in tests and demo mode. */
export interface HidBackend {
  enumerate(): Promise<HidDeviceInfo[]>;
  /** Rejects with WardError('DEVICE_PERMISSION') when present but not openable. */
  open(path: string): Promise<HidConnection>;
}

export type DeviceKind = 'glucometer' | 'oximeter' | 'blood-pressure';

export interface DeviceMatch {
  vendorId: number;
  productId: number;
  /** Where ids are shared by unrelated products, the product string must match too. */
  product?: RegExp;
}

/** Who the device says it is. Times are ISO-8601; deviceTime is the meter's clock read as local time. */
export interface DeviceIdentity {
  model: string;
  serial: string;
  firmware?: string;
  /** Device clock as reported (ISO local time without zone), absent when the clock is not set. */
  deviceTime?: string;
  /** Workstation time when deviceTime was read (ISO with Z). */
  workstationTime: string;
  /** deviceTime − workstationTime in seconds, when the clock is known. */
  clockDriftSeconds?: number;
  batteryPercent?: number;
}

export interface DeviceReading {
  /** Unique per device: with the device serial it deduplicates re-reads of a meter's memory. */
  deviceRecordId: string;
  kind: ReadingKind;
  measurements: Measurement[];
  /**
   * Device clock at measurement (ISO local time without zone), when the device stores one. A memory
   * reading without it was taken before the device's clock was set: its time is unknown.
   */
  deviceTime?: string;
  /** Workstation time when the reading was received (ISO with Z). */
  workstationTime: string;
  flags: ReadingFlag[];
  /** Which user's memory of a shared monitor the reading is from (BM58: user 1 or 2). */
  monitorUser?: 1 | 2;
  /**
   * Set when a stored record could not be read (damaged or impossible data): the reason, for the
   * nurse. Such an entry has no measurements; the readings before and after it are kept.
   */
  problem?: string;
}

export interface ReadOptions {
  /** Per-step timeout in milliseconds (every read and write has one). */
  timeoutMs?: number;
  /** Cancels the transfer; the driver ends it with a clear error. */
  signal?: AbortSignal;
}

/**
 * How a device gives its readings: 'memory', a download of what it stored (meters, BP monitors);
 * 'stream', live values about once a second (oximeters).
 */
export type ReadingMode = 'memory' | 'stream';

/** An open, identified device. It implements the method of its driver's ReadingMode. */
export interface DeviceSession {
  identify(options?: ReadOptions): Promise<DeviceIdentity>;
  /** Memory download (drivers that read 'memory'). */
  readMemory?(options?: ReadOptions): Promise<DeviceReading[]>;
  /** Live stream (drivers that read 'stream'). Calls onReading about once a second until stopped or unplugged. */
  stream?(onReading: (r: DeviceReading) => void, options?: ReadOptions & { onError?: (e: Error) => void }): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DeviceDriver {
  /** Stable id, e.g. 'abbott-freestyle-neo'. */
  id: string;
  /** Human model name shown in the devices panel. */
  model: string;
  kind: DeviceKind;
  /** What the device gives: its session implements readMemory ('memory') or stream ('stream'). */
  reads: ReadingMode;
  matches: DeviceMatch[];
  /** Set when the device is recognised but deliberately not supported (e.g. Libre 2). */
  unsupportedReason?: string;
  open(connection: HidConnection, info: HidDeviceInfo): Promise<DeviceSession>;
}
