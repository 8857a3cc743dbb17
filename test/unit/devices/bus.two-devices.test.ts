import { describe, expect, it } from 'vitest';
import { matchDriver } from '../../../electron/core/devices/registry';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import { createSimulator } from '../../../electron/core/devices/simulators';
import type { DeviceReading } from '../../../electron/core/devices/types';

const values = (rs: DeviceReading[]): number[] => rs.map((r) => r.measurements[0].value);

describe('two devices at once', () => {
  it('a FreeStyle and a Contour read concurrently and both come back complete', async () => {
    const bus = new SimulatedHidBus();
    const neoReadings = Array.from({ length: 30 }, (_, i) => ({ kind: 'glucose' as const, value: 60 + i, time: `2024-06-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00` }));
    const contourReadings = Array.from({ length: 25 }, (_, i) => ({ value: 200 + i, time: `2024-07-01T${String(i % 24).padStart(2, '0')}:15:00` }));
    // Latency makes the two transfers genuinely interleave on the event loop.
    bus.plug(createSimulator('freestyle-neo', { readings: neoReadings, serial: 'AAAA111-11111' }), { faults: { latencyMs: 1 } });
    bus.plug(createSimulator('contour', { readings: contourReadings, serial: '7800-0000002' }), { faults: { latencyMs: 1 } });

    const sessions = await Promise.all(
      (await bus.enumerate()).map(async (info) => matchDriver(info)!.open(await bus.open(info.path), info)),
    );
    const [ids, memories] = await Promise.all([
      Promise.all(sessions.map((s) => s.identify({ timeoutMs: 500 }))),
      Promise.all(sessions.map((s) => s.readMemory!({ timeoutMs: 500 }))),
    ]);
    expect(ids.map((i) => i.serial)).toEqual(['AAAA111-11111', '7800-0000002']);
    expect(values(memories[0])).toEqual(neoReadings.map((r) => r.value));
    expect(values(memories[1])).toEqual(contourReadings.map((r) => r.value));
    await Promise.all(sessions.map((s) => s.close()));
  });

  it('two meters of the same model on one bus keep their data apart', async () => {
    const bus = new SimulatedHidBus();
    bus.plug(createSimulator('freestyle-libre', { serial: 'JCMV000-00001', readings: [{ kind: 'glucose', value: 101, time: '2024-01-01T01:01:01' }] }), { faults: { latencyMs: 1 } });
    bus.plug(createSimulator('freestyle-libre', { serial: 'JCMV000-00002', readings: [{ kind: 'glucose', value: 202, time: '2024-01-01T02:02:02' }] }), { faults: { latencyMs: 1 } });
    const results = await Promise.all(
      (await bus.enumerate()).map(async (info) => {
        const s = await matchDriver(info)!.open(await bus.open(info.path), info);
        const [id, rs] = [await s.identify({ timeoutMs: 500 }), await s.readMemory!({ timeoutMs: 500 })];
        return [id.serial, values(rs)];
      }),
    );
    expect(results).toEqual([
      ['JCMV000-00001', [101]],
      ['JCMV000-00002', [202]],
    ]);
  });
});
