import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { contourDriver } from '../../../electron/core/devices/drivers/contour';
import { ASTM } from '../../../electron/core/devices/protocols/astm';
import { matchDriver } from '../../../electron/core/devices/registry';
import { SimulatedHidBus, type TransportFaults } from '../../../electron/core/devices/simulators/bus';
import { ContourSimulator, type ContourSimOptions } from '../../../electron/core/devices/simulators/contour';
import type { DeviceSession } from '../../../electron/core/devices/types';

const FAST = { timeoutMs: 150 };

const readings: NonNullable<ContourSimOptions['readings']> = [
  { value: 133, time: '2024-02-05T20:34:00', flags: ['B'] },
  { value: 600, time: '2024-02-06T07:00:00', flags: ['>'] },
  { value: 10, time: '2024-02-06T08:00:00', flags: ['<'] },
  { value: 101, time: '2024-02-06T09:00:00', flags: ['C'] },
  { value: 145, time: '2024-02-06T12:30:00', flags: ['A', 'D'] },
];

async function openSession(bus: SimulatedHidBus, path: string): Promise<DeviceSession> {
  const info = (await bus.enumerate()).find((d) => d.path === path)!;
  expect(matchDriver(info)).toBe(contourDriver);
  return contourDriver.open(await bus.open(path), info);
}

async function caught(p: Promise<unknown>): Promise<WardError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    return e as WardError;
  }
  throw new Error('expected a rejection');
}

const summary = (rs: Awaited<ReturnType<NonNullable<DeviceSession['readMemory']>>>) =>
  rs.map((r) => [r.measurements[0].value, r.measurements[0].unit, r.flags, r.deviceTime]);

const expected = [
  [133, 'mg/dL', ['before-meal'], '2024-02-05T20:34:00'],
  [600, 'mg/dL', ['above-range'], '2024-02-06T07:00:00'],
  [10, 'mg/dL', ['below-range'], '2024-02-06T08:00:00'],
  [101, 'mg/dL', ['control-solution'], '2024-02-06T09:00:00'],
  [145, 'mg/dL', ['after-meal'], '2024-02-06T12:30:00'],
];

describe('Contour session', () => {
  it('identifies the meter from its header record', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(new ContourSimulator({ productId: 0x7800, serial: '7800-1234567', versions: ['02.10', '01.00', '10.01.01'], clockDriftSeconds: 300, readings }));
    const session = await openSession(bus, path);
    const id = await session.identify(FAST);
    expect(id).toMatchObject({ model: 'Contour Next One / Plus One', serial: '7800-1234567', firmware: '02.10 / 01.00 / 10.01.01' });
    expect(Math.abs(id.clockDriftSeconds! - 300)).toBeLessThanOrEqual(61);
    expect(id.deviceTime).toMatch(/:00$/);
  });

  it('downloads every reading with flags, acknowledging each frame', async () => {
    const bus = new SimulatedHidBus();
    const sim = new ContourSimulator({ readings, rawRecords: ['R|6|^^^Insulin|4|^||||202402061300'] });
    const path = bus.plug(sim);
    const session = await openSession(bus, path);
    expect(summary(await session.readMemory!(FAST))).toEqual(expected);
    // EOT to wake it, ACK for its ENQ, then one ACK per frame (H, P, 5 R, insulin R, L) and nothing else.
    expect(sim.hostControls).toEqual([ASTM.EOT, ASTM.ACK, ...new Array(9).fill(ASTM.ACK)]);
    expect(sim.framesSent).toBe(9);
    // identify() afterwards reuses the same upload instead of a second transfer.
    await session.identify(FAST);
    expect(sim.hostControls.filter((b) => b === ASTM.EOT)).toHaveLength(1);
  });

  it('reads mmol/L meters with the moles LOINC code', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(new ContourSimulator({ unit: 'mmol/L', readings: [{ value: 7.4, time: '2024-03-01T08:15:00' }] }));
    const [r] = await (await openSession(bus, path)).readMemory!(FAST);
    expect(r.measurements).toEqual([{ mdc: 160184, loinc: '14743-9', unit: 'mmol/L', value: 7.4 }]);
  });

  it('NAKs a frame with a bad checksum and takes the resent frame', async () => {
    const bus = new SimulatedHidBus();
    const sim = new ContourSimulator({ readings, corruptFrameOnce: true });
    const path = bus.plug(sim);
    expect(summary(await (await openSession(bus, path)).readMemory!(FAST))).toEqual(expected);
    expect(sim.hostControls.filter((b) => b === ASTM.NAK)).toHaveLength(1);
    expect(sim.hostControls.indexOf(ASTM.NAK)).toBe(4); // EOT, ACK(ENQ), ACK(H), ACK(P), NAK(first R)
    expect(sim.framesSent).toBe(9);
  });

  it('recovers when the header frame itself is damaged once', async () => {
    const bus = new SimulatedHidBus();
    const sim = new ContourSimulator({ readings, corruptFrameOnce: 0 });
    const path = bus.plug(sim);
    const session = await openSession(bus, path);
    expect((await session.identify(FAST)).serial).toBe('7390-2336773');
    expect(sim.hostControls.slice(0, 4)).toEqual([ASTM.EOT, ASTM.ACK, ASTM.NAK, ASTM.ACK]);
  });

  it('joins records split over ETB frames and frame numbers that wrap past 7', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ value: 100 + i, time: `2024-04-01T${String(i).padStart(2, '0')}:00:00` }));
    const bus = new SimulatedHidBus();
    const path = bus.plug(new ContourSimulator({ readings: many, maxFrameText: 17 }));
    const rs = await (await openSession(bus, path)).readMemory!(FAST);
    expect(rs.map((r) => r.measurements[0].value)).toEqual(many.map((m) => m.value));
  });

  it('reads a meter with an empty memory', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(new ContourSimulator({ readings: [] }));
    expect(await (await openSession(bus, path)).readMemory!(FAST)).toEqual([]);
  });
});

describe('Contour faults', () => {
  it('silence gives DEVICE_TIMEOUT and the bus stays usable', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(new ContourSimulator({ readings }), { faults: { silentAfter: 3 } });
    const err = await caught((await openSession(bus, path)).readMemory!(FAST));
    expect(err.code).toBe('DEVICE_TIMEOUT');
    bus.setFaults(path, {});
    expect(summary(await (await openSession(bus, path)).readMemory!(FAST))).toEqual(expected);
  });

  it('unplug mid-transfer gives DEVICE_UNPLUGGED and the device leaves the bus', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(new ContourSimulator({ readings }), { faults: { unplugAfter: 4 } });
    const other = bus.plug(new ContourSimulator({ readings }));
    const err = await caught((await openSession(bus, path)).readMemory!(FAST));
    expect(err.code).toBe('DEVICE_UNPLUGGED');
    expect((await bus.enumerate()).map((d) => d.path)).toEqual([other]);
    expect(summary(await (await openSession(bus, other)).readMemory!(FAST))).toEqual(expected);
  });

  const recoverable: Array<[string, TransportFaults]> = [
    ['truncated reports', { truncateEvery: 4 }],
    ['garbage reports', { garbageEvery: 5, seed: 3 }],
  ];
  for (const [name, faults] of recoverable) {
    it(`${name} are NAKed and the resent frames complete the download`, async () => {
      const bus = new SimulatedHidBus();
      const sim = new ContourSimulator({ readings });
      const path = bus.plug(sim, { faults });
      expect(summary(await (await openSession(bus, path)).readMemory!(FAST))).toEqual(expected);
      expect(sim.hostControls).toContain(ASTM.NAK);
      expect(sim.framesSent).toBeGreaterThan(8);
    });
  }

  it('a meter that only sends damaged data gives a PROTOCOL error after bounded retries', async () => {
    const bus = new SimulatedHidBus();
    const sim = new ContourSimulator({ readings });
    const path = bus.plug(sim, { faults: { garbageEvery: 1 } });
    const err = await caught((await openSession(bus, path)).readMemory!(FAST));
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toMatch(/damaged|did not start/);
    // Bounded: at most seven wake-ups (EOT) and, if a random report looked like an ENQ, six NAKs and an ACK.
    expect(sim.hostControls.filter((b) => b === ASTM.EOT).length).toBeLessThanOrEqual(7);
    expect(sim.hostControls.length).toBeLessThanOrEqual(15);
  });

  it('a transfer whose frames keep arriving damaged ends after six NAKs', async () => {
    const bus = new SimulatedHidBus();
    const sim = new ContourSimulator({ readings, establish: 'enq' });
    const path = bus.plug(sim, { faults: { garbageEvery: 1 } });
    bus.setFaults(path, {});
    const session = await openSession(bus, path);
    bus.setFaults(path, { garbageEvery: 1 });
    const err = await caught(session.readMemory!(FAST));
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toMatch(/damaged/);
    expect(sim.hostControls.filter((b) => b === ASTM.NAK).length).toBe(6);
  });
});
