/**
 * The ward board's grid rules without a browser: each NEWS2 parameter in its own cell with the
 * sub-score the core computed (checked against the RCP NEWS2 Chart 1 bands, as tabled in
 * /work/shared/reference/CLINICAL.md), the total chips (0 apart from 1–4: RCP NEWS2 Chart 4 gives
 * 0 "minimum 12 hourly" and 1–4 "minimum 4–6 hourly", a registered nurse assessing), and the sort,
 * filter and stored-view rules.
 */
import { describe, expect, it } from 'vitest';
import { computeNews2 } from '../../../electron/core/clinical/news2';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import type { News2Band, ObservationStatus, ObservationSummary } from '../../../renderer/src/api/contract';
import { parameterCells, parameterColumns, subScoreClass } from '../../../renderer/src/clinical/boardCells';
import {
  arrangeEntries,
  defaultBoardView,
  filterSummary,
  matchesFilter,
  parseBoardView,
  sortEntries,
  type BoardEntry,
} from '../../../renderer/src/clinical/boardOrder';
import { badgeClass, parameterOrder } from '../../../renderer/src/clinical/news2Display';
import { patientMenuItems } from '../../../renderer/src/components/board/rowMenu';

function summary(input: unknown, scale: 1 | 2 = 1): ObservationSummary {
  const r = validateVitals(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return { recordId: '0x01', measuredAt: '2026-01-01T10:00:00Z', vitals: r.value, news2: computeNews2(r.value, { scale }), source: 'entered', correction: false };
}

const calm = { respiratoryRate: 16, spo2: 97, supplementalOxygen: false, systolic: 124, diastolic: 76, pulse: 72, consciousness: 'A', temperature: { value: 36.8, unit: 'Cel' } };

describe('parameter cells', () => {
  it('keep the RCP chart order of the seven parameters', () => {
    expect(parameterColumns.map((c) => c.key)).toEqual(parameterOrder);
  });

  it('show each value with the sub-score of its RCP band, in words for screen readers', () => {
    // RR 24 → 2 (21–24), SpO2 92 → 2 (92–93), oxygen → 2, SBP 96 → 2 (91–100), pulse 104 → 1 (91–110),
    // alert → 0, 38.4 °C → 1 (38.1–39.0): RCP NEWS2 Chart 1.
    const set = summary({ respiratoryRate: 24, spo2: 92, supplementalOxygen: true, oxygenDevice: 'nasal-cannula', oxygenFlow: 2, systolic: 96, diastolic: 65, pulse: 104, consciousness: 'A', temperature: { value: 38.4, unit: 'Cel' } });
    const cells = parameterCells(set);
    expect(cells.map((c) => [c.key, c.text, c.subScore])).toEqual([
      ['respiratoryRate', '24', 2],
      ['spo2', '92', 2],
      ['airOrOxygen', 'O2 2 L', 2],
      ['systolic', '96/65', 2],
      ['pulse', '104', 1],
      ['consciousness', 'A', 0],
      ['temperature', '38.4', 1],
    ]);
    expect(cells[2]!.spoken).toBe('On oxygen: Nasal cannula 2 L/min, scores 2');
    expect(cells[4]!.spoken).toBe('Pulse 104/min, scores 1');
    expect(cells.map((c) => subScoreClass(c.subScore))).toEqual(['sub--2', 'sub--2', 'sub--2', 'sub--2', 'sub--1', 'sub--0', 'sub--1']);
  });

  it('mark SpO2 scored on Scale 2, and a single parameter scoring 3', () => {
    // Scale 2: SpO2 95 on oxygen → 2 (95–96 on oxygen); RR 26 → 3 (≥ 25).
    const cells = parameterCells(summary({ ...calm, respiratoryRate: 26, spo2: 95, supplementalOxygen: true, fio2: 28, oxygenDevice: 'venturi' }, 2));
    expect(cells[1]).toMatchObject({ text: '95', tag: 'S2', subScore: 2, spoken: 'SpO2 95% on Scale 2, scores 2' });
    expect(cells[2]!.text).toBe('O2 28%');
    expect(cells[0]).toMatchObject({ text: '26', subScore: 3 });
    expect(subScoreClass(3)).toBe('sub--3');
  });

  it('say "not measured" for a missing parameter, and for every cell without a set', () => {
    const partial = parameterCells(summary({ respiratoryRate: 18, pulse: 80 }));
    expect(partial[3]).toMatchObject({ text: '—', subScore: null, spoken: 'Blood pressure: not measured' });
    expect(parameterCells(null).every((c) => c.text === '—' && c.subScore === null)).toBe(true);
    expect(subScoreClass(null)).toBe('sub--none');
  });
});

describe('NEWS2 total chips', () => {
  it('give 0 its own chip apart from 1–4, and each band its colour', () => {
    const zero = summary(calm).news2;
    const four = summary({ ...calm, respiratoryRate: 22, temperature: { value: 38.4, unit: 'Cel' }, pulse: 95 }).news2; // 2 + 1 + 1
    const singleThree = summary({ ...calm, respiratoryRate: 26 }).news2;
    const medium = summary({ ...calm, respiratoryRate: 22, spo2: 94, systolic: 105, pulse: 95, temperature: { value: 38.4, unit: 'Cel' } }).news2;
    expect([zero.aggregate, four.aggregate, singleThree.aggregate, medium.aggregate]).toEqual([0, 4, 3, 6]);
    expect([zero, four, singleThree, medium].map(badgeClass)).toEqual(['band--zero', 'band--low', 'band--low-medium', 'band--medium']);
    expect(new Set([zero, four].map(badgeClass)).size).toBe(2);
  });
});

function entry(bed: string, risk: News2Band | null, opts: { aggregate?: number; overdue?: boolean; dueAt?: string; escalationDue?: boolean; restricted?: boolean } = {}): BoardEntry {
  const set = opts.aggregate === undefined ? null : { ...summary(calm), news2: { ...summary(calm).news2, aggregate: opts.aggregate } };
  const observations: ObservationStatus | null = opts.restricted
    ? null
    : {
        lastComplete: set,
        newerReading: null,
        risk,
        riskFromNewerReading: false,
        dueAt: opts.dueAt ?? '2026-01-01T12:00:00Z',
        overdue: opts.overdue ?? false,
        escalationDue: opts.escalationDue ?? false,
        escalation: null,
        unverified: [],
      };
  return { patient: { address: `0x${bed}`, name: `P ${bed}`, role: 'patient', age: 50, dob: null, hospitalNumber: null }, bed, news2Scale: 1, responsibleDoctor: null, observations, restricted: !!opts.restricted };
}

describe('board order and filters', () => {
  const rows = [
    entry('10', 'low', { aggregate: 2, dueAt: '2026-01-01T14:00:00Z' }),
    entry('2', 'high', { aggregate: 8, dueAt: '2026-01-01T11:00:00Z', escalationDue: true }),
    entry('1', 'medium', { aggregate: 5, overdue: true, dueAt: '2026-01-01T09:00:00Z' }),
    entry('3', null, { restricted: true }),
    entry('4', 'high', { aggregate: 9, dueAt: '2026-01-01T10:30:00Z' }),
    entry('5', 'low-medium', { aggregate: 3, overdue: true, dueAt: '2026-01-01T08:00:00Z' }),
    entry('6', null, { dueAt: '2026-01-01T10:00:00Z' }),
  ];
  const beds = (list: BoardEntry[]) => list.map((e) => e.bed);

  it('sort by bed in natural order (2 before 10)', () => {
    expect(beds(sortEntries(rows, 'bed'))).toEqual(['1', '2', '3', '4', '5', '6', '10']);
  });

  it('sort by risk: highest band, then highest total, then overdue; restricted rows last', () => {
    expect(beds(sortEntries(rows, 'risk'))).toEqual(['4', '2', '1', '5', '10', '6', '3']);
  });

  it('sort by due time: most overdue first; restricted rows last', () => {
    expect(beds(sortEntries(rows, 'due'))).toEqual(['5', '1', '6', '4', '2', '10', '3']);
  });

  it('filter to a band and above, overdue, awaiting escalation; restricted rows only when unfiltered', () => {
    expect(beds(arrangeEntries(rows, { ...defaultBoardView, band: 'medium' }))).toEqual(['1', '2', '4']);
    expect(beds(arrangeEntries(rows, { ...defaultBoardView, band: 'low-medium', sort: 'risk' }))).toEqual(['4', '2', '1', '5']);
    expect(beds(arrangeEntries(rows, { ...defaultBoardView, overdueOnly: true }))).toEqual(['1', '5']);
    expect(beds(arrangeEntries(rows, { ...defaultBoardView, escalationOnly: true }))).toEqual(['2']);
    expect(matchesFilter(rows[3]!, defaultBoardView)).toBe(true);
    expect(matchesFilter(rows[3]!, { ...defaultBoardView, band: 'high' })).toBe(false);
    expect(filterSummary({ ...defaultBoardView, band: 'medium', overdueOnly: true }, 1, 30)).toBe('Showing 1 of 30 beds: medium and above, overdue.');
    expect(filterSummary(defaultBoardView, 30, 30)).toBeNull();
  });

  it('read a stored view back, falling back field by field on damaged or unknown values', () => {
    const view = { sort: 'risk', band: 'high', overdueOnly: true, escalationOnly: false };
    expect(parseBoardView(JSON.stringify(view))).toEqual(view);
    expect(parseBoardView('{not json')).toEqual(defaultBoardView);
    expect(parseBoardView(null)).toEqual(defaultBoardView);
    expect(parseBoardView(JSON.stringify({ sort: 'name', band: 'toString', overdueOnly: 'yes', escalationOnly: true }))).toEqual({ ...defaultBoardView, escalationOnly: true });
  });
});

describe('row actions', () => {
  const patient = { address: '0xabc', name: 'Mary Major', role: 'patient' as const };
  it('offer the escalation for the set that asked for it, and discharge only to who may', () => {
    const base = entry('1', 'high', { aggregate: 8, escalationDue: true }).observations!;
    const newer = { ...summary(calm), recordId: '0xnewer' };
    const items = patientMenuItems(patient, { ...base, newerReading: newer, riskFromNewerReading: true }, { enterVitals: true, discharge: false });
    expect(items.map((i) => i.label)).toEqual(['Enter vitals for Mary Major', 'Open record of Mary Major', 'Record escalation for Mary Major']);
    expect(items[2]!.to).toEqual({ name: 'escalation', params: { patient: '0xabc', record: '0xnewer' } });
    expect(patientMenuItems(patient, base, { enterVitals: true, discharge: false })[2]!.to).toEqual({ name: 'escalation', params: { patient: '0xabc', record: '0x01' } });
    const nurse = patientMenuItems(patient, { ...base, escalationDue: false }, { enterVitals: true, discharge: true });
    expect(nurse.map((i) => i.text)).toEqual(['Enter vitals', 'Open record', 'Discharge…']);
    expect(nurse[2]).toMatchObject({ label: 'Discharge Mary Major', danger: true });
    expect(nurse[2]!.to).toBeUndefined();
    expect(patientMenuItems(patient, null, { enterVitals: false, discharge: false }).map((i) => i.key)).toEqual(['record']);
  });
});
