/**
 * Issue 9 item 7: assigning the same pending device readings twice at once must record them once.
 * Real concurrency through the router: two clinicians' calls are in flight together on one core
 * (the second arrives while the first is signing, encrypting and anchoring).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevicesOverview, PendingReading } from '../../../electron/core/model/devices';
import type { WardCore } from '../../../electron/core/shellContract';
import { removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';
import { until } from '../../support/until';

describe('devices/assign under concurrent calls', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let recordable: PendingReading[];
  // The simulated meter's memory predates the admission: each call says the clinician has seen that.
  const confirmTimes = true;
  const list = () => w.callers.nurse.ok('devices/list', {}) as Promise<DevicesOverview>;
  const deviceRecords = async () => (await w.callers.doctor.ok('records/history', { patient: w.addresses.patient })).records.filter((r) => r.content?.device);

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir, { simulate: ['freestyle-neo'] });
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '3', responsibleDoctor: w.addresses.doctor });
    const o = await until(list, (x) => x.pending.length > 3, 'the meter download');
    recordable = o.pending.filter((p) => p.kind === 'glucose' && !p.flags.includes('control-solution') && !p.problem && p.deviceTime);
    expect(recordable.length).toBeGreaterThanOrEqual(3);
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('records a reading once when two clinicians assign it at the same moment', async () => {
    const ids = [recordable[0]!.id];
    const results = await Promise.all([
      w.callers.nurse.raw('devices/assign', { readingIds: ids, patient: w.addresses.patient, confirmTimes }),
      w.callers.doctor.raw('devices/assign', { readingIds: ids, patient: w.addresses.patient, confirmTimes }),
    ]);
    const recorded = results.map((r) => (r.ok ? (r.result as { recorded: number }).recorded : 0));
    expect(recorded.reduce((a, b) => a + b, 0)).toBe(1);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.ok ? null : refused[0]!.error.code).toMatch(/^(CONFLICT|NOT_FOUND)$/);
    expect(await deviceRecords()).toHaveLength(1);
  });

  it('records overlapping selections once each, whatever order the calls interleave in', async () => {
    const [a, b, c] = [recordable[1]!.id, recordable[2]!.id, recordable[3]?.id ?? recordable[2]!.id];
    const results = await Promise.all([
      w.callers.nurse.raw('devices/assign', { readingIds: [a, b], patient: w.addresses.patient, confirmTimes }),
      w.callers.doctor.raw('devices/assign', { readingIds: [b, c], patient: w.addresses.patient, confirmTimes }),
      w.callers.nurse.raw('devices/assign', { readingIds: [a], patient: w.addresses.patient, confirmTimes }),
    ]);
    const distinct = new Set([a, b, c]).size;
    const recorded = results.map((r) => (r.ok ? (r.result as { recorded: number }).recorded : 0)).reduce((x, y) => x + y, 0);
    expect(recorded).toBeLessThanOrEqual(distinct);
    // Every reading chosen is recorded exactly once (the refused calls name what stopped them).
    const records = await deviceRecords();
    const byDeviceRecord = new Map<string, number>();
    for (const r of records) byDeviceRecord.set(r.content!.device!.deviceRecordId, (byDeviceRecord.get(r.content!.device!.deviceRecordId) ?? 0) + 1);
    expect([...byDeviceRecord.values()].every((n) => n === 1)).toBe(true);
    expect(records.length).toBe(1 + recorded);
    // Whatever was refused is still pending (nothing lost), and can be assigned now.
    const still = (await list()).pending.filter((p) => [a, b, c].includes(p.id)).map((p) => p.id);
    if (still.length) await w.callers.nurse.ok('devices/assign', { readingIds: still, patient: w.addresses.patient, confirmTimes });
    expect(await deviceRecords()).toHaveLength(1 + distinct);
  });
});
