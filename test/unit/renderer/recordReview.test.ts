import { describe, expect, it } from 'vitest';
import type { RecordView } from '../../../electron/core/model/records';
import { computeNews2 } from '../../../electron/core/clinical/news2';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { flowsheetColumns, flowsheetWindow } from '../../../renderer/src/clinical/flowsheet';
import { filterRecords, newestFirst, pageHolding, pageOf, recordSummary } from '../../../renderer/src/clinical/recordList';
import { reviewFromHistory } from '../../../renderer/src/clinical/recordReview';

const nurse = { address: '0x' + '1'.repeat(40), name: 'Nina Nurse', role: 'nurse' as const };
const doctor = { address: '0x' + '2'.repeat(40), name: 'Grace Hopper', role: 'doctor' as const };
const verified = { status: 'verified' as const, signatureValid: true, contentMatchesAnchor: true, anchored: true, wardBlock: 5, wardTx: null, batchRoot: null, problems: [] };

function vitals(id: string, at: string, input: unknown, extra: Partial<RecordView> = {}, scale: 1 | 2 = 1): RecordView {
  const v = validateVitals(input);
  if (!v.ok) throw new Error('bad vitals');
  return {
    id,
    kind: 'vitals',
    createdAt: at,
    measuredAt: at,
    author: nurse,
    amends: null,
    amendedBy: [],
    superseded: false,
    content: { measuredAt: at, vitals: v.value, news2: computeNews2(v.value, { scale }) },
    provenance: verified,
    ...extra,
  };
}
function note(id: string, at: string, text: string): RecordView {
  return { id, kind: 'note', createdAt: at, measuredAt: at, author: doctor, amends: null, amendedBy: [], superseded: false, content: { note: text }, provenance: verified };
}

const full = { respiratoryRate: 16, spo2: 97, supplementalOxygen: false, systolic: 125, diastolic: 80, pulse: 70, consciousness: 'A', temperature: { value: 37, unit: 'Cel' } };

describe('flowsheet', () => {
  it('puts each set in a column at its measured time, oldest left, each value with its NEWS2 sub-score', () => {
    // RCP table (shared/reference/CLINICAL.md): RR 22 → 2, SpO2 93 (Scale 1) → 2, oxygen → 2,
    // systolic 95 → 2, pulse 115 → 2, confusion → 3, 38.5 °C → 1: total 14, high.
    const sick = { respiratoryRate: 22, spo2: 93, supplementalOxygen: true, oxygenDevice: 'nasal-cannula', oxygenFlow: 2, systolic: 95, diastolic: 60, pulse: 115, consciousness: 'C', temperature: { value: 38.5, unit: 'Cel' } };
    const cols = flowsheetColumns([vitals('0xb', '2025-03-01T12:00:00Z', sick), vitals('0xa', '2025-03-01T08:00:00Z', full), note('0xn', '2025-03-01T09:00:00Z', 'Seen')]);
    expect(cols.map((c) => c.id)).toEqual(['0xa', '0xb']);
    const [calm, ill] = cols;
    expect(Object.values(calm!.cells).filter((c) => c.score !== null).map((c) => c.score)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(calm!.cells.news2).toMatchObject({ text: '0', band: 'low' });
    const scores = Object.fromEntries(Object.entries(ill!.cells).map(([k, c]) => [k, c.score]));
    expect(scores).toEqual({ respiratoryRate: 2, spo2: 2, airOrOxygen: 2, bloodPressure: 2, pulse: 2, consciousness: 3, temperature: 1, news2: null });
    expect(ill!.cells.news2).toMatchObject({ text: '14', band: 'high' });
    expect(ill!.cells.airOrOxygen).toMatchObject({ text: 'O2', detail: '2 L NC' });
    expect(ill!.cells.bloodPressure!.text).toBe('95/60');
  });

  it('keeps a corrected set as a superseded column, its correction right of it; a tampered set shows no values', () => {
    const original = vitals('0xa', '2025-03-01T08:00:00Z', { ...full, pulse: 170 }, { amendedBy: ['0xd'], superseded: true });
    const correction = vitals('0xd', '2025-03-01T09:30:00Z', { ...full, pulse: 71 }, { kind: 'amendment', amends: '0xa', measuredAt: '2025-03-01T08:00:00Z' });
    const tampered = vitals('0xt', '2025-03-01T10:00:00Z', full, { provenance: { ...verified, status: 'tampered', contentMatchesAnchor: false } });
    const cols = flowsheetColumns([correction, tampered, original]);
    expect(cols.map((c) => [c.id, c.state, c.correction])).toEqual([
      ['0xa', 'superseded', false],
      ['0xd', 'in-force', true],
      ['0xt', 'failed', false],
    ]);
    expect(cols[0]!.cells.pulse).toMatchObject({ text: '170', score: 3 });
    expect(cols[2]!.cells).toEqual({});
  });

  it('labels SpO2 by the scale the set was scored on (Scale 2: 95 % on oxygen scores 2)', () => {
    const cols = flowsheetColumns([vitals('0xa', '2025-03-01T08:00:00Z', { ...full, spo2: 95, supplementalOxygen: true }, {}, 2)]);
    expect(cols[0]!.cells.spo2).toMatchObject({ text: '95', score: 2 });
  });

  it('shows the newest window first and pages back to the oldest', () => {
    expect(flowsheetWindow(100, 0, 36)).toEqual({ start: 64, end: 100, earlier: true, later: false });
    expect(flowsheetWindow(100, 2, 36)).toEqual({ start: 0, end: 28, earlier: false, later: true });
    expect(flowsheetWindow(5, 0, 36)).toEqual({ start: 0, end: 5, earlier: false, later: false });
  });
});

describe('record list', () => {
  const now = Date.parse('2025-03-05T12:00:00Z');
  const records = newestFirst([
    vitals('0x1', '2025-03-01T08:00:00Z', full),
    note('0x2', '2025-03-05T09:00:00Z', 'Comfortable overnight'),
    vitals('0x3', '2025-03-05T08:00:00Z', { ...full, pulse: 95 }),
    vitals('0x4', '2025-03-04T08:00:00Z', full, { author: doctor }),
  ]);

  it('orders newest measured first and filters by kind, author and period', () => {
    expect(records.map((r) => r.id)).toEqual(['0x2', '0x3', '0x4', '0x1']);
    expect(filterRecords(records, { kind: 'vitals', author: 'all', period: 'all' }, now).map((r) => r.id)).toEqual(['0x3', '0x4', '0x1']);
    expect(filterRecords(records, { kind: 'all', author: doctor.address, period: 'all' }, now).map((r) => r.id)).toEqual(['0x2', '0x4']);
    expect(filterRecords(records, { kind: 'all', author: 'all', period: '24h' }, now).map((r) => r.id)).toEqual(['0x2', '0x3']);
    expect(filterRecords(records, { kind: 'vitals', author: nurse.address, period: '72h' }, now).map((r) => r.id)).toEqual(['0x3']);
  });

  it('pages 50 at a time and finds the page holding a record', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => i);
    expect(pageOf(many, 0)).toMatchObject({ page: 0, pages: 200, from: 1, to: 50, total: 10_000 });
    expect(pageOf(many, 199).items).toHaveLength(50);
    expect(pageOf(many, 500)).toMatchObject({ page: 199, from: 9_951, to: 10_000 });
    expect(pageOf([], 3)).toMatchObject({ page: 0, pages: 1, from: 0, to: 0 });
    expect(pageHolding(records, '0x1', 2)).toBe(1);
    expect(pageHolding(records, '0xnone', 2)).toBeNull();
  });

  it('sums a record up in one line of key values', () => {
    expect(recordSummary(records[0]!)).toBe('Comfortable overnight');
    expect(recordSummary(records[1]!)).toMatch(/^RR 16\/min · SpO2 97% on air · BP 125\/80 mmHg · Pulse 95\/min/);
    expect(recordSummary({ ...records[1]!, content: null })).toBe('The content of this record cannot be read.');
  });

  it('is fed by one adapter of the records/history reply', () => {
    const review = reviewFromHistory({ patient: { address: '0x' + '3'.repeat(40), name: 'Pat', age: 70 } as never, news2Scale: 2, breakGlass: false, readOnly: null, records: [...records].reverse(), window: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-04T00:00:00.000Z', earlier: null }, storeCheck: { missingRecords: 0, missingUnattributed: 0, extraCopies: 0, consentCorrected: 0, consentMissing: 0, auditRestored: 0, warning: null } });
    expect(review.records.map((r) => r.id)).toEqual(['0x2', '0x3', '0x4', '0x1']);
    expect(review.flowsheet.map((c) => c.id)).toEqual(['0x1', '0x4', '0x3']);
    expect(review.charts.series.find((s) => s.key === 'pulse')!.datasets[0]!.points.map((p) => p.y)).toEqual([70, 70, 95]);
    expect(review.news2Scale).toBe(2);
  });
});

describe('provenance in words', () => {
  it('never shows a verified status that contradicts its own checks as verified', async () => {
    const { shownStatus, provenanceChecks } = await import('../../../renderer/src/clinical/provenanceDisplay');
    expect(shownStatus(verified)).toBe('verified');
    expect(shownStatus({ ...verified, contentMatchesAnchor: false })).toBe('unverifiable');
    expect(shownStatus({ ...verified, signatureValid: false })).toBe('unverifiable');
    expect(shownStatus({ ...verified, status: 'tampered', contentMatchesAnchor: false })).toBe('tampered');
    const checks = provenanceChecks({ ...verified, wardTx: '0x' + 'ab'.repeat(32), batchRoot: '0x' + 'cd'.repeat(32) });
    expect(checks.map((c) => [c.label, c.ok])).toEqual([
      ['Signature', true],
      ['Anchor', true],
      ['Ward chain block', null],
      ['Transaction', null],
      ['Batch proof root', null],
    ]);
    expect(provenanceChecks({ ...verified, anchored: false, wardBlock: null }).map((c) => c.value)).toEqual(['Valid: signed by the author shown', 'Not yet anchored on the ward chain']);
  });

  it('lists the records that failed verification first, each group in the report order', async () => {
    const { failedFirst } = await import('../../../renderer/src/clinical/provenanceDisplay');
    const items = [
      { id: 'a', ok: true },
      { id: 'b', ok: true },
      { id: 'c', ok: false },
      { id: 'd', ok: true },
      { id: 'e', ok: false },
    ];
    expect(failedFirst(items).map((i) => i.id)).toEqual(['c', 'e', 'a', 'b', 'd']);
    expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd', 'e']); // the report itself is left as it is
  });
});
