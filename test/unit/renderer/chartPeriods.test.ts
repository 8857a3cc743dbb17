import { describe, expect, it } from 'vitest';
import { chartRequest, periodEnd, periodSpan } from '../../../renderer/src/clinical/chartPeriods';
import { CHART_COLUMNS } from '../../../renderer/src/clinical/chartScales';

const patient = '0x' + 'a'.repeat(40);
const day = 24 * 3600_000;
const end = Date.parse('2026-11-29T03:44:00Z');

describe('chart periods of the record page', () => {
  it('asks the core for 7 or 30 days up to the newest record, or the whole record, on the basis the record was opened on', () => {
    expect(chartRequest('7d', patient, end)).toEqual({ patient, from: new Date(end - 7 * day).toISOString(), to: new Date(end).toISOString(), buckets: CHART_COLUMNS });
    expect(chartRequest('30d', patient, end, 'Arrest call, bed 4')).toEqual({
      patient,
      from: new Date(end - 30 * day).toISOString(),
      to: new Date(end).toISOString(),
      buckets: CHART_COLUMNS,
      breakGlassReason: 'Arrest call, bed 4',
    });
    expect(chartRequest('all', patient, end)).toEqual({ patient, buckets: CHART_COLUMNS });
  });

  it('ends a period when the newest record shown was stored (not now: a record opened after discharge still charts its last days)', () => {
    const records = [{ createdAt: '2026-11-20T10:00:00Z' }, { createdAt: '2026-11-21T08:30:00Z' }, { createdAt: '2026-11-19T23:00:00Z' }];
    expect(periodEnd(records, end)).toBe(Date.parse('2026-11-21T08:30:00Z'));
    expect(periodEnd([], end)).toBe(end);
  });

  it('draws 7 and 30 days whole (an empty stretch shows as empty), the whole record from its first reading to its last', () => {
    const chart = {
      from: new Date(end - 7 * day).toISOString(),
      to: new Date(end).toISOString(),
      series: [{ key: 'pulse' as const, title: 'Pulse', unit: '/min', datasets: [{ label: 'Pulse', points: [{ t: end - 2 * day, y: 70 }, { t: end - day, y: 72 }] }] }],
    };
    const week = periodSpan('7d', chart)!;
    expect(week.from).toBeLessThan(end - 7 * day);
    expect(week.to).toBeGreaterThan(end);
    expect(week.to - week.from).toBeLessThan(7.2 * day);
    const whole = periodSpan('all', chart)!;
    expect(whole.from).toBeGreaterThan(end - 2.1 * day);
    expect(whole.from).toBeLessThan(end - 2 * day);
    expect(whole.to).toBeGreaterThan(end - day);
    expect(whole.to).toBeLessThan(end - 0.9 * day);
  });
});
