/**
 * One bad record never discards a memory: a driver that cannot read a stored record reports it
 * in place, with its reason, and goes on with the next one. The entry carries no measurements, so
 * it can never be recorded as a vital sign; the nurse sees why it was skipped.
 */
import { WardError } from '../model/errors';
import type { DeviceReading } from './types';

/** The reason shown for a record that could not be read (a WardError's message, never raw data). */
export function problemReason(e: unknown): string {
  return e instanceof WardError ? e.message : 'The device sent a record WardLedger could not interpret.';
}

/** A memory entry standing for a record that could not be read. */
export function unreadableRecord(deviceRecordId: string, kind: DeviceReading['kind'], reason: string, workstationTime = new Date().toISOString()): DeviceReading {
  return { deviceRecordId, kind, measurements: [], workstationTime, flags: [], problem: reason };
}

/** Runs `read` for one record; a WardError becomes an unreadable-record entry instead of ending the download. */
export function readOrReport(deviceRecordId: string, kind: DeviceReading['kind'], read: () => DeviceReading | undefined): DeviceReading | undefined {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof WardError) || e.code !== 'PROTOCOL') throw e;
    return unreadableRecord(deviceRecordId, kind, problemReason(e));
  }
}
