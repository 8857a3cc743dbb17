/**
 * A HEM-790IT session replayed from libomron's USB capture of the unit talking to Omron's own
 * software: doc/logs/hem790it/790IT_OneReading.html (USBlyzer, one reading stored). The protocol
 * notes (doc/omron_protocol_notes.asciidoc) say the bytes after a report's count are ignored, and
 * the captured host reports carry leftovers there, so host reports are compared on their count
 * and counted bytes; feature reports and everything the device sends are replayed as captured.
 *
 * WardLedger runs two stretches of that session: seq 0002–0130 (device-information mode 0x0101,
 * two unanswered clearing blocks, VER00, PRF00, SRL00) for identify(), and seq 0242–0319 plus
 * 0392–0463 (memory mode 0x312C, a clearing block answered by an empty report and `08 60 00 …`,
 * one answered "OK", then GDC, GME and END) for readMemory() and close(). Omron's software also
 * repeated the identification (seq 0134–0236) and asked VER00, PRF00 and GMA (weekly average) in
 * memory mode (seq 0326–0391); WardLedger does not.
 */
import { describe, expect, it } from 'vitest';
import { omron790Driver } from '../../../electron/core/devices/drivers/omron790';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import { ReplayDevice, type ReplayStep } from './replay';

const hex = (s: string): number[] => s.trim().split(/\s+/).map((b) => parseInt(b, 16));
const out = (at: string, report: string, device: string[] = []): ReplayStep => ({ at, host: { kind: 'output', bytes: hex(report) }, device: device.map(hex) });
const feature = (at: string, mode: string): ReplayStep => ({ at, host: { kind: 'feature', bytes: [0x00, ...hex(mode)] }, device: [] });
const clearingBlock = (at: string, device: string[] = []): ReplayStep[] => [
  out(at, '07 00 00 00 00 00 00 00'),
  out(at, '07 00 00 00 00 00 00 00'),
  out(at, '07 00 00 00 00 00 00 00'),
  out(at, '07 00 00 00 00 00 00 00'),
  out(at, '02 00 00 00 00 00 00 00', device),
];
const countAndCountedBytes = (expected: number[], actual: Uint8Array): boolean =>
  actual.length === expected.length && actual[0] === expected[0] && expected.slice(1, 1 + expected[0]).every((b, i) => actual[1 + i] === b);

const SESSION: ReplayStep[] = [
  feature('seq 0002 mode 01 01', '01 01'),
  ...clearingBlock('seq 0008–0035 clearing block, unanswered'),
  ...clearingBlock('seq 0041–0065 clearing block, unanswered'),
  out('seq 0074 VER00', '05 56 45 52 30 30 00 A4', ['07 4F 4B 00 4D 37 30 38', '07 30 49 54 20 32 30 37', '01 4A 49 00 20 32 30 37']),
  out('seq 0098 PRF00', '05 50 52 46 30 30 00 35', ['07 4F 4B 00 30 30 31 30', '07 31 30 30 30 30 30 00']),
  out('seq 0116 SRL00', '05 53 52 4C 30 30 0C 00', ['07 4F 4B 00 06 00 00 00', '04 00 00 00 06 00 00 00']),
  feature('seq 0242 mode 31 2C', '31 2C'),
  ...clearingBlock('seq 0248–0278 clearing block', ['00 00 00 00 00 00 00 00', '08 60 00 00 00 00 00 00']),
  ...clearingBlock('seq 0290–0314 clearing block', ['02 4F 4B 00 06 00 00 00']),
  out('seq 0392 GDC bank 0', '07 47 44 43 00 00 00 00'),
  out('seq 0398 GDC bank 0', '01 00 44 43 00 00 00 00', ['07 4F 4B 00 00 10 00 01', '01 11 4B 00 00 10 00 01']),
  out('seq 0416 GME bank 0 index 0', '07 47 4D 45 00 00 00 00'),
  out('seq 0422 GME bank 0 index 0', '01 00 4D 45 00 00 00 00', ['07 4F 4B 00 08 04 15 10', '07 0A 2E 00 00 81 4E 4D', '03 00 00 AF 00 81 4E 4D']),
  out('seq 0446 END', '05 45 4E 44 FF FF 7C 00', ['02 4F 4B AF 00 81 4E 4D', '05 4F 46 46 0D 0A 4E 4D']),
];

describe('Omron HEM-790IT session captured by libomron replays', () => {
  it('identifies the unit and downloads its one reading, every host report as captured', async () => {
    const bus = new SimulatedHidBus();
    const device = new ReplayDevice({ vendorId: 0x0590, productId: 0x0028, product: 'HEM-790IT' }, SESSION, countAndCountedBytes);
    const path = bus.plug(device);
    const info = (await bus.enumerate()).find((d) => d.path === path)!;
    const session = await omron790Driver.open(await bus.open(path), info);
    const identity = await session.identify({ timeoutMs: 200 });
    const readings = await session.readMemory!({ timeoutMs: 200 });
    await session.close();
    expect(device.deviations).toEqual([]);
    expect(device.finished).toBe(true);
    expect(identity).toMatchObject({ model: 'Omron HEM-790IT', firmware: 'M7080IT 207', serial: '06000000000000' });
    // 2008-04-21 16:10:46, 129/78 mmHg, pulse 77 (the capture's GME reply, check byte AF).
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({ kind: 'blood-pressure', deviceTime: '2008-04-21T16:10:46', flags: [] });
    expect(readings[0].measurements.map((m) => m.value)).toEqual([129, 78, 77]);
  });
});
