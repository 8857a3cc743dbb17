/**
 * The board's rule (ward/observationStatus.ts), record by record. Monitoring frequencies are those
 * of the RCP 2017 NEWS2 report's clinical response table: aggregate 0 → 12-hourly, 1–4 → 4–6-hourly,
 * a single 3 or 5–6 → hourly, ≥ 7 → continuous (shown as due every 15 minutes).
 */
import { describe, expect, it } from 'vitest';
import { observationContent } from '../../../electron/core/clinical/vitalsAssessment';
import type { VitalsInput } from '../../../electron/core/model/vitals';
import { byAttention, needsAttention, observationStatus, type ScannedRecord } from '../../../electron/core/ward/observationStatus';

const T0 = Date.parse('2026-03-10T08:00:00.000Z');
const min = 60_000;
const admission = { admittedAt: T0 - 60 * min, news2Scale: 1 as const };

const high: VitalsInput = { respiratoryRate: 26, spo2: 90, supplementalOxygen: true, oxygenDevice: 'simple-mask', oxygenFlow: 5, systolic: 95, diastolic: 60, pulse: 125, consciousness: 'A', temperature: { value: 38.5, unit: 'Cel' } };
const low: VitalsInput = { respiratoryRate: 16, spo2: 97, supplementalOxygen: false, systolic: 124, diastolic: 76, pulse: 72, consciousness: 'A', temperature: { value: 36.8, unit: 'Cel' } };

let n = 0;
function set(vitals: VitalsInput, takenAt: number, extra: Partial<ScannedRecord> = {}, missingReason?: string): ScannedRecord {
  const content = observationContent({ vitals, takenAt: new Date(takenAt).toISOString(), lateEntryReason: 'test data', ...(missingReason ? { missingReason } : {}) }, 1, { kind: 'entered', now: takenAt + 1000 });
  return { id: `0x${(++n).toString(16).padStart(64, '0')}`, kind: 'vitals', createdAt: takenAt + 1000, authorRole: 'nurse', amends: null, status: 'verified', problem: null, content, ...extra };
}
function device(vitals: VitalsInput, at: number, role = 'station'): ScannedRecord {
  const dev = { driver: 'po80', model: 'PO 80', serial: 'S1', deviceRecordId: String(at), receivedAt: new Date(at).toISOString() };
  const content = observationContent({ vitals }, 1, { kind: 'device', measuredAt: new Date(at).toISOString(), device: dev });
  return { id: `0x${(++n).toString(16).padStart(64, '0')}`, kind: 'vitals', createdAt: at + 500, authorRole: role, amends: null, status: 'verified', problem: null, content };
}
async function* iter(records: ScannedRecord[]): AsyncGenerator<ScannedRecord> {
  // newest written first, as the reader yields them
  for (const r of [...records].sort((a, b) => b.createdAt - a.createdAt)) yield r;
}
const status = (records: ScannedRecord[], now: number, failures: ScannedRecord[] = []) => observationStatus(iter(records), failures, admission, now);

describe('the observation clock runs from the last complete set', () => {
  it('a device reading after a high score is shown beside it and never hides the score, band or overdue', async () => {
    const full = set(high, T0);
    const s = await status([full, device({ spo2: 97, pulse: 74 }, T0 + 40 * min)], T0 + 41 * min);
    expect(s.lastComplete).toMatchObject({ recordId: full.id, news2: { aggregate: expect.any(Number), band: 'high' } });
    expect(s.lastComplete!.news2.aggregate).toBeGreaterThanOrEqual(7);
    expect(s.newerReading).toMatchObject({ source: 'monitor', vitals: { spo2: 97, pulse: 74 } });
    expect(s.risk).toBe('high');
    // High → due every 15 minutes from the full set, not from the device reading.
    expect(s.dueAt).toBe(new Date(T0 + 15 * min).toISOString());
    expect(s.overdue).toBe(true);
  });

  it('a partial set never resets the clock; one with a single 3 brings the next full set forward', async () => {
    const full = set(low, T0); // 0 → due in 12 h
    const partial = set({ respiratoryRate: 16, spo2: 88 }, T0 + 60 * min, {}, 'Quick check');
    const s = await status([full, partial], T0 + 61 * min);
    expect(s.lastComplete!.recordId).toBe(full.id);
    expect(s.newerReading!.recordId).toBe(partial.id);
    // SpO2 88 % scores 3 on Scale 1: at least low-medium → hourly from the partial set.
    expect(s).toMatchObject({ risk: 'low-medium', riskFromNewerReading: true, dueAt: new Date(T0 + 120 * min).toISOString(), overdue: false, escalationDue: true });
    const quiet = await status([full, set({ respiratoryRate: 16, spo2: 97 }, T0 + 60 * min, {}, 'Quick check')], T0 + 61 * min);
    expect(quiet).toMatchObject({ risk: 'low', riskFromNewerReading: false, dueAt: new Date(T0 + 12 * 60 * min).toISOString() });
  });

  it('a set entered late counts at the time it was taken', async () => {
    const onTime = set(low, T0 + 30 * min);
    const lateEntry = set(high, T0, { createdAt: T0 + 90 * min }); // taken earlier, written later
    const s = await status([onTime, lateEntry], T0 + 91 * min);
    expect(s.lastComplete!.recordId).toBe(onTime.id);
  });

  it('with no set since admission the first is due within the hour', async () => {
    const s = await status([], admission.admittedAt + 30 * min);
    expect(s).toMatchObject({ lastComplete: null, risk: null, overdue: false, dueAt: new Date(admission.admittedAt + 60 * min).toISOString() });
    expect((await status([], admission.admittedAt + 61 * min)).overdue).toBe(true);
  });
});

describe('corrections, failures and escalations', () => {
  it('a correction replaces the set it amends (its score no longer counts), at the original time', async () => {
    const original = set(high, T0);
    const correction = set(low, T0, { kind: 'amendment', createdAt: T0 + 10 * min });
    correction.amends = original.id;
    const s = await status([original, correction], T0 + 11 * min);
    expect(s.lastComplete).toMatchObject({ recordId: correction.id, correction: true, news2: { band: 'low' }, measuredAt: new Date(T0).toISOString() });
  });

  it('a tampered newest record is listed, and the board keeps the last verified set instead of hiding the failure', async () => {
    const older = set(low, T0);
    const damaged: ScannedRecord = { ...set(high, T0 + 30 * min), status: 'tampered', problem: 'The encrypted content was altered or does not belong to this record.', content: null };
    const s = await status([older, damaged], T0 + 31 * min);
    expect(s.lastComplete!.recordId).toBe(older.id);
    expect(s.unverified).toEqual([{ recordId: damaged.id, kind: 'vitals', recordedAt: new Date(damaged.createdAt).toISOString(), status: 'tampered', problem: damaged.problem }]);
    expect(needsAttention(s)).toBe(true);
    // A failure found by another read (the history), older than the scan reaches, is listed too.
    const old: ScannedRecord = { ...set(low, T0 - 30 * min), status: 'tampered', problem: 'x', content: null };
    expect((await status([old, older], T0 + 31 * min, [old])).unverified.map((u) => u.recordId)).toEqual([old.id]);
  });

  it('asks for an escalation after a worrying set until one is recorded', async () => {
    const worrying = set(high, T0);
    expect((await status([worrying], T0 + min)).escalationDue).toBe(true);
    const esc: ScannedRecord = {
      id: '0x' + 'e'.repeat(64),
      kind: 'escalation',
      createdAt: T0 + 5 * min,
      authorRole: 'nurse',
      amends: null,
      status: 'verified',
      problem: null,
      content: { escalation: { forRecord: worrying.id, informed: { name: 'Dr Grace Hopper', role: 'Doctor' }, informedAt: new Date(T0 + 4 * min).toISOString(), response: 'Attending now' } },
    };
    const s = await status([worrying, esc], T0 + 6 * min);
    expect(s).toMatchObject({ escalationDue: false, escalation: { recordId: esc.id, informed: 'Dr Grace Hopper (Doctor)' } });
    expect((await status([set(low, T0)], T0 + min)).escalationDue).toBe(false);
  });

  it('orders a doctor’s list by risk, then failures, overdue, escalations, due time', async () => {
    const a = { name: 'A low', observations: await status([set(low, T0)], T0 + min) };
    const b = { name: 'B high', observations: await status([set(high, T0)], T0 + min) };
    const c = { name: 'C overdue', observations: await status([set(low, T0 - 13 * 60 * min, { createdAt: T0 })], T0 + min) };
    const d = { name: 'D shared', observations: null };
    expect([a, d, c, b].sort(byAttention).map((x) => x.name)).toEqual(['B high', 'C overdue', 'A low', 'D shared']);
  });
});
