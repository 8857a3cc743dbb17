import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { freestyleLibre2Driver, LIBRE2_UNSUPPORTED_REASON } from '../../../electron/core/devices/drivers/freestyleLibre2';
import { freestyleNeoDriver, neoRecordToReading } from '../../../electron/core/devices/drivers/freestyleNeo';
import { freestyleLibreDriver, libreRecordToReading } from '../../../electron/core/devices/drivers/freestyleLibre';
import { matchDriver } from '../../../electron/core/devices/registry';
import { SimulatedHidBus, type TransportFaults } from '../../../electron/core/devices/simulators/bus';
import { FreeStyleSimulator, libreRecord, neoRecord, type FreeStyleSimOptions } from '../../../electron/core/devices/simulators/freestyle';
import { createSimulator } from '../../../electron/core/devices/simulators';
import type { DeviceSession } from '../../../electron/core/devices/types';
import { mutating } from './bus.fuzz-helpers';

const FAST = { timeoutMs: 150 };

const neoReadings: FreeStyleSimOptions['readings'] = [
  { kind: 'glucose', value: 123, time: '2024-03-01T08:15:00' },
  { kind: 'glucose', value: 'HI', time: '2024-03-01T09:20:00' },
  { kind: 'glucose', value: 'LO', time: '2024-03-02T10:00:00' },
  { kind: 'glucose', value: 98, time: '2024-03-02T11:00:00', control: true },
  { kind: 'ketone', value: 1.5, time: '2024-03-03T12:30:00' },
  { kind: 'ketone', value: 0.4, time: '2024-03-03T13:30:00', control: true },
];

async function openSession(bus: SimulatedHidBus, path: string): Promise<DeviceSession> {
  const info = (await bus.enumerate()).find((d) => d.path === path)!;
  const driver = matchDriver(info);
  if (!driver) throw new Error('no driver');
  return driver.open(await bus.open(path), info);
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

describe('FreeStyle Precision Neo session', () => {
  it('identifies the meter: serial, firmware, clock and drift', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(createSimulator('freestyle-neo', { serial: 'XYZW987-65432', firmware: '1.4.9', clockDriftSeconds: -3600 }));
    const session = await openSession(bus, path);
    const id = await session.identify(FAST);
    expect(id).toMatchObject({ model: 'FreeStyle Precision Neo', serial: 'XYZW987-65432', firmware: '1.4.9' });
    expect(id.deviceTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00$/);
    // The meter clock has minute resolution.
    expect(Math.abs(id.clockDriftSeconds! - -3600)).toBeLessThanOrEqual(61);
    expect(Date.parse(id.workstationTime)).toBeGreaterThan(Date.now() - 10_000);
    await session.close();
  });

  it('reports a meter whose clock was never set without a device time', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(createSimulator('freestyle-neo', { clockNotSet: true }));
    const id = await (await openSession(bus, path)).identify(FAST);
    expect(id.deviceTime).toBeUndefined();
    expect(id.clockDriftSeconds).toBeUndefined();
    expect(id.serial).toBe('NEO0001-00042');
  });

  it('downloads glucose and ketone readings, normalised with codes and flags', async () => {
    const bus = new SimulatedHidBus();
    const sim = createSimulator('freestyle-neo', {
      readings: neoReadings,
      rawRecords: ['6,7,3,4,24,1,2,0,0,0,0', '10,8,3,4,24,1,2,0,4,0,0'],
      keepaliveEvery: 1,
    });
    const path = bus.plug(sim);
    const session = await openSession(bus, path);
    const readings = await session.readMemory!(FAST);
    expect(readings.map((r) => [r.deviceRecordId, r.kind, r.measurements[0].value, r.flags])).toEqual([
      ['7-1', 'glucose', 123, []],
      ['7-2', 'glucose', 500, ['above-range']],
      ['7-3', 'glucose', 20, ['below-range']],
      ['7-4', 'glucose', 98, ['control-solution']],
      ['9-5', 'ketone', 1.5, []],
      ['9-6', 'ketone', 0.39, ['control-solution']],
    ]);
    expect(readings[0].measurements[0]).toEqual({ mdc: 160184, loinc: '41653-7', unit: 'mg/dL', value: 123 });
    expect(readings[4].measurements[0]).toMatchObject({ unit: 'mmol/L', loinc: '66441-7' });
    expect(readings[0].deviceTime).toBe('2024-03-01T08:15:00');
    expect(readings.every((r) => r.workstationTime.endsWith('Z'))).toBe(true);
    expect((sim as FreeStyleSimulator).commands).toContain('$result?');
  });

  it('reads an empty log as no readings', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(createSimulator('freestyle-neo'));
    expect(await (await openSession(bus, path)).readMemory!(FAST)).toEqual([]);
  });

  it('serialises overlapping calls on one session', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(createSimulator('freestyle-neo', { readings: neoReadings }), { faults: { latencyMs: 2 } });
    const session = await openSession(bus, path);
    const [id, readings] = await Promise.all([session.identify(FAST), session.readMemory!(FAST)]);
    expect(id.serial).toBe('NEO0001-00042');
    expect(readings).toHaveLength(6);
  });
});

describe('FreeStyle Libre / Libre Pro session', () => {
  it('identifies with $sn? and reads manual readings and sensor scans from $arresult?', async () => {
    const bus = new SimulatedHidBus();
    const sim = createSimulator('freestyle-libre', {
      serial: 'JCMV999-Z0001',
      readings: [
        { kind: 'sensor', value: 140, time: '2024-05-01T08:15:33', id: 101 },
        { kind: 'glucose', value: 99, time: '2024-05-01T08:16:10', id: 102 },
        { kind: 'ketone', value: 0.5, time: '2024-05-01T08:17:00', id: 103 },
        { kind: 'glucose', value: 0, time: '2024-05-01T08:18:00', id: 104, errors: 0x8000 },
      ],
      rawRecords: ['105,5,5,1,24,9,0,0,0'],
    });
    const path = bus.plug(sim);
    const session = await openSession(bus, path);
    const id = await session.identify(FAST);
    expect(id).toMatchObject({ model: 'FreeStyle Libre', serial: 'JCMV999-Z0001', firmware: '2.1.2' });
    expect((sim as FreeStyleSimulator).commands).toContain('$sn?');
    expect((sim as FreeStyleSimulator).commands).not.toContain('$serlnum?');
    const readings = await session.readMemory!(FAST);
    expect(readings.map((r) => [r.deviceRecordId, r.kind, r.measurements[0].mdc, r.measurements[0].loinc, r.measurements[0].value, r.deviceTime])).toEqual([
      ['101', 'glucose', 160212, '99504-3', 140, '2024-05-01T08:15:33'],
      ['102', 'glucose', 160184, '41653-7', 99, '2024-05-01T08:16:10'],
      ['103', 'ketone', 192512, '66441-7', 0.5, '2024-05-01T08:17:00'],
    ]);
  });

  it('names the Libre Pro by its product id', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(createSimulator('freestyle-libre-pro'));
    expect((await (await openSession(bus, path)).identify(FAST)).model).toBe('FreeStyle Libre Pro');
  });
});

describe('FreeStyle Libre 2', () => {
  it('is recognised, explains why it is unsupported, and refuses to open', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(createSimulator('libre2'));
    const [info] = await bus.enumerate();
    expect(matchDriver(info)).toBe(freestyleLibre2Driver);
    expect(freestyleLibre2Driver.unsupportedReason).toBe(LIBRE2_UNSUPPORTED_REASON);
    expect(freestyleLibre2Driver.unsupportedReason).toMatch(/encrypt/);
    const err = await caught(freestyleLibre2Driver.open(await bus.open(path), info));
    expect(err.code).toBe('DEVICE_UNSUPPORTED');
  });
});

describe('FreeStyle faults', () => {
  const faultCases: Array<[string, TransportFaults, string[]]> = [
    ['silence', { silentAfter: 3 }, ['DEVICE_TIMEOUT']],
    ['truncated reports', { truncateEvery: 2 }, ['PROTOCOL']],
    ['garbage reports', { garbageEvery: 3, seed: 7 }, ['PROTOCOL', 'DEVICE_TIMEOUT']],
    ['unplug mid-transfer', { unplugAfter: 6 }, ['DEVICE_UNPLUGGED']],
  ];

  for (const [name, faults, codes] of faultCases) {
    it(`${name} gives a clear error and the bus stays usable`, async () => {
      const bus = new SimulatedHidBus();
      const bad = bus.plug(createSimulator('freestyle-neo', { readings: neoReadings }), { faults });
      const session = await openSession(bus, bad);
      const err = await caught(session.readMemory!(FAST));
      expect(codes).toContain(err.code);
      expect(err.message.length).toBeGreaterThan(10);
      await session.close();

      // Another device on the same bus, and the same one once the fault is gone, still work.
      const good = bus.plug(createSimulator('freestyle-neo', { readings: neoReadings }));
      expect(await (await openSession(bus, good)).readMemory!(FAST)).toHaveLength(6);
      if (bus.isPlugged(bad)) {
        bus.setFaults(bad, {});
        expect(await (await openSession(bus, bad)).readMemory!(FAST)).toHaveLength(6);
      } else {
        expect(name).toBe('unplug mid-transfer');
      }
    });
  }

  it('a reply damaged once is asked for again and the download completes', async () => {
    const bus = new SimulatedHidBus();
    const sim = new FreeStyleSimulator('neo', { readings: neoReadings, keepaliveEvery: 0 });
    // Reports 0-3 answer the handshake; report 5 is the second report of the $result? reply.
    const path = bus.plug(mutating(sim, [{ op: 'flip', index: 5, at: 10, bit: 0 }]));
    const session = await openSession(bus, path);
    expect(await session.readMemory!(FAST)).toHaveLength(6);
    expect(sim.commands.filter((c) => c === '$result?')).toHaveLength(2);
  });

  it('an unplugged device rejects a new open with DEVICE_UNPLUGGED', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(createSimulator('freestyle-neo'));
    bus.unplug(path);
    expect((await caught(bus.open(path))).code).toBe('DEVICE_UNPLUGGED');
  });

  it('a meter that rejects a command gives a PROTOCOL error naming the command', async () => {
    const bus = new SimulatedHidBus();
    // A Libre-family simulator does not know the Neo's $result?: pair it with the Neo driver on purpose.
    const sim = new FreeStyleSimulator('libre');
    const path = bus.plug(sim);
    const info = (await bus.enumerate())[0];
    const session = await freestyleNeoDriver.open(await bus.open(path), info);
    const err = await caught(session.identify(FAST));
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toContain('$serlnum?');
  });

  it('a cancelled transfer ends with a clear error', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug(createSimulator('freestyle-neo', { readings: neoReadings }));
    const session = await openSession(bus, path);
    const controller = new AbortController();
    controller.abort();
    const err = await caught(session.readMemory!({ ...FAST, signal: controller.signal }));
    expect(err.message).toMatch(/cancelled/);
  });
});

describe('FreeStyle record mapping', () => {
  const ws = '2024-01-01T00:00:00.000Z';
  it('round-trips simulator records through the Neo and Libre mappers', () => {
    const neo = neoRecord({ kind: 'glucose', value: 250, time: '2023-12-31T23:59:00' }, 42).split(',');
    expect(neo).toHaveLength(19);
    expect(neoRecordToReading(neo, 1, ws)).toMatchObject({ deviceRecordId: '7-42', deviceTime: '2023-12-31T23:59:00', measurements: [{ value: 250 }] });
    const libre = libreRecord({ kind: 'glucose', value: 88, time: '2023-02-28T01:02:03' }, 9).split(',');
    expect(libreRecordToReading(libre, 1, ws)).toMatchObject({ deviceRecordId: '9', deviceTime: '2023-02-28T01:02:03', measurements: [{ value: 88 }] });
  });

  it('skips non-measurement records and rejects broken measurement records with PROTOCOL', () => {
    expect(neoRecordToReading(['6', '1', '2', '3', '24', '1', '2'], 1, ws)).toBeUndefined();
    expect(libreRecordToReading(['1', '5', '2'], 1, ws)).toBeUndefined();
    for (const bad of [
      ['7', '1', '2', '3', '24', '1', '2', '0', '120'], // too short
      ['7', 'x', '2', '3', '24', '1', '2', '0', '120', '0', '1'],
      ['7', '1', '13', '3', '24', '1', '2', '0', '120', '0', '1'],
      ['7', '1', '2', '3', '24', '1', '2', '0', '-5', '0', '1'],
    ]) {
      let err: unknown;
      try {
        neoRecordToReading(bad, 4, ws);
      } catch (e) {
        err = e;
      }
      expect((err as WardError).code).toBe('PROTOCOL');
      expect((err as WardError).message).toMatch(/record 4/i);
    }
  });

  it('a broken record in the log is reported in place and the records around it are kept', async () => {
    const bus = new SimulatedHidBus();
    const sim = new FreeStyleSimulator('neo', {
      readings: [{ kind: 'glucose', value: 101, time: '2024-05-01T08:00:00', id: 1 }],
      rawRecords: ['7,2,13,3,24,9,0,0,120,0,1,0,0,0,0,0,0,0,0', neoRecord({ kind: 'glucose', value: 103, time: '2024-05-01T10:00:00' }, 3)],
    });
    const path = bus.plug(sim);
    const readings = await (await openSession(bus, path)).readMemory!(FAST);
    expect(readings.map((r) => r.measurements[0]?.value ?? r.problem)).toEqual([101, 'The device sent an invalid date or time in record 2.', 103]);
    expect(readings[1].measurements).toEqual([]);
  });

  it('drivers declare their USB ids', () => {
    expect(freestyleNeoDriver.matches).toEqual([{ vendorId: 0x1a61, productId: 0x3850 }]);
    expect(freestyleLibreDriver.matches.map((m) => m.productId)).toEqual([0x3650, 0x3670]);
  });
});
