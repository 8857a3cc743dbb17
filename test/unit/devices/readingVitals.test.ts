/**
 * Device readings become vitals by their LOINC codes. The codes here are written out from the
 * FHIR R4 vital signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html: 2708-6 oxygen
 * saturation, 8867-4 heart rate, 8480-6 / 8462-4 systolic / diastolic blood pressure, 8310-5 body
 * temperature, 9279-1 respiratory rate) and LOINC's glucometer codes (41653-7 mass, 14743-9
 * moles, capillary blood; 99504-3 interstitial fluid), not read from the code table under test.
 */
import { describe, expect, it } from 'vitest';
import { memoryMeasuredAt, readingContent, vitalsOf } from '../../../electron/core/devices/readingVitals';
import type { DeviceReading, Measurement } from '../../../electron/core/devices/types';

const reading = (measurements: Array<Omit<Measurement, 'mdc'>>, extra: Partial<DeviceReading> = {}): DeviceReading => ({
  deviceRecordId: 'r1',
  kind: 'spo2-pulse',
  measurements: measurements.map((m) => ({ mdc: 0, ...m })),
  workstationTime: '2026-11-23T10:00:00.000Z',
  flags: [],
  ...extra,
});

describe('device reading → vitals', () => {
  it('maps each vital sign by its LOINC code, rounding what the chart records in whole units', () => {
    expect(
      vitalsOf(
        reading([
          { loinc: '2708-6', unit: '%', value: 96.6 },
          { loinc: '8867-4', unit: '/min', value: 71.4 },
          { loinc: '8480-6', unit: 'mm[Hg]', value: 128 },
          { loinc: '8462-4', unit: 'mm[Hg]', value: 82 },
          { loinc: '8310-5', unit: '[degF]', value: 99.1 },
          { loinc: '9279-1', unit: '/min', value: 17.6 },
        ]),
      ),
    ).toEqual({ spo2: 97, pulse: 71, systolic: 128, diastolic: 82, temperature: { value: 99.1, unit: '[degF]' }, respiratoryRate: 18 });
  });

  it('keeps glucometer units: mass and interstitial as sent, moles in mmol/L', () => {
    expect(vitalsOf(reading([{ loinc: '41653-7', unit: 'mg/dL', value: 140 }]))).toEqual({ bloodGlucose: { value: 140, unit: 'mg/dL' } });
    expect(vitalsOf(reading([{ loinc: '99504-3', unit: 'mg/dL', value: 101 }]))).toEqual({ bloodGlucose: { value: 101, unit: 'mg/dL' } });
    expect(vitalsOf(reading([{ loinc: '14743-9', unit: 'mmol/L', value: 7.8 }]))).toEqual({ bloodGlucose: { value: 7.8, unit: 'mmol/L' } });
  });

  it('leaves out what is not a vital sign (a ketone strip, LOINC 66441-7)', () => {
    expect(vitalsOf(reading([{ loinc: '66441-7', unit: 'mmol/L', value: 0.4 }]))).toEqual({});
  });

  it('records the device as provenance, and refuses implausible values with the vitals message', () => {
    const r = reading([{ loinc: '2708-6', unit: '%', value: 95 }, { loinc: '8867-4', unit: '/min', value: 64 }], { deviceTime: '2026-11-23T09:59:58' });
    const device = { driver: 'contec-cms50e', model: 'CMS50E', serial: 'S1' };
    const content = readingContent(r, { device, measuredAt: '2026-11-23T09:59:40.000Z', clockDriftSeconds: 18 }, 1);
    expect(content).toMatchObject({
      measuredAt: '2026-11-23T09:59:40.000Z',
      vitals: { spo2: 95, pulse: 64 },
      device: { ...device, deviceRecordId: 'r1', deviceTime: '2026-11-23T09:59:58', clockDriftSeconds: 18, receivedAt: '2026-11-23T10:00:00.000Z' },
    });
    // Scored on the scale given, through the same NEWS2 as every other path.
    expect(content.news2).toMatchObject({ scale: 1, complete: false, subScores: { spo2: 1, pulse: 0 } });
    expect(() => readingContent(reading([{ loinc: '2708-6', unit: '%', value: 20 }]), { device: { driver: 'd', model: 'm', serial: 's' }, measuredAt: '2026-11-23T09:59:40.000Z', clockDriftSeconds: null }, 1)).toThrow(
      /cannot be recorded: SpO2 must be between 50 and 100/,
    );
  });

  it('times a memory reading by the device clock corrected for its drift (issue 7 item 5)', () => {
    // A meter whose clock runs 90 minutes fast stored 08:30 for a reading taken at 07:00 workstation time.
    const r = reading([{ loinc: '41653-7', unit: 'mg/dL', value: 140 }], { kind: 'glucose', deviceTime: '2026-11-22T08:30:00' });
    const local = new Date(2026, 10, 22, 7, 0, 0).toISOString();
    expect(memoryMeasuredAt(r, 5400)).toBe(local);
    // No drift reported: the device clock is taken as it is.
    expect(memoryMeasuredAt(r, null)).toBe(new Date(2026, 10, 22, 8, 30, 0).toISOString());
    // Taken before the clock was set: unknown.
    expect(memoryMeasuredAt(reading([], { deviceTime: undefined }), 0)).toBeNull();
  });
});
