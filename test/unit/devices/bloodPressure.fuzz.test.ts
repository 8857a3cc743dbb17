import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { countPrefixedPayload } from '../../../electron/core/devices/protocols/countPrefixed';
import { parseOmronCount, parseOmronRecord, parseOmronSerial, parseOmronVersion, readOmronReply } from '../../../electron/core/devices/protocols/omronCommands';
import { ReportChannel } from '../../../electron/core/devices/transport/reportIo';
import { bm58Driver, parseBm58Count, parseBm58DeviceId, parseBm58Record } from '../../../electron/core/devices/drivers/beurerBm58';
import { microlifeB3Driver, microlifeChecksum, parseMicrolifeReply, readMicrolifeReply } from '../../../electron/core/devices/drivers/microlifeB3';
import { omron790Driver } from '../../../electron/core/devices/drivers/omron790';
import { createOmron790Simulator } from '../../../electron/core/devices/simulators/omron790';
import { createBm58Simulator } from '../../../electron/core/devices/simulators/beurerBm58';
import { createMicrolifeSimulator } from '../../../electron/core/devices/simulators/microlifeB3';
import { SimulatedHidBus, type SimulatedDevice } from '../../../electron/core/devices/simulators/bus';
import type { DeviceDriver, DeviceReading } from '../../../electron/core/devices/types';
import { openOnBus } from './bloodPressureAndOximeter.helpers';
import { bytesArb, mutating, mutationsArb, onlyWardErrors, parsesOrWardError, scripted, scriptArb } from './bloodPressureAndOximeter.fuzz';

const RUNS = 300;
const DRIVER_RUNS = 40;

const editsArb = fc.array(fc.tuple(fc.nat({ max: 600 }), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 });
const cutArb = fc.option(fc.nat({ max: 600 }), { nil: null });
function mutate(base: Uint8Array, edits: Array<[number, number]>, cut: number | null): Uint8Array {
  const out = Uint8Array.from(base);
  for (const [i, v] of edits) out[i % out.length] = v;
  return cut === null ? out : out.slice(0, cut % (out.length + 1));
}

const OMRON_RECORD = Uint8Array.from([0x4f, 0x4b, 0x00, 0x07, 0x01, 0x03, 0x00, 0x06, 0x33, 0x00, 0x00, 0x70, 0x4b, 0x47, 0x00, 0x00, 0x4c]);
const MICROLIFE_REPLY = (() => {
  const body = new Array<number>(42).fill(0);
  body[0] = 0x4d;
  body[1] = 0x3a;
  body[7] = 2;
  body.push(128, 82, 71, 24, 3, 14, 9, 30, 0x80, 0, 141, 90, 88, 24, 3, 14, 20, 5, 0xc0, 0);
  return Uint8Array.from([...body, microlifeChecksum(body)]);
})();

/** Every reading a BP driver returns is well formed; a record it could not read says why and carries no values. */
function checkReading(r: DeviceReading): void {
  expect(r.kind).toBe('blood-pressure');
  if (r.problem !== undefined) {
    expect(r.problem.length).toBeGreaterThan(0);
    expect(r.measurements).toEqual([]);
    return;
  }
  expect(r.measurements.map((m) => m.mdc)).toEqual([150021, 150022, 149546]);
  for (const m of r.measurements) expect(Number.isInteger(m.value) && m.value >= 0 && m.value <= 280).toBe(true);
  // A reading without a device time was taken before the monitor's clock was set (time unknown).
  if (r.deviceTime === undefined) return;
  expect(r.deviceTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  expect(Number.isNaN(Date.parse(r.deviceTime))).toBe(false);
}

async function channelFor(reports: Uint8Array[]): Promise<ReportChannel> {
  const bus = new SimulatedHidBus();
  const device: SimulatedDevice = { info: { vendorId: 1, productId: 1 }, onHostReport: () => undefined, onOpen: (emit) => reports.forEach((r) => emit(r)) };
  return new ReportChannel(await bus.open(bus.plug(device)));
}

describe('blood-pressure parsers never throw anything but WardError', () => {
  it('Omron reply parsers: random and mutated replies', () => {
    fc.assert(
      fc.property(bytesArb(24), editsArb, cutArb, (bytes, edits, cut) => {
        for (const parse of [parseOmronRecord, parseOmronVersion, parseOmronSerial, parseOmronCount]) parsesOrWardError(() => parse(bytes));
        const r = parsesOrWardError(() => parseOmronRecord(mutate(OMRON_RECORD, edits, cut)));
        if (!(r instanceof WardError)) expect(r.time).toMatch(/^\d{4}-/);
      }),
      { numRuns: RUNS },
    );
  });

  it('count-prefixed reports with any count byte', () => {
    fc.assert(
      fc.property(bytesArb(10), fc.constantFrom(0xff, 0x0f), (bytes, mask) => {
        const r = parsesOrWardError(() => countPrefixedPayload(bytes, mask, 'monitor'));
        // Count 8 in an 8-byte report reads as the 7 bytes after it (HEM-790IT clearing report).
        const claimed = bytes[0] & mask;
        if (!(r instanceof WardError)) expect(r.length).toBe(claimed === 8 && bytes.length === 8 ? 7 : claimed);
      }),
      { numRuns: RUNS },
    );
  });

  it('BM58 replies', () => {
    fc.assert(
      fc.property(bytesArb(10), fc.array(bytesArb(10), { maxLength: 6 }), (bytes, replies) => {
        parsesOrWardError(() => parseBm58Record(bytes));
        parsesOrWardError(() => parseBm58Count(bytes));
        parsesOrWardError(() => parseBm58DeviceId(replies));
      }),
      { numRuns: RUNS },
    );
  });

  it('Microlife replies: random and mutated (a mutation never passes as a different valid reply unnoticed)', () => {
    fc.assert(
      fc.property(bytesArb(80), editsArb, cutArb, (bytes, edits, cut) => {
        parsesOrWardError(() => parseMicrolifeReply(bytes));
        const damaged = mutate(MICROLIFE_REPLY, edits, cut);
        const r = parsesOrWardError(() => parseMicrolifeReply(damaged));
        const single = edits.length === 1 && cut === null && damaged[edits[0][0] % damaged.length] !== MICROLIFE_REPLY[edits[0][0] % damaged.length];
        if (single) expect(r).toBeInstanceOf(WardError); // any one changed byte breaks the sum
      }),
      { numRuns: RUNS },
    );
  });

  it('Omron and Microlife reply readers on arbitrary report sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bytesArb(9), { maxLength: 10 }), async (reports) => {
        await onlyWardErrors(async () => readOmronReply(await channelFor(reports), { timeoutMs: 10 }, 17, 'record'));
        await onlyWardErrors(async () => readMicrolifeReply(await channelFor(reports), { timeoutMs: 10 }));
      }),
      { numRuns: 100 },
    );
  });
});

const DRIVERS: Array<[string, DeviceDriver, () => SimulatedDevice, SimulatedDevice['info']]> = [
  ['Omron', omron790Driver, () => createOmron790Simulator(), { vendorId: 0x0590, productId: 0x0028 }],
  ['BM58', bm58Driver, () => createBm58Simulator(), { vendorId: 0x0c45, productId: 0x7406 }],
  ['Microlife', microlifeB3Driver, () => createMicrolifeSimulator(), { vendorId: 0x04d9, productId: 0xb554 }],
];

async function downloadOnlyWardErrors(driver: DeviceDriver, device: SimulatedDevice): Promise<void> {
  const { session } = await openOnBus(driver, device);
  await onlyWardErrors(() => session.identify({ timeoutMs: 20 }));
  const result = await onlyWardErrors(() => session.readMemory!({ timeoutMs: 20 }));
  result.value?.forEach(checkReading);
  await session.close();
}

describe.each(DRIVERS)('%s driver on arbitrary or damaged device output', (_name, driver, makeSim, info) => {
  it('damaged simulator reports: only WardErrors, no hang, only well-formed readings', async () => {
    await fc.assert(
      fc.asyncProperty(mutationsArb(30), async (mutations) => downloadOnlyWardErrors(driver, mutating(makeSim(), mutations))),
      { numRuns: DRIVER_RUNS },
    );
  });

  it('a device answering with arbitrary reports', async () => {
    await fc.assert(
      fc.asyncProperty(scriptArb(fc.constantFrom(8, 8, 8, 4, 0, 9)), async (script) => downloadOnlyWardErrors(driver, scripted(info, script))),
      { numRuns: DRIVER_RUNS },
    );
  });
});
