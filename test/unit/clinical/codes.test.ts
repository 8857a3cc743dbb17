import { describe, expect, it } from 'vitest';
import { ACVPU_LEVELS } from '../../../electron/core/model/vitals';
import { MDC_UNITS, MEASUREMENTS, profileUrl } from '../../../electron/core/clinical/codes';

/** LOINC check digit (mod 10, as published by Regenstrief): Luhn over the digits before the dash. */
function loincCheckDigit(body: string): number {
  let sum = 0;
  [...body].reverse().forEach((ch, i) => {
    let d = Number(ch);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  });
  return (10 - (sum % 10)) % 10;
}

describe('clinical codes', () => {
  it('every LOINC code is well-formed with a correct check digit', () => {
    const codes = Object.values(MEASUREMENTS).map((m) => m.loinc);
    expect(codes).toContain('2708-6');
    for (const code of codes) {
      const match = /^(\d{1,7})-(\d)$/.exec(code);
      expect(match, code).not.toBeNull();
      expect(loincCheckDigit(match![1]), code).toBe(Number(match![2]));
    }
  });

  it('the check-digit routine rejects a mistyped code', () => {
    expect(loincCheckDigit('2708')).toBe(6);
    expect(loincCheckDigit('2780')).not.toBe(6);
  });

  it('MDC measurement codes are in the SCADA partition (2) and units in DIM (4)', () => {
    for (const m of Object.values(MEASUREMENTS)) {
      for (const mdc of m.mdc) expect(Math.floor(mdc / 65536), String(mdc)).toBe(2);
    }
    for (const u of Object.values(MDC_UNITS)) expect(Math.floor(u.code / 65536), u.name).toBe(4);
  });

  it('matches the reference table for the codes the FHIR export relies on', () => {
    expect(MEASUREMENTS.spo2).toMatchObject({ loinc: '2708-6', ucum: '%', profile: 'oxygensat' });
    expect(MEASUREMENTS.pulse).toMatchObject({ loinc: '8867-4', ucum: '/min', profile: 'heartrate' });
    expect(MEASUREMENTS.bloodPressurePanel).toMatchObject({ loinc: '85354-9', profile: 'bp' });
    expect(MEASUREMENTS.systolic.loinc).toBe('8480-6');
    expect(MEASUREMENTS.diastolic.loinc).toBe('8462-4');
    expect(MEASUREMENTS.temperature).toMatchObject({ loinc: '8310-5', ucum: 'Cel', profile: 'bodytemp' });
    expect(MEASUREMENTS.respiratoryRate).toMatchObject({ loinc: '9279-1', profile: 'resprate' });
    expect(MEASUREMENTS.glucoseMass).toMatchObject({ loinc: '41653-7', ucum: 'mg/dL', category: 'laboratory' });
    expect(MEASUREMENTS.glucoseMoles).toMatchObject({ loinc: '14743-9', ucum: 'mmol/L', category: 'laboratory' });
    expect(MEASUREMENTS.consciousness.loinc).toBe('67775-7');
    expect(ACVPU_LEVELS).toEqual(['A', 'C', 'V', 'P', 'U']);
    expect(profileUrl('bp')).toBe('http://hl7.org/fhir/StructureDefinition/bp');
  });
});
