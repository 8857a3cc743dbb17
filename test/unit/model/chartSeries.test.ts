import { describe, expect, it } from 'vitest';
import type { RecordView } from '../../../electron/core/model/records';
import { computeNews2 } from '../../../electron/core/clinical/news2';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { chartSeries, effectiveVitals } from '../../../electron/core/model/chartSeries';

const author = { address: '0x' + '1'.repeat(40), name: 'Nina Nurse', role: 'nurse' as const };
const verified = {
  status: 'verified' as const,
  signatureValid: true,
  contentMatchesAnchor: true,
  anchored: true,
  wardBlock: 5,
  wardTx: null,
  batchRoot: null,
  problems: [],
};

function record(id: string, at: string, input: unknown, extra: Partial<RecordView> = {}): RecordView {
  const v = validateVitals(input);
  if (!v.ok) throw new Error('bad vitals');
  return {
    id,
    kind: 'vitals',
    createdAt: at,
    measuredAt: at,
    author,
    amends: null,
    amendedBy: [],
    superseded: false,
    content: { vitals: v.value, news2: computeNews2(v.value) },
    provenance: verified,
    ...extra,
  };
}

const full = { respiratoryRate: 16, spo2: 97, supplementalOxygen: false, systolic: 125, pulse: 70, consciousness: 'A', temperature: { value: 37, unit: 'Cel' } };

describe('chart series from records', () => {
  it('puts sets in time order, one series per vital, NEWS2 only for complete sets', () => {
    const records = [
      record('0xb', '2025-03-01T12:00:00Z', { ...full, pulse: 95 }),
      record('0xa', '2025-03-01T08:00:00Z', full),
      record('0xc', '2025-03-01T16:00:00Z', { pulse: 120 }),
    ];
    const { series, excluded } = chartSeries(records);
    expect(excluded).toBe(0);
    const pulse = series.find((s) => s.key === 'pulse')!;
    expect(pulse.datasets[0].points.map((p) => p.y)).toEqual([70, 95, 120]);
    const news2 = series.find((s) => s.key === 'news2')!;
    expect(news2.datasets[0].points.map((p) => p.y)).toEqual([0, 1]);
    expect(series.find((s) => s.key === 'bloodPressure')!.datasets.map((d) => d.label)).toEqual(['Systolic', 'Diastolic']);
  });

  it('a history newest first comes out oldest first; sets taken at the same time keep the order they were listed in', () => {
    const pulses = (records: RecordView[]) => chartSeries(records).series.find((s) => s.key === 'pulse')!.datasets[0].points.map((p) => [p.t, p.y]);
    const t = (h: number) => Date.parse(`2025-03-01T${String(h).padStart(2, '0')}:00:00Z`);
    const newestFirst = [16, 12, 8].map((h, i) => record(`0x${i}`, new Date(t(h)).toISOString(), { ...full, pulse: 60 + h }));
    expect(pulses(newestFirst)).toEqual([[t(8), 68], [t(12), 72], [t(16), 76]]);
    // Two sets at 12:00 (listed 81 then 82) among newest-first ones: a stable sort by time.
    const tied = [16, 12, 12, 8].map((h, i) => record(`0x${i}`, new Date(t(h)).toISOString(), { ...full, pulse: 80 + i }));
    expect(pulses(tied)).toEqual([[t(8), 83], [t(12), 81], [t(12), 82], [t(16), 80]]);
    const mixed = [12, 16, 8].map((h, i) => record(`0x${i}`, new Date(t(h)).toISOString(), { ...full, pulse: 90 + i }));
    expect(pulses(mixed)).toEqual([[t(8), 92], [t(12), 90], [t(16), 91]]);
  });

  it('leaves tampered and unreadable records out, and counts them', () => {
    const tampered = record('0xa', '2025-03-01T08:00:00Z', full, {
      provenance: { ...verified, status: 'tampered', contentMatchesAnchor: false, problems: ['Content does not match its anchor.'] },
    });
    const unreadable = { ...record('0xb', '2025-03-01T09:00:00Z', full), content: null };
    const good = record('0xc', '2025-03-01T10:00:00Z', { ...full, pulse: 88 });
    const { points, excluded } = effectiveVitals([tampered, unreadable, good]);
    expect(excluded).toBe(2);
    expect(points.map((p) => p.vitals.pulse)).toEqual([88]);
  });

  it('draws an amended set with the corrected values at the original time', () => {
    const original = record('0xa', '2025-03-01T08:00:00Z', { ...full, pulse: 170 }, { amendedBy: ['0xd'] });
    // The core signs the correction with the original's measured time.
    const correction = record('0xd', '2025-03-01T09:30:00Z', { ...full, pulse: 71 }, { kind: 'amendment', amends: '0xa', measuredAt: '2025-03-01T08:00:00Z' });
    const { points } = effectiveVitals([original, correction]);
    expect(points).toHaveLength(1);
    expect(points[0].vitals.pulse).toBe(71);
    expect(points[0].t).toBe(Date.parse('2025-03-01T08:00:00Z'));
  });

  it('charts a set at the time it was measured, not when it was recorded (a late entry, a meter reading)', () => {
    const late = record('0xl', '2025-03-01T12:00:00Z', { ...full, pulse: 88 }, { measuredAt: '2025-03-01T07:00:00Z' });
    const onTime = record('0xo', '2025-03-01T10:00:00Z', { ...full, pulse: 77 });
    const { points } = effectiveVitals([onTime, late]);
    expect(points.map((p) => [p.t, p.vitals.pulse])).toEqual([
      [Date.parse('2025-03-01T07:00:00Z'), 88],
      [Date.parse('2025-03-01T10:00:00Z'), 77],
    ]);
  });

  it('charts the oxygen given (flow or FiO2) at each set’s time', () => {
    const { series } = chartSeries([
      record('0x1', '2025-03-01T08:00:00Z', { ...full, supplementalOxygen: true, oxygenDevice: 'nasal-cannula', oxygenFlow: 2 }),
      record('0x2', '2025-03-01T12:00:00Z', { ...full, supplementalOxygen: true, oxygenDevice: 'venturi', fio2: 35 }),
    ]);
    const oxygen = series.find((s) => s.key === 'oxygen')!;
    expect(oxygen.datasets.map((d) => [d.label, d.points.map((p) => p.y)])).toEqual([
      ['Flow (L/min)', [2]],
      ['FiO2 (%)', [35]],
    ]);
  });

  it('leaves out a set the core marks superseded', () => {
    const { points } = effectiveVitals([record('0xs', '2025-03-01T10:00:00Z', full, { superseded: true })]);
    expect(points).toEqual([]);
  });

  it('keeps the original when its correction is itself tampered', () => {
    const original = record('0xa', '2025-03-01T08:00:00Z', { ...full, pulse: 80 }, { amendedBy: ['0xd'] });
    const bad = record('0xd', '2025-03-01T09:30:00Z', { ...full, pulse: 71 }, {
      kind: 'amendment',
      amends: '0xa',
      provenance: { ...verified, status: 'tampered', signatureValid: false },
    });
    const { points, excluded } = effectiveVitals([original, bad]);
    expect(points.map((p) => p.vitals.pulse)).toEqual([80]);
    expect(excluded).toBe(1);
  });
});
