/**
 * Bounded report I/O for the glucometer drivers: every read and write has a deadline, a cancel
 * check, and fails only with WardError. A timed-out read never stays pending (the HidConnection
 * contract resolves `null` on timeout), so a connection never has two reads waiting.
 */
import { WardError } from '../../common/errors';
import type { HidConnection, ReadOptions } from '../types';

export const DEFAULT_STEP_TIMEOUT_MS = 3000;
/** Upper bound for a caller-supplied step timeout (10 minutes). */
const MAX_STEP_TIMEOUT_MS = 600_000;

/** The per-step limits every exchange runs under. */
export interface Step {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Normalises caller options: default timeout, clamped to a sane positive range. */
export function stepFrom(options?: ReadOptions): Step {
  const t = options?.timeoutMs;
  const timeoutMs = typeof t === 'number' && Number.isFinite(t) && t > 0 ? Math.min(t, MAX_STEP_TIMEOUT_MS) : DEFAULT_STEP_TIMEOUT_MS;
  return { timeoutMs, signal: options?.signal };
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new WardError('DEVICE', 'The device transfer was cancelled.');
}

/** Anything a connection throws becomes a WardError; WardErrors (unplug, permission) pass through. */
export function asDeviceError(e: unknown): WardError {
  if (e instanceof WardError) return e;
  return new WardError('DEVICE', 'The device reported an input/output error.');
}

export function timeoutError(what: string, timeoutMs: number): WardError {
  return new WardError(
    'DEVICE_TIMEOUT',
    `The device did not answer (${what}) within ${timeoutMs} ms. Check that it is switched on and connected, then try again.`,
  );
}

/** Next input report, or null when none arrives within the step's timeout. */
export async function readReportOrNull(conn: HidConnection, step: Step): Promise<Uint8Array | null> {
  throwIfAborted(step.signal);
  let r: Uint8Array | null;
  try {
    r = await conn.read(step.timeoutMs);
  } catch (e) {
    throw asDeviceError(e);
  }
  throwIfAborted(step.signal);
  return r === null ? null : Uint8Array.from(r);
}

/** Next input report; silence is a DEVICE_TIMEOUT naming the step. */
export async function readReport(conn: HidConnection, step: Step, what: string): Promise<Uint8Array> {
  const r = await readReportOrNull(conn, step);
  if (r === null) throw timeoutError(what, step.timeoutMs);
  return r;
}

/** Writes an output report (`report[0]` is the report id) within the step's timeout. */
export async function writeReport(conn: HidConnection, report: Uint8Array, step: Step, what: string): Promise<void> {
  throwIfAborted(step.signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), step.timeoutMs);
  });
  try {
    const op = conn.write(report).then(() => 'done' as const);
    op.catch(() => undefined); // a late failure after the deadline is not unhandled
    const outcome = await Promise.race([op, deadline]);
    if (outcome === 'timeout') throw new WardError('DEVICE_TIMEOUT', `The device did not accept (${what}) within ${step.timeoutMs} ms.`);
  } catch (e) {
    throw asDeviceError(e);
  } finally {
    clearTimeout(timer);
  }
}

/** Discards input left over from an earlier exchange; stops at the first quiet period. */
export async function drainInput(conn: HidConnection, step: Step, quietMs = 5, maxReports = 256): Promise<void> {
  for (let i = 0; i < maxReports; i++) {
    const r = await readReportOrNull(conn, { timeoutMs: Math.min(quietMs, step.timeoutMs), signal: step.signal });
    if (r === null) return;
  }
}

/**
 * Runs a driver step so that only WardErrors escape: a bug tripped by odd device data is reported
 * as a protocol problem instead of an uncaught TypeError.
 */
export async function deviceStep<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof WardError) throw e;
    throw new WardError('PROTOCOL', 'The device sent data WardLedger could not interpret.');
  }
}

/** Runs exchanges one after another on a connection (a session's calls may overlap in the app). */
export class ExchangeQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
