/**
 * A device reading as a vitals record: each measurement's LOINC code (clinical/codes.ts, or
 * glucoseMeasurements.ts for sensor glucose) names the vitals field it fills, and the device is
 * kept as the record's provenance.
 */
import { MEASUREMENTS } from '../clinical/codes';
import { validateVitals } from '../clinical/vitals';
import type { DeviceProvenance } from '../model/devices';
import { WardError } from '../model/errors';
import type { RecordContent } from '../model/records';
import type { VitalsInput } from '../model/vitals';
import { LOINC_GLUCOSE_ISF_MASS } from './glucoseMeasurements';
import type { DeviceReading, Measurement } from './types';

const glucose = (m: Measurement): VitalsInput => ({ bloodGlucose: { value: m.value, unit: m.unit === 'mmol/L' ? 'mmol/L' : 'mg/dL' } });

/** LOINC code → the vitals field(s) a measurement with that code fills. */
const vitalsByLoinc: Record<string, (m: Measurement) => VitalsInput> = {
  [MEASUREMENTS.spo2.loinc]: (m) => ({ spo2: Math.round(m.value) }),
  [MEASUREMENTS.pulse.loinc]: (m) => ({ pulse: Math.round(m.value) }),
  [MEASUREMENTS.systolic.loinc]: (m) => ({ systolic: Math.round(m.value) }),
  [MEASUREMENTS.diastolic.loinc]: (m) => ({ diastolic: Math.round(m.value) }),
  [MEASUREMENTS.glucoseMass.loinc]: glucose,
  [LOINC_GLUCOSE_ISF_MASS]: glucose,
  [MEASUREMENTS.glucoseMoles.loinc]: (m) => ({ bloodGlucose: { value: m.value, unit: 'mmol/L' } }),
  [MEASUREMENTS.temperature.loinc]: (m) => ({ temperature: { value: m.value, unit: m.unit === '[degF]' ? '[degF]' : 'Cel' } }),
  [MEASUREMENTS.respiratoryRate.loinc]: (m) => ({ respiratoryRate: Math.round(m.value) }),
};

/** The vitals a reading holds (measurements with other codes, e.g. ketone, are not vitals). */
export function vitalsOf(reading: DeviceReading): VitalsInput {
  const v: VitalsInput = {};
  for (const m of reading.measurements) if (Object.hasOwn(vitalsByLoinc, m.loinc)) Object.assign(v, vitalsByLoinc[m.loinc]!(m));
  return v;
}

/** The value of the measurement with this code in a reading, or null. */
export function measured(reading: DeviceReading, loinc: string): number | null {
  return reading.measurements.find((m) => m.loinc === loinc)?.value ?? null;
}

/** The content of the vitals record of a reading, or BAD_INPUT when its values are not plausible vitals. */
export function readingContent(reading: DeviceReading, device: Pick<DeviceProvenance, 'driver' | 'model' | 'serial'>): RecordContent {
  const v = validateVitals(vitalsOf(reading));
  if (!v.ok) throw new WardError('BAD_INPUT', `The device reading cannot be recorded: ${Object.values(v.errors)[0]}`);
  return {
    vitals: v.value,
    device: {
      ...device,
      deviceRecordId: reading.deviceRecordId,
      ...(reading.deviceTime ? { deviceTime: reading.deviceTime } : {}),
      receivedAt: reading.workstationTime,
    },
  };
}
