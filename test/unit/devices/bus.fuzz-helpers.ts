/**
 * Shared pieces of the device fuzz tests: a wrapper that mutates what a real simulator sends, and
 * assertions that a failure is always a WardError and that nothing hangs.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import type { SimulatedDevice } from '../../../electron/core/devices/simulators/bus';

export type Mutation =
  | { op: 'flip'; index: number; at: number; bit: number }
  | { op: 'set'; index: number; at: number; value: number }
  | { op: 'truncate'; index: number; length: number }
  | { op: 'drop'; index: number }
  | { op: 'duplicate'; index: number }
  | { op: 'random'; index: number; bytes: number[] };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), index: fc.nat(40), at: fc.nat(63), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('set' as const), index: fc.nat(40), at: fc.nat(63), value: fc.nat(255) }),
  fc.record({ op: fc.constant('truncate' as const), index: fc.nat(40), length: fc.nat(64) }),
  fc.record({ op: fc.constant('drop' as const), index: fc.nat(40) }),
  fc.record({ op: fc.constant('duplicate' as const), index: fc.nat(40) }),
  fc.record({ op: fc.constant('random' as const), index: fc.nat(40), bytes: fc.array(fc.nat(255), { maxLength: 64 }) }),
);

/** Passes a simulator's input reports through, applying each mutation to the report with its index. */
export function mutating(inner: SimulatedDevice, mutations: readonly Mutation[]): SimulatedDevice {
  let n = 0;
  const wrap = (emit: (r: Uint8Array) => void) => (report: Uint8Array) => {
    const index = n++;
    let out: Uint8Array | null = Uint8Array.from(report);
    let copies = 1;
    for (const m of mutations) {
      if (m.index !== index || out === null) continue;
      if (m.op === 'flip' && m.at < out.length) out[m.at] ^= 1 << m.bit;
      else if (m.op === 'set' && m.at < out.length) out[m.at] = m.value;
      else if (m.op === 'truncate') out = out.slice(0, m.length);
      else if (m.op === 'drop') out = null;
      else if (m.op === 'duplicate') copies = 2;
      else if (m.op === 'random') out = Uint8Array.from(m.bytes);
    }
    if (out) for (let i = 0; i < copies; i++) emit(out);
  };
  return {
    info: inner.info,
    onHostReport: (report, kind, emit) => inner.onHostReport(report, kind, wrap(emit)),
    onOpen: inner.onOpen ? (emit) => inner.onOpen!(wrap(emit)) : undefined,
    onClose: inner.onClose ? () => inner.onClose!() : undefined,
  };
}

/** Runs `fn`; anything thrown must be a WardError. Returns the error or undefined. */
export function onlyWardError(fn: () => unknown): WardError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    return e as WardError;
  }
}

/** Awaits `p` with a hard limit: a rejection must be a WardError, and it must settle in `ms`. */
export async function settlesWithWardError<T>(p: Promise<T>, ms: number): Promise<T | WardError> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), ms);
  });
  try {
    const r = await Promise.race([p.then((v) => ({ v }), (e: unknown) => ({ e })), hang]);
    expect(r).not.toBe('hang');
    if (r !== 'hang' && 'e' in r) {
      expect(r.e).toBeInstanceOf(WardError);
      return r.e as WardError;
    }
    return (r as { v: T }).v;
  } finally {
    clearTimeout(timer);
  }
}
