/**
 * `records/chart` (charts of a period, what the record page's "7 days", "30 days" and "Whole record"
 * show) through the API on the real ward chain: the oxygen periods the charts shade come with the
 * series, and a break in a line is marked on the reading after a silence, before the series are
 * thinned, so it survives thinning. Sets more than 12 hours apart are a gap (RCP 2017 NEWS2: a score
 * of 0 is observed at least 12-hourly; chartSeries.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VitalsInput } from '../../../electron/core/model/vitals';
import type { WardCore } from '../../../electron/core/shellContract';
import { admittedWard, completeVitals, removeDir, type staffedWard } from '../../support/tempCore';

const onOxygen: VitalsInput = { ...completeVitals(74), spo2: 95, supplementalOxygen: true, oxygenDevice: 'nasal-cannula', oxygenFlow: 2 };
const HOUR = 3600_000;

describe('charts of a period', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  const taken: number[] = [];

  beforeAll(async () => {
    ({ dir, core, w } = await admittedWard());
    // On oxygen 30 and 26 hours ago, then a day without a set, then on air 2 hours ago.
    const now = Date.now();
    for (const [hoursAgo, vitals] of [[30, onOxygen], [26, onOxygen], [2, completeVitals(72)]] as const) {
      const at = now - hoursAgo * HOUR;
      taken.push(Math.floor(at / 1000) * 1000);
      await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals, takenAt: new Date(taken.at(-1)!).toISOString(), lateEntryReason: 'Entered from the paper chart' });
    }
  }, 120_000);
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('comes with the oxygen periods to shade and a break after the day without a set', async () => {
    const chart = await w.callers.doctor.ok('records/chart', { patient: w.addresses.patient, buckets: 50 });
    expect(chart.records).toBe(3);
    expect(chart.excluded).toBe(0);
    // From the first set on oxygen to the next set on air.
    expect(chart.oxygen).toEqual([{ from: taken[0], to: taken[2] }]);
    const spo2 = chart.series.find((s) => s.key === 'spo2')!.datasets[0]!.points;
    expect(spo2.map((p) => [p.t, p.y, p.afterGap ?? false])).toEqual([
      [taken[0], 95, false],
      [taken[1], 95, false],
      [taken[2], 97, true],
    ]);
  });

  it('charts by the time sets were taken: a period of the last day reads all three (stored now) and draws the one taken in it', async () => {
    const from = new Date(Date.now() - 20 * HOUR).toISOString();
    const chart = await w.callers.doctor.ok('records/chart', { patient: w.addresses.patient, from, to: new Date().toISOString() });
    expect(chart.records).toBe(3);
    expect(chart.series.find((s) => s.key === 'spo2')!.datasets[0]!.points.map((p) => p.t)).toEqual([taken[2]]);
  });

  it('draws a corrected set at its own time with the corrected values, the original no longer', async () => {
    const history = await w.callers.doctor.ok('records/history', { patient: w.addresses.patient });
    const original = history.records.find((r) => Date.parse(r.measuredAt) === taken[1])!;
    await w.callers.doctor.ok('records/amend', { recordId: original.id, reason: 'Probe was on the wrong finger', vitals: { ...onOxygen, spo2: 91 } });
    const chart = await w.callers.doctor.ok('records/chart', { patient: w.addresses.patient });
    expect(chart.records).toBe(4);
    const spo2 = chart.series.find((s) => s.key === 'spo2')!.datasets[0]!.points;
    expect(spo2.map((p) => [p.t, p.y])).toEqual([
      [taken[0], 95],
      [taken[1], 91],
      [taken[2], 97],
    ]);
  });

  it('is a read of the record: the patient sees it in their access log', async () => {
    const log = await w.callers.patient.ok('audit/list', {});
    expect(log.entries.some((e) => e.action === 'read' && e.actor.address === w.addresses.doctor)).toBe(true);
  });
});
