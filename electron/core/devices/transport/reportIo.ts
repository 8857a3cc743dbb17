/**
 * Bounded report I/O for every driver: each read and write has a deadline, honours an
 * AbortSignal, and fails only with WardError.
 *
 * Two ways to read, for two kinds of protocol:
 * - `ReportChannel` (oximeters, blood-pressure monitors, which stream or answer in bursts): at
 *   most one backend read is outstanding per connection; a read abandoned by a deadline or a
 *   cancel is kept and handed to the next caller, so no report is lost and the backend never
 *   sees two waiting reads.
 * - `readReport`/`writeReport` on the connection (glucometers: strict request/response): a
 *   timed-out read never stays pending (the HidConnection contract resolves `null` on timeout).
 */
import { WardError } from '../../model/errors';
import type { HidConnection, ReadOptions } from '../types';

export const DEFAULT_STEP_TIMEOUT_MS = 2000;
/** Glucometers answer a memory dump command more slowly than the other devices. */
export const METER_STEP_TIMEOUT_MS = 3000;
/** Upper bound for a caller-supplied step timeout (10 minutes). */
const MAX_STEP_TIMEOUT_MS = 600_000;

export interface StepOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Normalises caller options: default timeout, clamped to a sane positive range. */
export function stepOptions(options?: ReadOptions, defaultTimeoutMs = DEFAULT_STEP_TIMEOUT_MS): StepOptions {
  const t = options?.timeoutMs;
  const timeoutMs = typeof t === 'number' && Number.isFinite(t) && t > 0 ? Math.min(t, MAX_STEP_TIMEOUT_MS) : defaultTimeoutMs;
  return { timeoutMs, signal: options?.signal };
}

const cancelErrors = new WeakSet<WardError>();

export function cancelledError(): WardError {
  const e = new WardError('DEVICE', 'The device transfer was cancelled.');
  cancelErrors.add(e);
  return e;
}

/** True for the error raised when a caller's AbortSignal fired. */
export function isCancelled(e: unknown): boolean {
  return e instanceof WardError && cancelErrors.has(e);
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw cancelledError();
}

export function timeoutError(what: string, timeoutMs: number): WardError {
  return new WardError('DEVICE_TIMEOUT', `The device did not answer (${what}) within ${timeoutMs} ms. Check that it is switched on and connected (and in transfer mode, if the model has one), then try again.`);
}

/** Anything a backend throws becomes a WardError (unplug keeps its own code and message). */
export function asDeviceError(e: unknown): WardError {
  if (e instanceof WardError) return e;
  return new WardError('DEVICE', 'The device reported an input/output error.');
}

type Settled<T> = { done: true; value: T } | { done: false };

/** Waits for `p` at most `ms`; rejects with the cancel error when `signal` fires. */
function settleWithin<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<Settled<T>> {
  return new Promise<Settled<T>>((resolve, reject) => {
    let finished = false;
    const finish = (): boolean => {
      if (finished) return false;
      finished = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(cancelledError());
    };
    const timer = setTimeout(() => {
      if (finish()) resolve({ done: false });
    }, Math.max(0, ms));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (value) => finish() && resolve({ done: true, value }),
      (e: unknown) => finish() && reject(asDeviceError(e)),
    );
  });
}

/** One open device seen as a stream of input reports plus bounded writes. */
export class ReportChannel {
  private pending: Promise<Uint8Array | null> | null = null;

  constructor(private readonly connection: HidConnection) {}

  /** Next input report, or null when none arrives before the deadline. */
  async readOrNull(options: StepOptions): Promise<Uint8Array | null> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      throwIfAborted(options.signal);
      const remaining = deadline - Date.now();
      if (remaining <= 0) return null;
      if (!this.pending) {
        const p = this.backendRead(remaining);
        p.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
        this.pending = p;
      }
      const current = this.pending;
      let settled: Settled<Uint8Array | null>;
      try {
        settled = await settleWithin(current, remaining, options.signal);
      } catch (e) {
        // A failed backend read is consumed; a cancel leaves it for the next caller.
        if (!isCancelled(e)) this.pending = null;
        throw e;
      }
      if (!settled.done) return null;
      this.pending = null;
      if (settled.value !== null) return settled.value;
      // The backend read was started earlier with less time: wait again for what is left.
    }
  }

  /** Next input report; a missing one is a DEVICE_TIMEOUT naming the step. */
  async read(options: StepOptions, what: string): Promise<Uint8Array> {
    const r = await this.readOrNull(options);
    if (r === null) throw timeoutError(what, options.timeoutMs);
    return r;
  }

  /** Writes an output report with report id 0 (the id is not part of `payload`). */
  async writeOutput(payload: Uint8Array, options: StepOptions, what: string): Promise<void> {
    const report = new Uint8Array(payload.length + 1);
    report.set(payload, 1);
    await this.bounded(() => this.connection.write(report), options, what);
  }

  /** Writes `report` as given: its first byte is what the HID layer takes as the report id. */
  async write(report: Uint8Array, options: StepOptions, what: string): Promise<void> {
    await this.bounded(() => this.connection.write(Uint8Array.from(report)), options, what);
  }

  /** Sends a feature report; `report` starts with its report id. */
  async sendFeature(report: Uint8Array, options: StepOptions, what: string): Promise<void> {
    await this.bounded(() => this.connection.sendFeatureReport(report), options, what);
  }

  /** Discards input left over from a failed exchange (stops at the first quiet period). */
  async drain(options: StepOptions, quietMs = 25, maxReports = 512): Promise<void> {
    for (let i = 0; i < maxReports; i++) {
      const r = await this.readOrNull({ timeoutMs: Math.min(quietMs, options.timeoutMs), signal: options.signal });
      if (r === null) return;
    }
  }

  private backendRead(timeoutMs: number): Promise<Uint8Array | null> {
    try {
      return this.connection.read(timeoutMs).then(
        (r) => (r === null ? null : Uint8Array.from(r)),
        (e: unknown) => Promise.reject(asDeviceError(e)),
      );
    } catch (e) {
      return Promise.reject(asDeviceError(e));
    }
  }

  private async bounded(op: () => Promise<void>, options: StepOptions, what: string): Promise<void> {
    throwIfAborted(options.signal);
    let p: Promise<void>;
    try {
      p = op();
    } catch (e) {
      throw asDeviceError(e);
    }
    p.catch(() => undefined);
    const settled = await settleWithin(p, options.timeoutMs, options.signal);
    if (!settled.done) throw new WardError('DEVICE_TIMEOUT', `The device did not accept (${what}) within ${options.timeoutMs} ms.`);
  }
}

/** Fixed-size report: `bytes` then `fill` up to `size` (longer input is a programming error). */
export function padReport(bytes: ArrayLike<number>, size: number, fill = 0): Uint8Array {
  if (bytes.length > size) throw new WardError('INTERNAL', 'A device command is longer than its report.');
  const out = new Uint8Array(size).fill(fill);
  out.set(Array.from(bytes), 0);
  return out;
}

/**
 * Runs `task` so that only WardErrors escape: a bug tripped by odd device data surfaces as a
 * protocol problem, never as a raw TypeError.
 */
export async function wardErrorsOnly<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (e) {
    if (e instanceof WardError) throw e;
    throw new WardError('PROTOCOL', 'The device sent data WardLedger could not interpret.');
  }
}

/** Runs a session's exchanges one after another (the app may call identify and readMemory together). */
export class ExchangeSerializer {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const guarded = (): Promise<T> => wardErrorsOnly(task);
    const result = this.tail.then(guarded, guarded);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

// ------------------------------------------------ request/response on the connection (glucometers)

/** Next input report, or null when none arrives within the step's timeout. */
export async function readReportOrNull(conn: HidConnection, step: StepOptions): Promise<Uint8Array | null> {
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
export async function readReport(conn: HidConnection, step: StepOptions, what: string): Promise<Uint8Array> {
  const r = await readReportOrNull(conn, step);
  if (r === null) throw timeoutError(what, step.timeoutMs);
  return r;
}

/** Writes an output report (`report[0]` is the report id) within the step's timeout. */
export async function writeReport(conn: HidConnection, report: Uint8Array, step: StepOptions, what: string): Promise<void> {
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
export async function drainInput(conn: HidConnection, step: StepOptions, quietMs = 5, maxReports = 256): Promise<void> {
  for (let i = 0; i < maxReports; i++) {
    const r = await readReportOrNull(conn, { timeoutMs: Math.min(quietMs, step.timeoutMs), signal: step.signal });
    if (r === null) return;
  }
}
