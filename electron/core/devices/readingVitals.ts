/**
 * A device reading as a vitals record: each measurement's LOINC code (clinical/codes.ts, or
 * glucoseMeasurements.ts for sensor glucose) names the vitals field it fills, the time the device
 * measured it (corrected for its clock drift) is the record's measured time, and the device is
 * kept as the record's provenance.
 */
import { MEASUREMENTS } from '../clinical/codes';
import { observationContent } from '../clinical/vitalsAssessment';
import type { DeviceProvenance } from '../model/devices';
import { WardError } from '../model/errors';
import type { News2Scale } from '../model/news2';
import type { VitalsContent } from '../model/records';
import type { VitalsInput } from '../model/vitals';
import { deviceLocalTime } from './deviceClock';
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

/**
 * When a meter's memory reading was measured: the device's own clock (local wall time, as the
 * device keeps it) corrected by the drift between device and workstation clocks measured when the
 * memory was read. Null for a reading taken before the device's clock was set (its time is unknown).
 * @param clockDriftSeconds device clock minus workstation clock, or null when the device reports none
 */
export function memoryMeasuredAt(reading: DeviceReading, clockDriftSeconds: number | null): string | null {
  if (!reading.deviceTime) return null;
  return new Date(deviceLocalTime(reading.deviceTime).getTime() - (clockDriftSeconds ?? 0) * 1000).toISOString();
}

export interface ReadingOrigin {
  device: Pick<DeviceProvenance, 'driver' | 'model' | 'serial'>;
  /** When it was measured (ISO UTC): memoryMeasuredAt for a meter, the arrival time for a live stream. */
  measuredAt: string;
  /** Device clock minus workstation clock when the memory was read (null: not reported, or a live stream). */
  clockDriftSeconds: number | null;
}

/**
 * The content of the vitals record of a reading, through the one vitals path
 * (clinical/vitalsAssessment.ts) with the patient's NEWS2 scale; BAD_INPUT when its values are not
 * plausible vitals. The device's own time and the clock correction are kept in the signed record.
 */
export function readingContent(reading: DeviceReading, origin: ReadingOrigin, scale: News2Scale): VitalsContent {
  const device: DeviceProvenance = {
    ...origin.device,
    deviceRecordId: reading.deviceRecordId,
    ...(reading.deviceTime ? { deviceTime: reading.deviceTime } : {}),
    ...(reading.deviceTime && origin.clockDriftSeconds !== null ? { clockDriftSeconds: origin.clockDriftSeconds } : {}),
    receivedAt: reading.workstationTime,
  };
  try {
    return observationContent({ vitals: vitalsOf(reading) }, scale, { kind: 'device', measuredAt: origin.measuredAt, device });
  } catch (e) {
    if (e instanceof WardError && e.code === 'BAD_INPUT') throw new WardError('BAD_INPUT', `The device reading cannot be recorded: ${e.message}`);
    throw e;
  }
}
