/**
 * Abbott FreeStyle Libre (1A61:3650) and Libre Pro (1A61:3670) readers: the strip port and sensor
 * scans stored by the reader. `$arresult?` records of type 2 are readings: [0] record id, [1] type,
 * [2] month, [3] day, [4] YY, [5] hour, [6] minute, [7] second, [9] 0 blood glucose / 1 ketone /
 * 2 sensor scan, [12] value, [28] error bits (non-zero: the meter shows no result, so none is kept).
 * Other record types (notes, time changes, insulin) are skipped.
 */
import { WardError } from '../../model/errors';
import { bloodKetoneMmolL, capillaryGlucoseMgDl, freestyleKetoneToMmolL, sensorGlucoseMgDl } from '../glucoseMeasurements';
import type { FreeStyleLink } from '../protocols/freestyleHid';
import type { StepOptions } from '../transport/reportIo';
import type { DeviceDriver, DeviceReading } from '../types';
import { readOrReport } from '../recordProblem';
import { freestyleSession, intField, recordTime, requireFields } from './freestyleCommon';

export const LIBRE_RECORD_READING = '2';
export const LIBRE_READING_BLOOD_GLUCOSE = 0;
export const LIBRE_READING_KETONE = 1;
export const LIBRE_READING_SENSOR = 2;
const LIBRE_FIELD_COUNT = 29;

/** One `$arresult?` record → a reading, or undefined for records that are not (valid) readings. */
export function libreRecordToReading(fields: readonly string[], recordNo: number, workstationTime: string): DeviceReading | undefined {
  if (fields[1] !== LIBRE_RECORD_READING) return undefined;
  requireFields(fields, LIBRE_FIELD_COUNT, recordNo);
  const id = intField(fields, 0, recordNo);
  const deviceTime = recordTime(fields, 2, true, recordNo);
  if (intField(fields, 28, recordNo) !== 0) return undefined;
  const readingType = intField(fields, 9, recordNo);
  const value = intField(fields, 12, recordNo);
  const base = { deviceRecordId: String(id), deviceTime, workstationTime, flags: [] };
  switch (readingType) {
    case LIBRE_READING_BLOOD_GLUCOSE:
      return { ...base, kind: 'glucose', measurements: [capillaryGlucoseMgDl(value)] };
    case LIBRE_READING_SENSOR:
      return { ...base, kind: 'glucose', measurements: [sensorGlucoseMgDl(value)] };
    case LIBRE_READING_KETONE:
      return { ...base, kind: 'ketone', measurements: [bloodKetoneMmolL(freestyleKetoneToMmolL(value))] };
    default:
      throw new WardError('PROTOCOL', `Record ${recordNo} from the meter has an unknown reading type.`);
  }
}

async function readLibreRecords(link: FreeStyleLink, step: StepOptions, workstationTime: string): Promise<DeviceReading[]> {
  const records = await link.records('$arresult?', step);
  const out: DeviceReading[] = [];
  records.forEach((fields, i) => {
    // One record the meter cannot describe is reported in place; the rest of the log is kept.
    const r = readOrReport(`unreadable-${i + 1}`, 'glucose', () => libreRecordToReading(fields, i + 1, workstationTime));
    if (r) out.push(r);
  });
  return out;
}

export const freestyleLibreDriver: DeviceDriver = {
  id: 'abbott-freestyle-libre',
  model: 'Abbott FreeStyle Libre / Libre Pro reader',
  kind: 'glucometer',
  reads: 'memory',
  matches: [
    { vendorId: 0x1a61, productId: 0x3650 },
    { vendorId: 0x1a61, productId: 0x3670 },
  ],
  async open(connection, info) {
    const model = info.productId === 0x3670 ? 'FreeStyle Libre Pro' : 'FreeStyle Libre';
    return freestyleSession(connection, { model, serialCommand: '$sn?', readRecords: readLibreRecords });
  },
};
