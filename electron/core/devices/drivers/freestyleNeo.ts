/**
 * Abbott FreeStyle Precision Neo / Optium Neo (1A61:3850): glucose (mg/dL) and blood ketone
 * strips over the FreeStyle shared HID protocol. `$result?` record fields: [0] type (7 glucose,
 * 9 ketone; 6/10/11 time change, insulin, basal titration are skipped), [1] id, [2] month, [3] day,
 * [4] YY, [5] hour, [6] minute, [8] value (or HI/LO); control solution: field 10 = 0 (glucose) or
 * field 9 = 0 (ketone).
 */
import { WardError } from '../../model/errors';
import { bloodKetoneMmolL, capillaryGlucoseMgDl, freestyleKetoneToMmolL } from '../glucoseMeasurements';
import type { FreeStyleLink } from '../protocols/freestyleHid';
import type { StepOptions } from '../transport/reportIo';
import type { DeviceDriver, DeviceReading, ReadingFlag } from '../types';
import { readOrReport } from '../recordProblem';
import { freestyleSession, intField, recordTime, requireFields } from './freestyleCommon';

export const NEO_RECORD_GLUCOSE = '7';
export const NEO_RECORD_KETONE = '9';
/** The meter's measuring range: HI means above 500 mg/dL, LO below 20 mg/dL. */
export const NEO_GLUCOSE_HI_MG_DL = 500;
export const NEO_GLUCOSE_LO_MG_DL = 20;
/** Ketone strips read up to 8.0 mmol/L (HI above); LO is reported as 0. Confirm on hardware. */
export const NEO_KETONE_HI_MMOL_L = 8;

/** Value field → number plus range flag. HI/LO carry the range limit and a flag saying the true value lies beyond it. */
function rangedValue(raw: string | undefined, hi: number, lo: number, recordNo: number): { value: number; flag?: ReadingFlag } | 'raw' {
  if (raw === 'HI') return { value: hi, flag: 'above-range' };
  if (raw === 'LO') return { value: lo, flag: 'below-range' };
  if (raw === undefined || !/^\d{1,6}$/.test(raw)) throw new WardError('PROTOCOL', `Record ${recordNo} from the meter has an invalid value.`);
  return 'raw';
}

/**
 * One `$result?` record → a reading, or undefined for record types that are not measurements.
 * `recordNo` (1-based position) only names the record in error messages.
 */
export function neoRecordToReading(fields: readonly string[], recordNo: number, workstationTime: string): DeviceReading | undefined {
  const type = fields[0];
  if (type !== NEO_RECORD_GLUCOSE && type !== NEO_RECORD_KETONE) return undefined;
  const glucose = type === NEO_RECORD_GLUCOSE;
  const controlField = glucose ? 10 : 9;
  requireFields(fields, controlField + 1, recordNo);
  const id = intField(fields, 1, recordNo);
  const deviceTime = recordTime(fields, 2, false, recordNo);
  const flags: ReadingFlag[] = [];
  if (intField(fields, controlField, recordNo) === 0) flags.push('control-solution');

  let measurement;
  if (glucose) {
    const r = rangedValue(fields[8], NEO_GLUCOSE_HI_MG_DL, NEO_GLUCOSE_LO_MG_DL, recordNo);
    const value = r === 'raw' ? intField(fields, 8, recordNo) : r.value;
    if (r !== 'raw' && r.flag) flags.push(r.flag);
    measurement = capillaryGlucoseMgDl(value);
  } else {
    const r = rangedValue(fields[8], NEO_KETONE_HI_MMOL_L, 0, recordNo);
    const value = r === 'raw' ? freestyleKetoneToMmolL(intField(fields, 8, recordNo)) : r.value;
    if (r !== 'raw' && r.flag) flags.push(r.flag);
    measurement = bloodKetoneMmolL(value);
  }
  return {
    deviceRecordId: `${type}-${id}`,
    kind: glucose ? 'glucose' : 'ketone',
    measurements: [measurement],
    deviceTime,
    workstationTime,
    flags,
  };
}

async function readNeoRecords(link: FreeStyleLink, step: StepOptions, workstationTime: string): Promise<DeviceReading[]> {
  const records = await link.records('$result?', step);
  const out: DeviceReading[] = [];
  records.forEach((fields, i) => {
    // One record the meter cannot describe is reported in place; the rest of the log is kept.
    const r = readOrReport(`unreadable-${i + 1}`, 'glucose', () => neoRecordToReading(fields, i + 1, workstationTime));
    if (r) out.push(r);
  });
  return out;
}

export const freestyleNeoDriver: DeviceDriver = {
  id: 'abbott-freestyle-neo',
  model: 'Abbott FreeStyle Precision/Optium Neo',
  kind: 'glucometer',
  reads: 'memory',
  matches: [{ vendorId: 0x1a61, productId: 0x3850 }],
  async open(connection) {
    return freestyleSession(connection, { model: 'FreeStyle Precision Neo', serialCommand: '$serlnum?', readRecords: readNeoRecords });
  },
};
