/** Fuzz helpers: devices that send arbitrary or mutated reports through the real simulated bus. */
import fc from 'fast-check';
import { expect } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import type { SimulatedDevice } from '../../../electron/core/devices/simulators/bus';

/** Runs `fn`; it must finish within `limitMs` and fail only with a WardError. Returns the error, if any. */
export async function onlyWardErrors<T>(fn: () => Promise<T>, limitMs = 5000): Promise<{ value?: T; error?: WardError }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung for more than ${limitMs} ms`)), limitMs);
  });
  try {
    const value = await Promise.race([fn(), guard]);
    return { value };
  } catch (e) {
    if (e instanceof WardError) return { error: e };
    throw e; // anything else (a TypeError, a hang) fails the property
  } finally {
    clearTimeout(timer);
  }
}

/** Synchronous variant for pure parsers. */
export function parsesOrWardError<T>(fn: () => T): T | WardError {
  try {
    return fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    return e as WardError;
  }
}

export const bytesArb = (maxLength: number) => fc.uint8Array({ minLength: 0, maxLength });

export interface Mutation {
  /** Which emitted report (0-based) to damage. */
  report: number;
  /** Byte position (mod report length). */
  index: number;
  value: number;
  /** Also cut the report to this length (mod length + 1), when set. */
  cut?: number;
}

export const mutationsArb = (maxReport: number) =>
  fc.array(
    fc.record({
      report: fc.nat({ max: maxReport }),
      index: fc.nat({ max: 63 }),
      value: fc.nat({ max: 255 }),
      cut: fc.option(fc.nat({ max: 64 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 4 },
  );

/** Wraps a simulator so that chosen reports it sends are damaged on the way to the host. */
export function mutating(device: SimulatedDevice, mutations: Mutation[]): SimulatedDevice {
  let sent = 0;
  const damage = (emit: (r: Uint8Array) => void) => (r: Uint8Array) => {
    let out = Uint8Array.from(r);
    for (const m of mutations) {
      if (m.report !== sent || out.length === 0) continue;
      out[m.index % out.length] = m.value;
      if (m.cut !== undefined) out = out.slice(0, m.cut % (out.length + 1));
    }
    sent++;
    emit(out);
  };
  return {
    info: device.info,
    onHostReport: (report, kind, emit) => device.onHostReport(report, kind, damage(emit)),
    onOpen: device.onOpen ? (emit) => device.onOpen!(damage(emit)) : undefined,
    onClose: device.onClose ? () => device.onClose!() : undefined,
  };
}

/** A device that answers every host report (and the open) with the next reports of a script. */
export function scripted(info: SimulatedDevice['info'], script: Uint8Array[][]): SimulatedDevice {
  let next = 0;
  const play = (emit: (r: Uint8Array) => void): void => {
    const batch = script[next++];
    if (batch) for (const r of batch) emit(r);
  };
  return { info, onOpen: play, onHostReport: (_r, _k, emit) => play(emit) };
}

export const scriptArb = (reportLength: fc.Arbitrary<number>) =>
  fc.array(
    fc.array(
      reportLength.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
      { maxLength: 4 },
    ),
    { maxLength: 12 },
  );
