/**
 * Issue 11, "Words": glucose from meters and from entered sets is shown in the ward's chosen unit
 * (IT admin's setting), with the unit it was measured in beside it when that differs. The factor
 * is glucose's molar mass, 180.16 g/mol: 1 mmol/L = 18.016 mg/dL (electron/core/clinical/units.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatGlucose, setWardGlucoseUnit } from '../../../renderer/src/clinical/vitalsDisplay';
import { measurementSummary } from '../../../renderer/src/components/devices/deviceDisplay';

const meterReading = (value: number, unit: string) => [{ loinc: '2339-0', value, unit, name: 'Glucose' }] as unknown as Parameters<typeof measurementSummary>[0];

describe('glucose in the ward unit', () => {
  afterEach(() => setWardGlucoseUnit('mmol/L'));

  it('shows an entered value in the ward unit first, as measured beside it', () => {
    setWardGlucoseUnit('mmol/L');
    expect(formatGlucose({ mmolPerL: 8.21, entered: { value: 148, unit: 'mg/dL' } })).toBe('8.2 mmol/L (148 mg/dL as measured)');
    expect(formatGlucose({ mmolPerL: 5.5, entered: { value: 5.5, unit: 'mmol/L' } })).toBe('5.5 mmol/L');
    setWardGlucoseUnit('mg/dL');
    expect(formatGlucose({ mmolPerL: 8.21, entered: { value: 148, unit: 'mg/dL' } })).toBe('148 mg/dL');
    expect(formatGlucose({ mmolPerL: 5.5, entered: { value: 5.5, unit: 'mmol/L' } })).toBe('99 mg/dL (5.5 mmol/L as measured)');
  });

  it('converts a meter reading to the ward unit, the meter value beside it', () => {
    setWardGlucoseUnit('mmol/L');
    expect(measurementSummary(meterReading(148, 'mg/dL'))).toBe('Glucose 8.2 mmol/L (meter: 148 mg/dL)');
    expect(measurementSummary(meterReading(8.2, 'mmol/L'))).toBe('Glucose 8.2 mmol/L');
    setWardGlucoseUnit('mg/dL');
    expect(measurementSummary(meterReading(148, 'mg/dL'))).toBe('Glucose 148 mg/dL');
    expect(measurementSummary(meterReading(7.8, 'mmol/L'))).toBe('Glucose 141 mg/dL (meter: 7.8 mmol/L)');
  });
});
