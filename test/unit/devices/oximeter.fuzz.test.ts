import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { liveVitals, parseLiveItem } from '../../../electron/core/devices/protocols/contecLive';
import { cms50eDriver, parseCms50eReport } from '../../../electron/core/devices/drivers/cms50e';
import { parsePo80Report, po80Driver } from '../../../electron/core/devices/drivers/beurerPo80';
import { createCms50eSimulator } from '../../../electron/core/devices/simulators/cms50e';
import { createPo80Simulator } from '../../../electron/core/devices/simulators/beurerPo80';
import type { DeviceReading } from '../../../electron/core/devices/types';
import { openOnBus } from './bloodPressureAndOximeter.helpers';
import { bytesArb, mutating, mutationsArb, onlyWardErrors, parsesOrWardError, scripted, scriptArb } from './bloodPressureAndOximeter.fuzz';

const RUNS = 300;
const DRIVER_RUNS = 40;

const VALID_CMS50E = Uint8Array.from([0xeb, 0, 0, 40, 0, 0, 0xeb, 0, 0, 41, 0, 0, 0xeb, 1, 0, 72, 97, 0]);
const VALID_PO80 = (() => {
  const r = new Uint8Array(64);
  r.set([0xeb, 0x01, 0x00, 72, 97]);
  return r;
})();

function mutate(base: Uint8Array, edits: Array<[number, number]>, cut: number | null): Uint8Array {
  const out = Uint8Array.from(base);
  for (const [i, v] of edits) out[i % out.length] = v;
  return cut === null ? out : out.slice(0, cut % (out.length + 1));
}
const editsArb = fc.array(fc.tuple(fc.nat({ max: 63 }), fc.nat({ max: 255 })), { maxLength: 4 });
const cutArb = fc.option(fc.nat({ max: 64 }), { nil: null });

/** Every reading a driver emits is well formed: only valid values survive. */
function checkReading(r: DeviceReading): void {
  expect(r.kind).toBe('spo2-pulse');
  for (const m of r.measurements) {
    expect(Number.isInteger(m.value)).toBe(true);
    expect(m.value).toBeGreaterThan(0);
    expect(m.value).toBeLessThan(127);
  }
  if (r.measurements.length < 2) expect(r.flags.length).toBeGreaterThan(0);
}

describe('oximeter parsers never throw anything but WardError', () => {
  it('CMS50E reports: random bytes', () => {
    fc.assert(
      fc.property(bytesArb(64), (bytes) => {
        const r = parsesOrWardError(() => parseCms50eReport(bytes));
        if (!(r instanceof WardError)) for (const item of r) if (item.type === 'vitals') liveVitals(item);
      }),
      { numRuns: RUNS },
    );
  });

  it('CMS50E reports: mutated valid reports', () => {
    fc.assert(
      fc.property(editsArb, cutArb, (edits, cut) => {
        const r = parsesOrWardError(() => parseCms50eReport(mutate(VALID_CMS50E, edits, cut)));
        if (r instanceof WardError) expect(r.code).toBe('PROTOCOL');
      }),
      { numRuns: RUNS },
    );
  });

  it('PO 80 reports: random and mutated', () => {
    fc.assert(
      fc.property(bytesArb(70), editsArb, cutArb, (bytes, edits, cut) => {
        parsesOrWardError(() => parsePo80Report(bytes));
        const r = parsesOrWardError(() => parsePo80Report(mutate(VALID_PO80, edits, cut)));
        if (r instanceof WardError) expect(r.code).toBe('PROTOCOL');
      }),
      { numRuns: RUNS },
    );
  });

  it('live items at any offset', () => {
    fc.assert(
      fc.property(bytesArb(12), fc.integer({ min: -2, max: 14 }), (bytes, offset) => {
        const r = parsesOrWardError(() => parseLiveItem(bytes, offset, 'item'));
        if (!(r instanceof WardError) && r.type === 'vitals') {
          const v = liveVitals(r);
          expect(v.measurements.length + (v.flags.length > 0 ? 1 : 0)).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('oximeter drivers on arbitrary or damaged device output', () => {
  it('CMS50E identify and stream: only WardErrors, no hang, only valid readings', async () => {
    await fc.assert(
      fc.asyncProperty(mutationsArb(8), async (mutations) => {
        const sim = createCms50eSimulator({ intervalMs: 4, reportsPerInterval: 2, samples: [{ pulse: 70, spo2: 98 }, { fingerOut: true }] });
        try {
          const { session } = await openOnBus(cms50eDriver, mutating(sim, mutations));
          await onlyWardErrors(() => session.identify({ timeoutMs: 50 }));
          const readings: DeviceReading[] = [];
          const errors: Error[] = [];
          const started = await onlyWardErrors(() => session.stream!((r) => readings.push(r), { timeoutMs: 50, onError: (e) => errors.push(e) }));
          await new Promise((r) => setTimeout(r, 30));
          if (started.value) await onlyWardErrors(() => started.value!());
          readings.forEach(checkReading);
          for (const e of errors) expect(e).toBeInstanceOf(WardError);
          await session.close();
        } finally {
          sim.stop();
        }
      }),
      { numRuns: DRIVER_RUNS },
    );
  });

  it('PO 80 identify and stream against a device sending arbitrary reports', async () => {
    await fc.assert(
      fc.asyncProperty(scriptArb(fc.constantFrom(64, 64, 64, 5, 0, 65)), async (script) => {
        const device = scripted({ vendorId: 0x28e9, productId: 0x028a, product: 'Pulse Oximeter' }, script);
        const { session } = await openOnBus(po80Driver, device);
        await onlyWardErrors(() => session.identify({ timeoutMs: 30 }));
        const readings: DeviceReading[] = [];
        const errors: Error[] = [];
        const started = await onlyWardErrors(() => session.stream!((r) => readings.push(r), { timeoutMs: 30, onError: (e) => errors.push(e) }));
        await new Promise((r) => setTimeout(r, 40));
        if (started.value) await onlyWardErrors(() => started.value!());
        readings.forEach(checkReading);
        for (const e of errors) expect(e).toBeInstanceOf(WardError);
        await session.close();
      }),
      { numRuns: DRIVER_RUNS },
    );
  });

  it('PO 80 against its own simulator with damaged reports', async () => {
    await fc.assert(
      fc.asyncProperty(mutationsArb(6), async (mutations) => {
        const sim = createPo80Simulator({ intervalMs: 4 });
        try {
          const { session } = await openOnBus(po80Driver, mutating(sim, mutations));
          const id = await onlyWardErrors(() => session.identify({ timeoutMs: 50 }));
          if (id.value) expect(id.value.model).toMatch(/^Beurer [ -~]+$/);
          const readings: DeviceReading[] = [];
          const started = await onlyWardErrors(() => session.stream!((r) => readings.push(r), { timeoutMs: 50 }));
          await new Promise((r) => setTimeout(r, 30));
          if (started.value) await onlyWardErrors(() => started.value!());
          readings.forEach(checkReading);
          await session.close();
        } finally {
          sim.stop();
        }
      }),
      { numRuns: DRIVER_RUNS },
    );
  });
});
