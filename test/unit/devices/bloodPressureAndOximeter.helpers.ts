/** Shared helpers for the oximeter and blood-pressure driver tests (real simulated bus, no mocks). */
import { expect } from 'vitest';
import { WardError, type WardErrorCode } from '../../../electron/core/model/errors';
import { setLogLevel } from '../../../electron/core/platform/log';
import { SimulatedHidBus, type SimulatedDevice, type TransportFaults } from '../../../electron/core/devices/simulators/bus';
import type { DeviceDriver, DeviceReading, DeviceSession, HidConnection, HidDeviceInfo } from '../../../electron/core/devices/types';

// Fault tests log expected warnings; keep the test output readable.
setLogLevel('error');

export interface Opened {
  bus: SimulatedHidBus;
  path: string;
  info: HidDeviceInfo;
  connection: HidConnection;
  session: DeviceSession;
}

/** Plugs `device` into a (new or given) bus, checks the driver matches it, opens a session. */
export async function openOnBus(driver: DeviceDriver, device: SimulatedDevice, faults?: TransportFaults, bus = new SimulatedHidBus()): Promise<Opened> {
  const path = bus.plug(device, { faults });
  const info = (await bus.enumerate()).find((d) => d.path === path)!;
  expect(
    driver.matches.some((m) => m.vendorId === info.vendorId && m.productId === info.productId && (!m.product || m.product.test(info.product ?? ''))),
  ).toBe(true);
  const connection = await bus.open(path);
  const session = await driver.open(connection, info);
  return { bus, path, info, connection, session };
}

/** Awaits `p` and returns its WardError, checking code and (optionally) message. */
export async function wardError(p: Promise<unknown>, code: WardErrorCode, message?: RegExp): Promise<WardError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected the call to fail').toBeInstanceOf(WardError);
  const e = caught as WardError;
  expect(e.code).toBe(code);
  if (message) expect(e.message).toMatch(message);
  return e;
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Collected {
  readings: DeviceReading[];
  errors: Error[];
  stop: () => Promise<void>;
}

/** Starts a stream collecting readings and errors. */
export async function collectStream(session: DeviceSession, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Collected> {
  const readings: DeviceReading[] = [];
  const errors: Error[] = [];
  const stop = await session.stream!((r) => readings.push(r), { ...options, onError: (e) => errors.push(e) });
  return { readings, errors, stop };
}

export const valuesOf = (r: DeviceReading): Record<number, number> => Object.fromEntries(r.measurements.map((m) => [m.mdc, m.value]));
