/**
 * A Microlife BP B3 memory dump replayed: vytautas-valaitis/microlife_bp, file `notes` (the reply
 * to the fetch-all request, 29 records, check byte 35) and bp.py (the host writes the 13-byte
 * request in one write whose first byte is its length; replies are read as 8-byte reports whose
 * low nibble counts the valid bytes). The notes keep the reply's bytes, not how they were cut into
 * reports; they are replayed here in full reports of seven.
 *
 * Ten of the records were taken before the monitor's clock was set (month and day 0): the whole
 * memory used to be thrown away for them.
 */
import { describe, expect, it } from 'vitest';
import { microlifeB3Driver } from '../../../electron/core/devices/drivers/microlifeB3';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import { ReplayDevice } from './replay';

const HEADER = [77, 58, 1, 73, 0, 0, 0, 29, 1, ...new Array<number>(33).fill(0)];
const RECORDS = `144 68 51 17 0 0 0 0 128 0
147 67 50 17 0 0 0 0 128 0
127 65 50 17 0 0 0 0 128 0
143 70 58 17 0 0 0 0 128 0
147 63 50 17 0 0 0 0 128 0
144 61 48 17 0 0 0 0 128 0
144 61 52 17 0 0 0 0 128 0
130 55 51 17 0 0 0 0 128 0
131 61 42 17 0 0 0 0 128 0
137 60 48 17 0 0 0 0 128 0
134 70 68 22 7 17 17 2 128 0
147 59 48 22 7 17 17 56 192 0
131 59 49 22 7 17 17 57 128 0
155 74 46 22 7 17 22 5 128 0
148 72 45 22 7 17 22 7 128 0
141 69 44 22 7 17 22 9 128 0
145 74 46 22 7 17 22 23 128 0
143 71 47 22 7 17 22 38 128 0
153 63 45 22 7 17 23 49 128 0
157 72 55 22 7 18 12 3 128 0
158 70 55 22 7 18 12 4 128 0
148 70 60 22 7 18 12 7 0 0
153 83 56 22 7 18 12 51 128 0
119 61 54 22 7 18 12 56 128 0
140 72 65 22 7 18 13 24 0 0
143 71 52 22 7 18 6 9 128 0
138 59 45 22 7 18 10 0 128 0
137 62 49 22 7 18 11 32 128 0
121 68 47 22 7 18 21 30 128 0`
  .split('\n')
  .map((line) => line.trim().split(/\s+/).map(Number));
const REPLY = [...HEADER, ...RECORDS.flat(), 35];

function inReportsOfSeven(bytes: number[]): number[][] {
  const reports: number[][] = [];
  for (let i = 0; i < bytes.length; i += 7) {
    const chunk = bytes.slice(i, i + 7);
    reports.push([chunk.length, ...chunk, ...new Array<number>(7 - chunk.length).fill(0)]);
  }
  return reports;
}

describe('Microlife BP B3 dump from microlife_bp replays', () => {
  it('keeps all 29 readings: the 10 taken before the clock was set come through with their time unknown', async () => {
    expect(REPLY.slice(0, -1).reduce((a, b) => a + b, 0) % 256).toBe(35); // the dump is whole
    const bus = new SimulatedHidBus();
    const device = new ReplayDevice({ vendorId: 0x04d9, productId: 0xb554, product: 'BP B3 Comfort PC' }, [
      {
        at: 'bp.py fetch-all request',
        host: { kind: 'output', bytes: [13, 0x4d, 0xff, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52] },
        device: inReportsOfSeven(REPLY),
      },
    ]);
    const path = bus.plug(device);
    const info = (await bus.enumerate()).find((d) => d.path === path)!;
    const session = await microlifeB3Driver.open(await bus.open(path), info);
    const readings = await session.readMemory!({ timeoutMs: 200 });
    await session.close();
    expect(device.deviations).toEqual([]);
    expect(device.finished).toBe(true);

    expect(readings).toHaveLength(29);
    expect(readings.every((r) => r.problem === undefined)).toBe(true);
    expect(readings.slice(0, 10).every((r) => r.deviceTime === undefined)).toBe(true);
    expect(readings[0].measurements.map((m) => m.value)).toEqual([144, 68, 51]);
    expect(readings[10]).toMatchObject({ deviceTime: '2022-07-17T17:02:00', flags: [] }); // "134 70 68 … # 17/07/2022 17:02"
    expect(readings[11].flags).toEqual(['irregular-heartbeat']); // flags 192 "# irregularity"
    expect(readings[21].flags).toEqual(['cuff-fit-error']); // flags 0 "# bad cuff fit"
    expect(readings[24].flags).toEqual(['cuff-fit-error']);
    expect(new Set(readings.map((r) => r.deviceRecordId)).size).toBe(29);
  });
});
