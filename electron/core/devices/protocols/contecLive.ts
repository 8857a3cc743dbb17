/**
 * Live items of the HID pulse oximeters on 0x28E9:0x028A (Contec CMS50E HID and Beurer PO 80):
 * `EB type status v1 v2 …`. type 0 → v1 is the plethysmogram sample; type 1 → v1 pulse rate,
 * v2 SpO2 (docs/devices.md). Values ≥ 127 mean "no reading".
 *
 * Assumptions (not in the reference, unconfirmed on hardware): the status byte follows the
 * CMS50 firmware-4.6 convention (bit 0 finger out, bit 1 searching), and a value of 0 is no
 * reading either (neither 0 % SpO2 nor 0 /min is a measurement). When the status byte says
 * nothing: both values missing → finger out; one missing → still searching.
 */
import { WardError } from '../../model/errors';
import type { Measurement, ReadingFlag } from '../types';
import { oximetryPulseMeasurement, spo2Measurement } from './vitalReadings';

export const LIVE_SYNC = 0xeb;
export const LIVE_TYPE_PLETH = 0x00;
export const LIVE_TYPE_VITALS = 0x01;
/** Values at or above this are "no reading". */
export const LIVE_INVALID_FROM = 127;
export const STATUS_FINGER_OUT = 0x01;
export const STATUS_SEARCHING = 0x02;

export type LiveItem =
  | { type: 'pleth'; status: number; pleth: number }
  | { type: 'vitals'; status: number; pulse: number; spo2: number }
  | { type: 'other'; code: number };

/** Parses the 5 significant bytes of a live item at `offset`; `what` names it in errors. */
export function parseLiveItem(bytes: Uint8Array, offset: number, what: string): LiveItem {
  if (offset < 0 || offset + 5 > bytes.length) throw new WardError('PROTOCOL', `The oximeter sent a truncated ${what}.`);
  if (bytes[offset] !== LIVE_SYNC) throw new WardError('PROTOCOL', `The oximeter sent a ${what} without its sync byte; the data stream is out of step.`);
  const type = bytes[offset + 1];
  const status = bytes[offset + 2];
  if (type === LIVE_TYPE_PLETH) return { type: 'pleth', status, pleth: bytes[offset + 3] };
  if (type === LIVE_TYPE_VITALS) return { type: 'vitals', status, pulse: bytes[offset + 3], spo2: bytes[offset + 4] };
  return { type: 'other', code: type };
}

const valid = (v: number): boolean => v > 0 && v < LIVE_INVALID_FROM;

/** Measurements and flags of a vitals item: invalid values give no measurement. */
export function liveVitals(item: { status: number; pulse: number; spo2: number }): { measurements: Measurement[]; flags: ReadingFlag[] } {
  const measurements: Measurement[] = [];
  if (valid(item.spo2)) measurements.push(spo2Measurement(item.spo2));
  if (valid(item.pulse)) measurements.push(oximetryPulseMeasurement(item.pulse));
  const missing = 2 - measurements.length;
  const fingerOut = (item.status & STATUS_FINGER_OUT) !== 0 || (missing === 2 && (item.status & STATUS_SEARCHING) === 0);
  const searching = !fingerOut && ((item.status & STATUS_SEARCHING) !== 0 || missing > 0);
  const flags: ReadingFlag[] = [];
  if (fingerOut) flags.push('finger-out');
  if (searching) flags.push('searching');
  return { measurements, flags };
}
