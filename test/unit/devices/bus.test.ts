import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { matchDriver } from '../../../electron/core/devices/registry';
import { SimulatedHidBus, type SimulatedDevice } from '../../../electron/core/devices/simulators/bus';
import { createSimulator, isSimulatorName, simulatorNames } from '../../../electron/core/devices/simulators';

/** Answers every host report with `count` reports of 8 bytes [n, n, …]. */
function echoDevice(count = 1): SimulatedDevice & { closes: number } {
  let n = 0;
  const d = {
    closes: 0,
    info: { vendorId: 0x1111, productId: 0x2222, product: 'Echo' },
    onHostReport: (_r: Uint8Array, _k: 'output' | 'feature', emit: (r: Uint8Array) => void) => {
      for (let i = 0; i < count; i++) {
        n++;
        emit(new Uint8Array(8).fill(n));
      }
    },
    onClose: () => {
      d.closes++;
    },
  };
  return d;
}

async function rejection(p: Promise<unknown>): Promise<WardError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    return e as WardError;
  }
  throw new Error('expected a rejection');
}

describe('SimulatedHidBus', () => {
  it('strips report id 0 from output reports and delivers replies in order', async () => {
    const bus = new SimulatedHidBus();
    const seen: number[][] = [];
    const path = bus.plug({ info: { vendorId: 1, productId: 2 }, onHostReport: (r, kind, emit) => (seen.push([kind === 'output' ? 0 : 1, ...r]), emit(Uint8Array.of(7))) });
    const conn = await bus.open(path);
    await conn.write(Uint8Array.of(0, 5, 6));
    await conn.sendFeatureReport(Uint8Array.of(0, 8));
    expect(seen).toEqual([[0, 5, 6], [1, 0, 8]]);
    expect([...(await conn.read(10))!]).toEqual([7]);
    expect([...(await conn.read(10))!]).toEqual([7]);
    expect(await conn.read(5)).toBeNull();
  });

  it('garbage and truncation faults hit every Nth report, reproducibly per seed', async () => {
    const run = async (seed: number): Promise<number[][]> => {
      const bus = new SimulatedHidBus();
      const path = bus.plug(echoDevice(6), { faults: { garbageEvery: 3, truncateEvery: 4, seed } });
      const conn = await bus.open(path);
      await conn.write(Uint8Array.of(0, 1));
      const out: number[][] = [];
      for (let i = 0; i < 6; i++) out.push([...(await conn.read(10))!]);
      return out;
    };
    const a = await run(5);
    expect(a.map((r) => r.length)).toEqual([8, 8, 8, 4, 8, 8]);
    expect(a[0]).toEqual(new Array(8).fill(1));
    expect(a[2]).not.toEqual(new Array(8).fill(3)); // replaced by garbage
    expect(a[3]).toEqual(new Array(4).fill(4)); // truncated
    expect(await run(5)).toEqual(a);
  });

  it('silentAfter stops replies while the device stays plugged in', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(echoDevice(3), { faults: { silentAfter: 2 } });
    const conn = await bus.open(path);
    await conn.write(Uint8Array.of(0));
    expect(await conn.read(10)).not.toBeNull();
    expect(await conn.read(10)).not.toBeNull();
    expect(await conn.read(10)).toBeNull();
    expect(bus.isPlugged(path)).toBe(true);
  });

  it('unplugAfter removes the device, fails the waiting read and calls onClose once', async () => {
    const bus = new SimulatedHidBus();
    const device = echoDevice(1);
    const path = bus.plug(device, { faults: { unplugAfter: 1, latencyMs: 5 } });
    const conn = await bus.open(path);
    await conn.write(Uint8Array.of(0));
    expect(await conn.read(100)).not.toBeNull();
    const pending = conn.read(1000);
    await conn.write(Uint8Array.of(0));
    expect((await rejection(pending)).code).toBe('DEVICE_UNPLUGGED');
    expect(await bus.enumerate()).toEqual([]);
    expect((await rejection(conn.write(Uint8Array.of(0)))).code).toBe('DEVICE_UNPLUGGED');
    await conn.close();
    expect(device.closes).toBe(1);
  });

  it('unplug fails a pending read; closing resolves a pending read with null', async () => {
    const bus = new SimulatedHidBus();
    const a = bus.plug(echoDevice());
    const b = bus.plug(echoDevice());
    const ca = await bus.open(a);
    const cb = await bus.open(b);
    const ra = ca.read(1000);
    const rb = cb.read(1000);
    bus.unplug(a);
    await cb.close();
    expect((await rejection(ra)).code).toBe('DEVICE_UNPLUGGED');
    expect(await rb).toBeNull();
    expect((await rejection(cb.read(10))).code).toBe('DEVICE');
  });

  it('latency delays replies without losing order', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(echoDevice(3), { faults: { latencyMs: 20 } });
    const conn = await bus.open(path);
    const t0 = Date.now();
    await conn.write(Uint8Array.of(0));
    expect(await conn.read(1)).toBeNull();
    const got = [(await conn.read(500))![0], (await conn.read(500))![0], (await conn.read(500))![0]];
    expect(got).toEqual([1, 2, 3]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
  });

  it('a device present without permission rejects open with DEVICE_PERMISSION', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(echoDevice(), { denyOpen: true });
    expect((await bus.enumerate()).map((d) => d.path)).toEqual([path]);
    const e = await rejection(bus.open(path));
    expect(e.code).toBe('DEVICE_PERMISSION');
    expect(e.message).toMatch(/udev/);
  });

  it('only one read may wait at a time', async () => {
    const bus = new SimulatedHidBus();
    const conn = await bus.open(bus.plug(echoDevice()));
    const first = conn.read(50);
    expect((await rejection(conn.read(50))).code).toBe('DEVICE');
    expect(await first).toBeNull();
  });

  it('calls onClose when the last connection closes', async () => {
    const bus = new SimulatedHidBus();
    const device = echoDevice();
    const path = bus.plug(device);
    const c1 = await bus.open(path);
    const c2 = await bus.open(path);
    await c1.close();
    expect(device.closes).toBe(0);
    await c2.close();
    await c2.close();
    expect(device.closes).toBe(1);
  });
});

describe('simulator factory', () => {
  it('creates every named simulator, each recognised by the registry', () => {
    expect(simulatorNames).toEqual(expect.arrayContaining(['freestyle-neo', 'freestyle-libre', 'libre2', 'contour']));
    for (const name of simulatorNames) {
      const sim = createSimulator(name);
      expect(matchDriver({ path: 'x', ...sim.info })?.id, name).toBeDefined();
    }
  });

  it('rejects unknown names with BAD_INPUT', () => {
    expect(isSimulatorName('toaster')).toBe(false);
    expect(isSimulatorName('constructor')).toBe(false);
    let err: unknown;
    try {
      createSimulator('toaster');
    } catch (e) {
      err = e;
    }
    expect((err as WardError).code).toBe('BAD_INPUT');
  });
});
