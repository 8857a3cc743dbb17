/**
 * Drivers declare what they read (`reads`), and the devices service goes by the declaration
 * instead of probing a session's optional methods. Each driver that opens is checked against its
 * simulator: its session implements exactly the method it declares. And a pending reading keeps
 * the driver that read it as provenance, even once the device is unplugged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CompositeBackend } from '../../../electron/core/devices/compositeBackend';
import type { BindingStore } from '../../../electron/core/records/bedBindingStore';
import { DeviceService } from '../../../electron/core/devices/deviceService';
import { allDrivers } from '../../../electron/core/devices/drivers';
import { matchDriver } from '../../../electron/core/devices/registry';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import { createSimulator, simulatorNames } from '../../../electron/core/devices/simulators/index';
import type { RecordContent } from '../../../electron/core/model/records';

/** Bindings kept in memory only (this test restarts nothing). */
const noBindings = (): BindingStore => ({ load: async () => [], put: async () => undefined, remove: async () => undefined });

describe('drivers declare what they read', () => {
  it('every supported driver’s session implements what it declares, and only that', async () => {
    const checked = new Set<string>();
    for (const name of simulatorNames) {
      const bus = new SimulatedHidBus();
      const sim = createSimulator(name);
      const path = bus.plug(sim);
      const info = (await bus.enumerate()).find((d) => d.path === path)!;
      const driver = matchDriver(info);
      if (!driver) throw new Error(`no driver for simulator ${name}`);
      if (driver.unsupportedReason) continue;
      const session = await driver.open(await bus.open(path), info);
      try {
        expect({ driver: driver.id, memory: typeof session.readMemory, stream: typeof session.stream }).toEqual({
          driver: driver.id,
          memory: driver.reads === 'memory' ? 'function' : 'undefined',
          stream: driver.reads === 'stream' ? 'function' : 'undefined',
        });
      } finally {
        await session.close();
        (sim as { stop?: () => void }).stop?.();
      }
      checked.add(driver.id);
    }
    expect([...checked].sort()).toEqual(allDrivers.filter((d) => !d.unsupportedReason).map((d) => d.id).sort());
  });
});

describe('pending readings', () => {
  const services: DeviceService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
  });

  it('record the driver that read them, even after the meter was unplugged', async () => {
    const bus = new SimulatedHidBus();
    const meter = bus.plug(createSimulator('freestyle-neo', { readings: [{ kind: 'glucose', value: 140, time: '2026-11-23T08:30:00' }] }));
    const written: RecordContent[] = [];
    const writer = { seenDevice: () => false, create: async (_a: unknown, _p: string, _k: string, content: RecordContent) => void written.push(content) } as never;
    const admitted = { currentOf: () => ({ bed: '1', news2Scale: 1 as const, admittedAt: 0 }) };
    const s = new DeviceService(new CompositeBackend(null, bus), writer, admitted, { requireWrite: () => undefined }, null as never, noBindings(), () => undefined, false, 50);
    services.push(s);
    for (let i = 0; i < 100 && s.pendingReadings().length === 0; i++) {
      await s.poll();
      await new Promise((r) => setTimeout(r, 20));
    }
    bus.unplug(meter);
    await s.poll();
    expect(s.list()).toEqual([]);
    const nurse = { address: '0x' + '1'.repeat(40), name: 'N', role: 'nurse' as const, wallet: null as never, teamKey: null };
    expect(await s.assign(nurse, [s.pendingReadings()[0]!.id], '0x' + '2'.repeat(40))).toBe(1);
    expect(written[0]!.device).toMatchObject({ driver: 'abbott-freestyle-neo', serial: expect.any(String) });
  });
});
