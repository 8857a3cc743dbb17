/**
 * DeviceService over the simulated bus: identification with clock drift, the permission message
 * for a device that is present but cannot be opened, an unsupported device stated as such, and an
 * unplug that leaves the service healthy. (Recording is covered by the integration tests with the real
 * pipeline; here only its dedupe lookup is reached, answered by a stand-in.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CompositeBackend } from '../../../electron/core/devices/compositeBackend';
import type { BindingStore, StoredBinding } from '../../../electron/core/records/bedBindingStore';
import { DeviceService } from '../../../electron/core/devices/deviceService';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import { createSimulator } from '../../../electron/core/devices/simulators/index';

/** Bindings kept in memory only (this test restarts nothing). */
const noBindings = (): BindingStore => ({ load: async () => [], put: async () => undefined, remove: async () => undefined });

const services: DeviceService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});

async function service(bus: SimulatedHidBus, bindings: BindingStore = noBindings()): Promise<DeviceService> {
  // Only the dedupe lookup of the record pipeline is reached here: nothing was recorded yet.
  const nothingRecorded = { seenDevice: () => false } as never;
  const everyoneAdmitted = { currentOf: () => ({ bed: '1', news2Scale: 1 as const, admittedAt: 0 }) };
  const everyoneMayWrite = { requireWrite: () => undefined };
  const s = new DeviceService(new CompositeBackend(null, bus), nothingRecorded, everyoneAdmitted, everyoneMayWrite, null as never, bindings, () => undefined, true, 50);
  services.push(s);
  await s.start();
  return s;
}

async function settle(s: DeviceService, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) {
    await s.poll();
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('DeviceService', () => {
  it('identifies a meter with its clock drift and lists its new readings as pending', async () => {
    const bus = new SimulatedHidBus();
    bus.plug(createSimulator('freestyle-neo', { clockDriftSeconds: 300, readings: [{ kind: 'glucose', value: 140, time: '2026-11-23T08:30:00' }] }));
    const s = await service(bus);
    await settle(s, () => s.pendingReadings().length > 0);
    const [d] = s.list();
    expect(d).toMatchObject({ status: 'ready', model: expect.stringContaining('Neo'), firmware: expect.any(String) });
    expect(d!.clockDriftSeconds).toBeGreaterThanOrEqual(240);
    expect(d!.clockDriftSeconds).toBeLessThanOrEqual(360);
    expect(s.pendingReadings()).toEqual([expect.objectContaining({ kind: 'glucose', measurements: [expect.objectContaining({ value: 140, unit: 'mg/dL' })] })]);
  });

  it('refuses to record a control-solution test as a patient reading', async () => {
    const bus = new SimulatedHidBus();
    bus.plug(createSimulator('freestyle-neo', { readings: [{ kind: 'glucose', value: 112, time: '2026-11-23T09:00:00', control: true }] }));
    const s = await service(bus);
    await settle(s, () => s.pendingReadings().length > 0);
    const [control] = s.pendingReadings();
    expect(control!.flags).toContain('control-solution');
    const nurse = { address: '0x' + '1'.repeat(40), name: 'N', role: 'nurse' as const, wallet: null as never, teamKey: null };
    await expect(s.assign(nurse, [control!.id], '0x' + '2'.repeat(40))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/control-solution/) });
    expect(s.pendingReadings()).toHaveLength(1);
  });

  it('lists undated readings, unreadable records with their reason and the monitor user, and refuses to record the first two', async () => {
    const bus = new SimulatedHidBus();
    bus.plug(
      createSimulator('microlife', {
        readings: [
          { systolic: 144, diastolic: 68, pulse: 51, undated: true },
          { systolic: 134, diastolic: 70, pulse: 68, time: '2026-11-23T07:00' },
          { systolic: 131, diastolic: 59, pulse: 49, time: '2026-11-23T07:30' },
        ],
        rawRecords: { 3: [131, 59, 49, 26, 13, 23, 7, 30, 128, 0] },
      }),
    );
    bus.plug(createSimulator('bm58', { readings: [{ systolic: 141, diastolic: 90, pulse: 80, time: '2026-11-23T08:00', user: 2 }] }));
    const s = await service(bus);
    await settle(s, () => s.pendingReadings().length >= 4);
    const pending = s.pendingReadings();
    const undated = pending.find((p) => p.deviceTime === null && p.problem === null)!;
    const unreadable = pending.find((p) => p.problem !== null)!;
    const user2 = pending.find((p) => p.model.includes('BM58'))!;
    expect(undated.measurements.map((m) => m.value)).toEqual([144, 68, 51]);
    expect(unreadable).toMatchObject({ measurements: [], problem: expect.stringMatching(/Record 3 .*could not be read/) });
    expect(user2.monitorUser).toBe(2);
    expect(s.list().find((d) => d.model.includes('Microlife'))!.message).toMatch(/2 readings in memory, 2 new\. 1 stored record could not be read/);
    const nurse = { address: '0x' + '1'.repeat(40), name: 'N', role: 'nurse' as const, wallet: null as never, teamKey: null };
    await expect(s.assign(nurse, [undated.id], '0x' + '2'.repeat(40))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/time is unknown/) });
    await expect(s.assign(nurse, [unreadable.id], '0x' + '2'.repeat(40))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/could not read/) });
    s.dismiss([undated.id, unreadable.id]);
    expect(s.pendingReadings()).toHaveLength(2);
  });

  it('says plainly when a device is present but cannot be opened (permissions)', async () => {
    const bus = new SimulatedHidBus();
    bus.plug(createSimulator('contour'), { denyOpen: true });
    const s = await service(bus);
    await settle(s, () => s.list()[0]?.status === 'no-permission');
    expect(s.list()[0]).toMatchObject({ status: 'no-permission', message: expect.stringMatching(/udev rule/) });
  });

  it('reports the Libre 2 as unsupported with the reason', async () => {
    const bus = new SimulatedHidBus();
    bus.plug(createSimulator('libre2'));
    const s = await service(bus);
    await settle(s, () => s.list()[0]?.status === 'unsupported');
    expect(s.list()[0]!.message).toMatch(/Libre 2/);
  });

  it('drops an unplugged oximeter and keeps serving the other device', async () => {
    const bus = new SimulatedHidBus();
    const ox = bus.plug(createSimulator('po80', { intervalMs: 20 }));
    bus.plug(createSimulator('omron', { readings: [{ systolic: 130, diastolic: 85, pulse: 70, time: '2026-11-23T07:00' }] }));
    const s = await service(bus);
    await settle(s, () => s.list().some((d) => d.live?.spo2 != null) && s.pendingReadings().length > 0);
    expect(s.list().find((d) => d.id === ox)!.status).toBe('streaming');
    bus.unplug(ox);
    await settle(s, () => !s.list().some((d) => d.id === ox));
    expect(s.list()).toHaveLength(1);
    expect(s.pendingReadings()[0]!.kind).toBe('blood-pressure');
  });

  it('resumes a binding after a restart; a monitor without a serial number is found by its port, to be checked', async () => {
    let kept: StoredBinding[] = [];
    const store: BindingStore = {
      load: async () => kept,
      put: async (b) => void (kept = [...kept.filter((k) => k.serial !== b.serial), b]),
      remove: async (m) => void (kept = kept.filter((k) => k.serial !== m.serial)),
    };
    const nurse = { address: '0x' + '1'.repeat(40), name: 'Nora Nurse', role: 'nurse' as const, wallet: null as never, teamKey: null };
    const patient = '0x' + '2'.repeat(40);

    const busOne = new SimulatedHidBus();
    const ox = busOne.plug(createSimulator('po80', { intervalMs: 20 })); // no USB serial number
    const first = await service(busOne, store);
    await settle(first, () => first.list()[0]?.status === 'streaming');
    await first.bind(nurse, ox, patient, 60);
    expect(kept).toEqual([expect.objectContaining({ driver: 'beurer-po80', serial: `po80@${ox}`, patient: '0x' + '2'.repeat(40), intervalSeconds: 60, boundBy: 'Nora Nurse' })]);
    await first.stop(); // a restart keeps the binding (an unplug would end it)
    expect(kept).toHaveLength(1);

    // The same monitor in the same port after the restart (the simulated bus numbers its ports
    // once per process, so the port it is in now stands for the one it was in).
    const bus = new SimulatedHidBus();
    const samePort = bus.plug(createSimulator('po80', { intervalMs: 20 }));
    kept = kept.map((k) => ({ ...k, serial: `po80@${samePort}` }));
    const second = await service(bus, store);
    await settle(second, () => second.list()[0]?.binding != null);
    expect(second.list()[0]!.binding).toMatchObject({ patient: '0x' + '2'.repeat(40), bed: '1', boundBy: 'Nora Nurse', resumed: { byPort: true } });
    expect(second.overview().waitingBindings).toEqual([]);
  });
});
