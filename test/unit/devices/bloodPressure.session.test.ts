import { describe, expect, it } from 'vitest';
import { omron790Driver, OMRON_MAX_BUSY_RETRIES } from '../../../electron/core/devices/drivers/omron790';
import { bm58Driver } from '../../../electron/core/devices/drivers/beurerBm58';
import { microlifeB3Driver, MICROLIFE_MAX_ATTEMPTS } from '../../../electron/core/devices/drivers/microlifeB3';
import { cms50eDriver } from '../../../electron/core/devices/drivers/cms50e';
import { allDrivers } from '../../../electron/core/devices/drivers';
import { createOmron790Simulator } from '../../../electron/core/devices/simulators/omron790';
import { createBm58Simulator } from '../../../electron/core/devices/simulators/beurerBm58';
import { createMicrolifeSimulator } from '../../../electron/core/devices/simulators/microlifeB3';
import { createCms50eSimulator } from '../../../electron/core/devices/simulators/cms50e';
import { SimulatedHidBus, type SimulatedDevice, type TransportFaults } from '../../../electron/core/devices/simulators/bus';
import type { SimulatedBpReading } from '../../../electron/core/devices/simulators/bpMemory';
import type { DeviceDriver, DeviceReading } from '../../../electron/core/devices/types';
import { collectStream, openOnBus, waitFor, wardError } from './bloodPressureAndOximeter.helpers';

const READINGS: SimulatedBpReading[] = [
  { systolic: 128, diastolic: 82, pulse: 71, time: '2024-03-14T09:30:15' },
  { systolic: 135, diastolic: 88, pulse: 76, time: '2024-03-14T20:05:00', irregularHeartbeat: true },
];

const bp = (sys: number, dia: number, pulse: number) => [
  { mdc: 150021, loinc: '8480-6', unit: 'mm[Hg]', value: sys },
  { mdc: 150022, loinc: '8462-4', unit: 'mm[Hg]', value: dia },
  { mdc: 149546, loinc: '8867-4', unit: '/min', value: pulse },
];
const summary = (r: DeviceReading) => ({ deviceTime: r.deviceTime, measurements: r.measurements, flags: r.flags, kind: r.kind });

describe('Omron HEM-790IT driver against its simulator', () => {
  it('identifies (firmware from VER, serial from SRL) and downloads the memory, newest first', async () => {
    const sim = createOmron790Simulator({ readings: READINGS, serialBytes: [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde] });
    const { session } = await openOnBus(omron790Driver, sim);
    const id = await session.identify({ timeoutMs: 300 });
    expect(id).toMatchObject({ model: 'Omron HEM-790IT', firmware: 'M7080IT 207', serial: '123456789ABCDE' });
    expect(id.deviceTime).toBeUndefined();
    // The second mode change is answered with an empty report and `08 60 00 …` before "OK".
    const readings = await session.readMemory!({ timeoutMs: 300 });
    expect(readings.map(summary)).toEqual([
      { kind: 'blood-pressure', deviceTime: '2024-03-14T20:05:00', measurements: bp(135, 88, 76), flags: ['irregular-heartbeat'] },
      { kind: 'blood-pressure', deviceTime: '2024-03-14T09:30:15', measurements: bp(128, 82, 71), flags: [] },
    ]);
    expect(readings.map((r) => r.deviceRecordId)).toEqual(['omron-b0-i0-20240314200500', 'omron-b0-i1-20240314093015']);
    expect(sim.commands).toEqual(['VER', 'PRF', 'SRL', 'GDC', 'GME', 'GME']);
    expect(sim.off).toBe(false);
    await session.close();
    expect(sim.off).toBe(true); // END sent on close
  });

  it('asks again for a record whose check byte is wrong, as for "NO" (libomron omron_exchange_cmd)', async () => {
    const sim = createOmron790Simulator({ readings: READINGS, damagedOnce: [1] });
    const { session } = await openOnBus(omron790Driver, sim);
    const readings = await session.readMemory!({ timeoutMs: 300 });
    expect(readings.map((r) => r.measurements[0].value)).toEqual([135, 128]);
    expect(sim.commands.filter((c) => c === 'GME')).toHaveLength(3);
    await session.close();
  });

  it('a record that stays damaged is reported with its reason; the records before and after it are kept', async () => {
    const three: SimulatedBpReading[] = [...READINGS, { systolic: 119, diastolic: 77, pulse: 64, time: '2024-03-15T07:00:00' }];
    const sim = createOmron790Simulator({ readings: three, alwaysDamaged: [1] });
    const { session } = await openOnBus(omron790Driver, sim);
    const readings = await session.readMemory!({ timeoutMs: 300 });
    expect(readings.map((r) => r.measurements[0]?.value ?? null)).toEqual([119, null, 128]);
    expect(readings[1].problem).toMatch(/Record 2 .*could not be read.*wrong check byte/);
    expect(sim.commands.filter((c) => c === 'GME')).toHaveLength(2 + OMRON_MAX_BUSY_RETRIES + 1);
    await session.close();
  });

  it('overlapping identify and readMemory calls run one after the other', async () => {
    const { session } = await openOnBus(omron790Driver, createOmron790Simulator({ readings: READINGS }));
    const [id, readings, id2] = await Promise.all([session.identify({ timeoutMs: 500 }), session.readMemory!({ timeoutMs: 500 }), session.identify({ timeoutMs: 500 })]);
    expect(id.firmware).toBe('M7080IT 207');
    expect(id2.serial).toBe(id.serial);
    expect(readings).toHaveLength(2);
    await session.close();
  });

  it('retries a "NO" (busy) answer and succeeds', async () => {
    const sim = createOmron790Simulator({ readings: READINGS, busyReplies: 1, busyCommand: 'GME' });
    const { session } = await openOnBus(omron790Driver, sim);
    const readings = await session.readMemory!({ timeoutMs: 500 });
    expect(readings).toHaveLength(2);
    expect(sim.commands.filter((c) => c === 'GME')).toHaveLength(3); // one refused, asked again
    await session.close();
  });

  it('gives up with a clear error when the unit keeps answering "NO"', async () => {
    const sim = createOmron790Simulator({ readings: READINGS, busyReplies: 100, busyCommand: 'VER' });
    const { session } = await openOnBus(omron790Driver, sim);
    await wardError(session.identify({ timeoutMs: 500 }), 'DEVICE', /kept answering "busy" \(version\)/);
    expect(sim.commands.filter((c) => c === 'VER')).toHaveLength(OMRON_MAX_BUSY_RETRIES + 1);
    await session.close();
  });
});

describe('Beurer BM58 driver against its simulator', () => {
  it('identifies from the init replies and downloads every record', async () => {
    const { session } = await openOnBus(bm58Driver, createBm58Simulator({ readings: READINGS, deviceId: 'BM58 Test Unit 0815' }));
    expect(await session.identify({ timeoutMs: 500 })).toMatchObject({ model: 'Beurer BM58', serial: 'bm58-BM58-Test-Unit-0815' });
    const readings = await session.readMemory!({ timeoutMs: 500 });
    // The BM58 stores minutes only; the irregular-heartbeat mark is bit 7 of the year byte.
    expect(readings.map(summary)).toEqual([
      { kind: 'blood-pressure', deviceTime: '2024-03-14T09:30:00', measurements: bp(128, 82, 71), flags: [] },
      { kind: 'blood-pressure', deviceTime: '2024-03-14T20:05:00', measurements: bp(135, 88, 76), flags: ['irregular-heartbeat'] },
    ]);
    expect(readings.map((r) => r.monitorUser)).toEqual([1, 1]);
    await session.close();
  });

  it("says which user each reading belongs to, skips A9 (no such record) and reports a damaged record in place", async () => {
    const sim = createBm58Simulator({
      readings: [
        { systolic: 128, diastolic: 82, pulse: 71, time: '2024-03-14T09:30' },
        { systolic: 141, diastolic: 90, pulse: 80, time: '2024-03-14T10:00', user: 2, irregularHeartbeat: true },
        { systolic: 120, diastolic: 80, pulse: 60, time: '2024-03-14T11:00' },
        { systolic: 122, diastolic: 79, pulse: 61, time: '2024-03-14T12:00', user: 2 },
        { systolic: 125, diastolic: 81, pulse: 66, time: '2024-03-14T13:00' },
      ],
      missing: [3],
      rawRecords: { 4: [0x61, 0x36, 0x3d, 0x0d, 0x8e, 0x0c, 0x00, 0x18] }, // month 13
    });
    const { session } = await openOnBus(bm58Driver, sim);
    const readings = await session.readMemory!({ timeoutMs: 500 });
    expect(readings.map((r) => [r.measurements[0]?.value ?? null, r.monitorUser ?? null, r.flags])).toEqual([
      [128, 1, []],
      [141, 2, ['irregular-heartbeat']],
      [null, null, []],
      [125, 1, []],
    ]);
    expect(readings[2].problem).toMatch(/Record 4 .*could not be read.*impossible date/);
    await session.close();
  });

  it('record ids are stable across downloads and distinct for distinct records', async () => {
    const twins: SimulatedBpReading[] = [
      { systolic: 120, diastolic: 80, pulse: 60, time: '2024-05-01T08:00' },
      { systolic: 120, diastolic: 80, pulse: 60, time: '2024-05-01T08:00' },
      { systolic: 121, diastolic: 80, pulse: 60, time: '2024-05-01T08:00' },
    ];
    const ids = async (): Promise<string[]> => {
      const { session } = await openOnBus(bm58Driver, createBm58Simulator({ readings: twins }));
      const r = await session.readMemory!({ timeoutMs: 500 });
      await session.close();
      return r.map((x) => x.deviceRecordId);
    };
    const first = await ids();
    expect(new Set(first).size).toBe(3);
    expect(await ids()).toEqual(first);
  });

  it('readings carry the device clock, drift included (default times follow the device clock)', async () => {
    const driftSeconds = 2 * 3600;
    const { session } = await openOnBus(bm58Driver, createBm58Simulator({ clockDriftSeconds: driftSeconds }));
    const readings = await session.readMemory!({ timeoutMs: 500 });
    const last = readings[readings.length - 1];
    // Newest default reading is one hour before the device's now = workstation now + 2 h.
    const [d, t] = last.deviceTime!.split('T');
    const [y, mo, da] = d.split('-').map(Number);
    const [h, mi] = t.split(':').map(Number);
    const deviceMs = new Date(y, mo - 1, da, h, mi).getTime();
    expect(Math.abs(deviceMs - (Date.now() + driftSeconds * 1000 - 3600_000))).toBeLessThan(2 * 60_000);
    await session.close();
  });
});

describe('Microlife BP B3 driver against its simulator', () => {
  it('keeps undated readings (time unknown) and reports an impossible date in place, keeping the rest', async () => {
    const sim = createMicrolifeSimulator({
      readings: [
        { systolic: 144, diastolic: 68, pulse: 51, undated: true },
        { systolic: 134, diastolic: 70, pulse: 68, time: '2022-07-17T17:02' },
        { systolic: 131, diastolic: 59, pulse: 49, time: '2022-07-17T17:57' },
        { systolic: 155, diastolic: 74, pulse: 46, time: '2022-07-17T22:05' },
      ],
      rawRecords: { 3: [131, 59, 49, 22, 13, 17, 17, 57, 128, 0] }, // month 13
    });
    const { session } = await openOnBus(microlifeB3Driver, sim);
    const readings = await session.readMemory!({ timeoutMs: 500 });
    expect(readings.map((r) => [r.measurements[0]?.value ?? null, r.deviceTime ?? null])).toEqual([
      [144, null],
      [134, '2022-07-17T17:02:00'],
      [null, null],
      [155, '2022-07-17T22:05:00'],
    ]);
    expect(readings[2].problem).toMatch(/Record 3 .*could not be read.*impossible date/);
    await session.close();
  });

  it('downloads all records with flags', async () => {
    const readings: SimulatedBpReading[] = [...READINGS, { systolic: 150, diastolic: 95, pulse: 80, time: '2024-03-15T07:45', cuffFitError: true }];
    const sim = createMicrolifeSimulator({ readings, serialNumber: 'ML-9' });
    const { session } = await openOnBus(microlifeB3Driver, sim);
    expect(await session.identify({ timeoutMs: 500 })).toMatchObject({ model: 'Microlife BP B3 Comfort PC', serial: 'ML-9' });
    const got = await session.readMemory!({ timeoutMs: 500 });
    expect(got.map(summary)).toEqual([
      { kind: 'blood-pressure', deviceTime: '2024-03-14T09:30:00', measurements: bp(128, 82, 71), flags: [] },
      { kind: 'blood-pressure', deviceTime: '2024-03-14T20:05:00', measurements: bp(135, 88, 76), flags: ['irregular-heartbeat'] },
      { kind: 'blood-pressure', deviceTime: '2024-03-15T07:45:00', measurements: bp(150, 95, 80), flags: ['cuff-fit-error'] },
    ]);
    expect(sim.fetches).toBe(2);
    await session.close();
  });

  it('repeats the fetch after a corrupted checksum, and gives up when it keeps failing', async () => {
    const once = createMicrolifeSimulator({ readings: READINGS, corruptChecksumTimes: 1 });
    const a = await openOnBus(microlifeB3Driver, once);
    expect(await a.session.readMemory!({ timeoutMs: 500 })).toHaveLength(2);
    expect(once.fetches).toBe(2);
    await a.session.close();

    const always = createMicrolifeSimulator({ readings: READINGS, corruptChecksumTimes: 1000 });
    const b = await openOnBus(microlifeB3Driver, always);
    await wardError(b.session.readMemory!({ timeoutMs: 500 }), 'PROTOCOL', /failed its checksum 3 times/);
    expect(always.fetches).toBe(MICROLIFE_MAX_ATTEMPTS);
    await b.session.close();
  });
});

interface FaultCase {
  driver: DeviceDriver;
  make: () => SimulatedDevice;
}
const FAULT_CASES: Record<string, FaultCase> = {
  omron: { driver: omron790Driver, make: () => createOmron790Simulator({ readings: READINGS }) },
  bm58: { driver: bm58Driver, make: () => createBm58Simulator({ readings: READINGS }) },
  microlife: { driver: microlifeB3Driver, make: () => createMicrolifeSimulator({ readings: READINGS }) },
};

/** identify + readMemory, as the app runs a download. */
async function download(c: FaultCase, faults: TransportFaults, timeoutMs = 300): Promise<DeviceReading[]> {
  const { session } = await openOnBus(c.driver, c.make(), faults);
  try {
    await session.identify({ timeoutMs });
    return await session.readMemory!({ timeoutMs });
  } finally {
    await session.close();
  }
}

describe.each(Object.entries(FAULT_CASES))('%s under transport faults', (_name, c) => {
  it('garbage reports → PROTOCOL, or (BM58) the garbled record reported in place', async () => {
    if (c.driver === bm58Driver) {
      // BM58 has no checksum: a garbled record (7th reply) is reported and the download completes.
      const readings = await download(c, { garbageEvery: 7 });
      expect(readings.filter((r) => r.problem)).toHaveLength(1);
      return;
    }
    await wardError(download(c, { garbageEvery: 1 }), 'PROTOCOL');
  });

  it('truncated reports → PROTOCOL', async () => {
    await wardError(download(c, { truncateEvery: 1 }), 'PROTOCOL');
  });

  it('silence → DEVICE_TIMEOUT naming the step', async () => {
    const started = Date.now();
    await wardError(download(c, { silentAfter: 0 }, 150), 'DEVICE_TIMEOUT', /did not answer \(.+\) within 150 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('silence part-way through → DEVICE_TIMEOUT', async () => {
    await wardError(download(c, { silentAfter: 4 }, 150), 'DEVICE_TIMEOUT');
  });

  it('unplug mid-transfer → DEVICE_UNPLUGGED from the connection', async () => {
    await wardError(download(c, { unplugAfter: 3 }), 'DEVICE_UNPLUGGED', /unplugged during the transfer/);
  });

  it('a cancelled download ends promptly with a clear error', async () => {
    const { session } = await openOnBus(c.driver, c.make(), { silentAfter: 0 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const began = Date.now();
    await wardError(session.readMemory!({ timeoutMs: 5000, signal: controller.signal }), 'DEVICE', /cancelled/);
    expect(Date.now() - began).toBeLessThan(1000);
    await session.close();
  });
});

describe('two devices at once', () => {
  it('an oximeter keeps streaming while a blood-pressure monitor downloads on the same bus', async () => {
    const bus = new SimulatedHidBus();
    const oxSim = createCms50eSimulator({ intervalMs: 10, reportsPerInterval: 2, samples: [{ pulse: 66, spo2: 99 }] });
    try {
      const ox = await openOnBus(cms50eDriver, oxSim, undefined, bus);
      const stream = await collectStream(ox.session, { timeoutMs: 500 });
      await waitFor(() => stream.readings.length >= 2, 3000, 'oximeter readings');
      const before = stream.readings.length;

      const many = Array.from({ length: 40 }, (_, i) => ({ systolic: 110 + i, diastolic: 70, pulse: 60, time: `2024-04-${String(1 + (i % 28)).padStart(2, '0')}T08:${String(i).padStart(2, '0')}` }));
      const bpSim = createOmron790Simulator({ readings: many });
      const monitor = await openOnBus(omron790Driver, bpSim, undefined, bus);
      await monitor.session.identify({ timeoutMs: 500 });
      const readings = await monitor.session.readMemory!({ timeoutMs: 500 });
      await monitor.session.close();

      expect(readings).toHaveLength(40);
      expect(new Set(readings.map((r) => r.measurements[0].value)).size).toBe(40);
      await waitFor(() => stream.readings.length > before + 2, 3000, 'more oximeter readings');
      expect(stream.errors).toEqual([]);
      expect(stream.readings.every((r) => r.measurements.length === 2)).toBe(true);
      await stream.stop();
      await ox.session.close();
    } finally {
      oxSim.stop();
    }
  });
});

describe('driver list for the registry', () => {
  it('exports the five drivers with distinct ids and the docs/devices.md ids', () => {
    const oximeterAndBpDrivers = allDrivers.filter((d) => d.kind === 'oximeter' || d.kind === 'blood-pressure');
    expect(oximeterAndBpDrivers.map((d) => [d.id, d.kind, d.matches.map((m) => [m.vendorId, m.productId])])).toEqual([
      ['contec-cms50e', 'oximeter', [[0x28e9, 0x028a]]],
      ['beurer-po80', 'oximeter', [[0x28e9, 0x028a]]],
      ['omron-hem790it', 'blood-pressure', [[0x0590, 0x0028]]],
      ['beurer-bm58', 'blood-pressure', [[0x0c45, 0x7406]]],
      ['microlife-bp-b3', 'blood-pressure', [[0x04d9, 0xb554]]],
    ]);
  });
});
