/**
 * Normalisation shared by the oximeter and blood-pressure drivers: IEEE 11073 MDC + LOINC codes
 * with UCUM units (reference/CLINICAL.md), device clock fields as ISO local time, and the
 * fallback device id for devices whose protocol carries no serial number.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { WardError } from '../../model/errors';
import type { DeviceReading, HidDeviceInfo, Measurement, ReadingFlag } from '../types';

export const MDC = {
  spo2: 150456, // MDC_PULS_OXIM_SAT_O2
  oximetryPulse: 149530, // MDC_PULS_OXIM_PULS_RATE
  systolic: 150021, // MDC_PRESS_BLD_NONINV_SYS
  diastolic: 150022, // MDC_PRESS_BLD_NONINV_DIA
  nonInvasivePulse: 149546, // MDC_PULS_RATE_NON_INV
} as const;

export function spo2Measurement(percent: number): Measurement {
  return { mdc: MDC.spo2, loinc: '2708-6', unit: '%', value: percent };
}

export function oximetryPulseMeasurement(perMinute: number): Measurement {
  return { mdc: MDC.oximetryPulse, loinc: '8867-4', unit: '/min', value: perMinute };
}

/** Systolic, diastolic (mm[Hg]) and cuff pulse (/min), in that order. */
export function bloodPressureMeasurements(systolic: number, diastolic: number, pulse: number): Measurement[] {
  return [
    { mdc: MDC.systolic, loinc: '8480-6', unit: 'mm[Hg]', value: systolic },
    { mdc: MDC.diastolic, loinc: '8462-4', unit: 'mm[Hg]', value: diastolic },
    { mdc: MDC.nonInvasivePulse, loinc: '8867-4', unit: '/min', value: pulse },
  ];
}

/** One blood-pressure memory record as a reading (device time as recorded, if any; workstation time now). */
export function bloodPressureReading(
  deviceRecordId: string,
  r: { time?: string; systolic: number; diastolic: number; pulse: number },
  flags: ReadingFlag[] = [],
): DeviceReading {
  return {
    deviceRecordId,
    kind: 'blood-pressure',
    measurements: bloodPressureMeasurements(r.systolic, r.diastolic, r.pulse),
    ...(r.time ? { deviceTime: r.time } : {}),
    workstationTime: new Date().toISOString(),
    flags,
  };
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * ISO local time without zone (`YYYY-MM-DDTHH:MM:SS`) from a device clock field.
 * An impossible date or time is a PROTOCOL error naming `what` (never the values: no PHI).
 */
export function deviceLocalTime(t: LocalDateTime, what: string): string {
  const second = t.second ?? 0;
  const ok =
    Number.isInteger(t.year) && t.year >= 2000 && t.year <= 2255 &&
    Number.isInteger(t.month) && t.month >= 1 && t.month <= 12 &&
    Number.isInteger(t.day) && t.day >= 1 && t.day <= daysInMonth(t.year, t.month) &&
    Number.isInteger(t.hour) && t.hour >= 0 && t.hour <= 23 &&
    Number.isInteger(t.minute) && t.minute >= 0 && t.minute <= 59 &&
    Number.isInteger(second) && second >= 0 && second <= 59;
  if (!ok) throw new WardError('PROTOCOL', `The device sent ${what} with an impossible date or time.`);
  return `${t.year}-${two(t.month)}-${two(t.day)}T${two(t.hour)}:${two(t.minute)}:${two(second)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Compact sortable stamp used inside deviceRecordIds: `YYYYMMDDhhmmss`. */
export function stampOf(localIso: string): string {
  return localIso.replace(/[-:T]/g, '');
}

/**
 * Stable device id when the protocol gives no serial: the USB serial-number string when the
 * device reports one, else `fallback` (what the protocol does give, e.g. a model/id string).
 */
export function serialOrFallback(info: HidDeviceInfo, fallback: string): string {
  const usb = info.serialNumber?.replace(/[^\x21-\x7e]/g, '').trim();
  return usb ? usb : fallback;
}

/** Printable ASCII from device bytes: stops at NUL, drops other control bytes, trims. */
export function asciiText(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) break;
    if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
  }
  return s.trim();
}

/**
 * Stable record ids for devices whose memory has no record number: device timestamp + a short
 * digest of the record bytes (so two units' readings of the same minute do not collide), plus
 * an occurrence number for identical records (memory order is stable between downloads).
 */
export function memoryRecordIds(prefix: string, records: Array<{ stamp: string; bytes: Uint8Array }>): string[] {
  const seen = new Map<string, number>();
  return records.map(({ stamp, bytes }) => {
    const digest = Array.from(sha256(bytes).subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
    const key = `${prefix}-${stamp}-${digest}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return `${key}-${n}`;
  });
}
