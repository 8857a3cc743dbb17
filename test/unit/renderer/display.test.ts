import { describe, expect, it } from 'vitest';
import { computeNews2 } from '../../../electron/core/clinical/news2';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { displayBand, minimumBandHint, news2Headline, news2Short, parameterList } from '../../../renderer/src/clinical/news2Display';
import { dueText } from '../../../renderer/src/clinical/observationDisplay';
import { formatMinutesAgo, vitalsSummary } from '../../../renderer/src/clinical/vitalsDisplay';

function vitals(input: unknown) {
  const r = validateVitals(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const full = { respiratoryRate: 22, spo2: 95, supplementalOxygen: false, systolic: 105, pulse: 95, consciousness: 'A', temperature: { value: 38.5, unit: 'Cel' } };

describe('NEWS2 in words', () => {
  it('states the aggregate and band of a complete set', () => {
    const result = computeNews2(vitals(full)); // 2 + 1 + 0 + 1 + 1 + 0 + 1 = 6
    expect(news2Headline(result)).toBe('6 — Medium');
    expect(news2Short(result)).toBe('6 Medium');
    expect(minimumBandHint(result)).toBeNull();
  });

  it('never shows a partial sum as a score: incomplete with the count and the minimum band', () => {
    const result = computeNews2(vitals({ respiratoryRate: 8, pulse: 72 }));
    expect(news2Headline(result)).toBe('Incomplete (2 of 7 parameters)');
    expect(news2Short(result)).toBe('Incomplete');
    expect(minimumBandHint(result)).toMatch(/low–medium/);
    expect(displayBand(result)).toBe('low-medium');
    expect(displayBand(computeNews2(vitals({ pulse: 72 })))).toBeNull();
  });
});

describe('vitals summaries', () => {
  it('summarises a set with units, oxygen and the entered unit where converted', () => {
    const text = vitalsSummary(vitals({ ...full, temperature: { value: 101.3, unit: '[degF]' }, bloodGlucose: { value: 5.5, unit: 'mmol/L' }, diastolic: 70 }));
    expect(text).toBe(
      'RR 22/min · SpO2 95% on air · BP 105/70 mmHg · Pulse 95/min · ACVPU A Alert · Temp 38.5 °C (101.3 °F) · Glucose 5.5 mmol/L',
    );
  });

  it('says how long since the last observation', () => {
    expect(formatMinutesAgo(null)).toBe('No observations yet');
    expect(formatMinutesAgo(0.4)).toBe('just now');
    expect(formatMinutesAgo(12)).toBe('12 min ago');
    expect(formatMinutesAgo(185)).toBe('3 h 5 min ago');
    expect(formatMinutesAgo(60 * 24 * 3 + 60)).toBe('3 d 1 h ago');
  });
});

describe('observations in words (board, lists, timeline)', () => {
  it('names missing NEWS2 parameters inside a sentence, keeping SpO2 and BP as written', () => {
    expect(parameterList(['respiratoryRate', 'spo2', 'airOrOxygen', 'systolic', 'consciousness'])).toBe('respiration rate, SpO2, air or oxygen, systolic BP, consciousness');
  });

  it('says how oxygen is given beside the SpO2', () => {
    expect(vitalsSummary({ spo2: 93, supplementalOxygen: true, oxygenDevice: 'venturi', fio2: 28 })).toBe('SpO2 93% on oxygen (Venturi mask FiO2 28%)');
    expect(vitalsSummary({ spo2: 94, supplementalOxygen: true, oxygenDevice: 'nasal-cannula', oxygenFlow: 2 })).toBe('SpO2 94% on oxygen (Nasal cannula 2 L/min)');
    expect(vitalsSummary({ supplementalOxygen: false, pulse: 70 })).toBe('O2 on air · Pulse 70/min');
  });

  it('says when the next set is due, or how long it is overdue', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    const base = { lastComplete: null, newerReading: null, risk: null, riskFromNewerReading: false, escalationDue: false, escalation: null, unverified: [] };
    expect(dueText({ ...base, dueAt: '2026-03-10T15:10:00Z', overdue: false }, now)).toBe('Due in 3 h 10 min');
    expect(dueText({ ...base, dueAt: '2026-03-10T11:35:00Z', overdue: true }, now)).toBe('Overdue 25 min');
  });
});
