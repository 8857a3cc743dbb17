/**
 * Meters and blood-pressure monitors: their memory is downloaded into pending readings
 * (deduplicated by device serial + device record id against everything already recorded and
 * pending), which a clinician assigns to an admitted patient and confirms — recorded through the
 * record pipeline, signed by that clinician, with the device as provenance — or dismisses.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Actor } from '../identity/actor';
import type { PendingReading } from '../model/devices';
import { WardError } from '../model/errors';
import type { AccessPolicy } from '../records/access';
import type { RecordWriter } from '../records/recordWriter';
import { memoryOf, type AttachedDevice, type AttachedDevices } from './attachedDevices';
import { memoryMeasuredAt, readingContent } from './readingVitals';
import type { DeviceReading } from './types';

/** The dedupe key of a device reading: serial + the device's own record id (re-reads never duplicate). */
export function dedupeKey(serial: string, deviceRecordId: string): string {
  return '0x' + createHash('sha256').update(`wardledger/device-reading/v1\0${serial}\0${deviceRecordId}`).digest('hex');
}

/** Whether a patient is in a bed on this ward, and which (ward/admissions.ts). */
export interface Admitted {
  currentOf(patient: string): { bed: string; admittedAt: number; news2Scale: 1 | 2 } | null;
}
/** Whether a clinician may write to a patient's record (records/access.ts). */
export type WriteAccess = Pick<AccessPolicy, 'requireWrite'>;

/** Device readings are recorded for patients in a bed on this ward only. */
export function requireAdmitted(care: Admitted, patient: string): void {
  if (!care.currentOf(patient)) {
    throw new WardError('BAD_INPUT', 'Readings go to patients admitted to the ward; admit the patient first.', { fields: { patient: 'Choose an admitted patient.' } });
  }
}

/**
 * Readings go into a record only by someone who may write to it (issue 9 item 9): a doctor with no
 * care relationship cannot put readings into the record of a patient whose record they cannot open.
 */
export function requireRecordable(care: Admitted, access: WriteAccess, actor: Actor, patient: string): void {
  requireAdmitted(care, patient);
  try {
    access.requireWrite(actor, patient);
  } catch (e) {
    if (e instanceof WardError && e.code === 'FORBIDDEN') {
      throw new WardError('FORBIDDEN', 'You can record device readings only for patients in your care or who shared their record with you.', { fields: { patient: 'Choose a patient in your care.' } });
    }
    throw e;
  }
}

interface Pending extends Omit<PendingReading, 'olderThanLimit'> {
  reading: DeviceReading;
  driver: string;
  key: string;
}

/** A corrected device time more than this after the reading arrived cannot be trusted. */
const FUTURE_SLACK_MS = 5 * 60_000;
const DAY_MS = 24 * 3600_000;

export class PendingReadings {
  private readonly pending = new Map<string, Pending>();
  /** Dedupe keys of the pending readings (a meter's memory holds hundreds: no scan per reading). */
  private readonly pendingKeys = new Set<string>();
  /**
   * Readings being recorded by a call in flight. Claimed before the first await, so a second call
   * for the same reading (two clinicians, a double click) is refused instead of recording it again.
   */
  private readonly claimed = new Set<string>();

  constructor(
    private readonly devices: AttachedDevices,
    private readonly writer: RecordWriter,
    private readonly care: Admitted,
    private readonly access: WriteAccess,
    private readonly changed: () => void,
    /** Readings measured longer ago than this many days are flagged and need confirming (ward setting). */
    private readonly maxReadingAgeDays: () => number = () => 7,
  ) {}

  list(): PendingReading[] {
    const oldest = Date.now() - this.maxReadingAgeDays() * DAY_MS;
    return [...this.pending.values()].map(({ reading: _r, driver: _d, key: _k, ...p }) => ({
      ...p,
      olderThanLimit: p.measuredAt !== null && Date.parse(p.measuredAt) < oldest,
    }));
  }

  /** Download a device's memory; new readings become pending. */
  async download(d: AttachedDevice): Promise<void> {
    const read = memoryOf(d);
    d.status = 'reading';
    this.changed();
    const readings = await read({ timeoutMs: 3000 });
    const serial = d.identity!.serial;
    // The clock drift measured when the device identified itself corrects every reading's time.
    const drift = d.identity!.clockDriftSeconds ?? null;
    let added = 0;
    for (const reading of readings) {
      const key = dedupeKey(serial, reading.deviceRecordId);
      if (this.writer.seenDevice(key) || this.pendingKeys.has(key)) continue;
      const id = randomUUID();
      this.pending.set(id, {
        id,
        deviceId: d.info.path,
        model: d.identity!.model,
        serial,
        kind: reading.kind,
        measurements: reading.measurements,
        flags: reading.flags,
        deviceTime: reading.deviceTime ?? null,
        clockDriftSeconds: drift,
        measuredAt: memoryMeasuredAt(reading, drift),
        receivedAt: reading.workstationTime,
        monitorUser: reading.monitorUser ?? null,
        problem: reading.problem ?? null,
        reading,
        driver: d.driver?.id ?? 'unknown',
        key,
      });
      this.pendingKeys.add(key);
      if (!reading.problem) added++;
    }
    d.status = 'ready';
    const unreadable = readings.filter((r) => r.problem).length;
    const stored = readings.length - unreadable;
    d.message =
      readings.length === 0
        ? 'The device memory is empty.'
        : `${stored} readings in memory, ${added} new.` + (unreadable ? ` ${unreadable} stored record${unreadable === 1 ? '' : 's'} could not be read (listed with the reason in the pending readings).` : '');
    this.changed();
  }

  /** Read a meter's memory again (re-reads never duplicate records). */
  async reread(deviceId: string): Promise<void> {
    const d = this.devices.require(deviceId);
    memoryOf(d);
    try {
      await this.download(d);
    } catch (e) {
      this.devices.fail(d, e);
      throw e instanceof WardError ? e : new WardError('DEVICE', 'Reading the device failed.');
    }
  }

  /**
   * Record pending readings for a patient, signed by the confirming clinician, device as
   * provenance, each at the time the device measured it and scored on the patient's NEWS2 scale.
   * Readings measured before the patient's admission, or longer ago than the ward accepts, are
   * recorded only when `confirmTimes` says the clinician has seen that.
   */
  async assign(actor: Actor, ids: string[], patient: string, confirmTimes = false): Promise<number> {
    requireRecordable(this.care, this.access, actor, patient);
    const admission = this.care.currentOf(patient)!;
    const chosen = ids.map((id) => {
      const p = this.pending.get(id);
      if (!p) throw new WardError('NOT_FOUND', 'That reading is no longer pending (already recorded or dismissed).');
      if (this.claimed.has(id)) throw new WardError('CONFLICT', 'That reading is being recorded by someone else right now; it leaves the pending list when it is recorded.');
      return p;
    });
    for (const p of chosen) {
      if (p.flags.includes('control-solution')) {
        throw new WardError('BAD_INPUT', 'A control-solution test checks the meter, not the patient: dismiss it instead of recording it.');
      }
      if (p.kind === 'ketone') throw new WardError('BAD_INPUT', 'Blood ketone readings cannot be recorded as vitals yet; dismiss them or note the value.');
      if (p.problem) throw new WardError('BAD_INPUT', 'A record the device could not read has no values to record: dismiss it.');
      if (p.deviceTime === null || p.measuredAt === null) {
        throw new WardError('BAD_INPUT', 'This reading was taken before the monitor’s clock was set, so its time is unknown: dismiss it, or enter it by hand with the time it was taken.');
      }
      if (Date.parse(p.measuredAt) > Date.parse(p.receivedAt) + FUTURE_SLACK_MS) {
        throw new WardError('BAD_INPUT', 'A reading’s time is later than when it reached the workstation, even after correcting the device clock: its time cannot be trusted. Dismiss it, or enter it by hand with the time it was taken.');
      }
    }
    if (!confirmTimes) this.requireTimesConfirmed(chosen, admission.admittedAt);
    for (const p of chosen) this.claimed.add(p.id);
    let recorded = 0;
    try {
      for (const p of chosen) {
        const origin = { device: { driver: p.driver, model: p.model, serial: p.serial }, measuredAt: p.measuredAt!, clockDriftSeconds: p.clockDriftSeconds };
        const content = readingContent(p.reading, origin, admission.news2Scale);
        if (!this.writer.seenDevice(p.key)) {
          await this.writer.create(actor, patient, 'vitals', content, { dedupeKey: p.key });
          recorded++;
        }
        this.drop(p.id);
      }
    } catch (e) {
      const err = e instanceof WardError ? e : new WardError('INTERNAL', 'Recording the readings failed.');
      // Say how far it got: what was recorded stays recorded (and leaves the pending list).
      throw new WardError(err.code, recorded ? `${recorded} of ${chosen.length} readings were recorded; then: ${err.message}` : err.message, { recorded });
    } finally {
      for (const p of chosen) this.claimed.delete(p.id);
      this.changed();
    }
    return recorded;
  }

  /** Refuse, naming what to confirm, readings measured before admission or longer ago than the ward accepts. */
  private requireTimesConfirmed(chosen: Pending[], admittedAt: number): void {
    const oldest = Date.now() - this.maxReadingAgeDays() * DAY_MS;
    const beforeAdmission = chosen.filter((p) => Date.parse(p.measuredAt!) < admittedAt).map((p) => p.id);
    const olderThanLimit = chosen.filter((p) => Date.parse(p.measuredAt!) < oldest).map((p) => p.id);
    if (beforeAdmission.length === 0 && olderThanLimit.length === 0) return;
    const parts: string[] = [];
    if (beforeAdmission.length) parts.push(`${beforeAdmission.length} ${beforeAdmission.length === 1 ? 'was' : 'were'} measured before the patient was admitted`);
    if (olderThanLimit.length) parts.push(`${olderThanLimit.length} ${olderThanLimit.length === 1 ? 'is' : 'are'} older than ${this.maxReadingAgeDays()} days`);
    throw new WardError('BAD_INPUT', `Of the selected readings, ${parts.join(' and ')}. Check that they belong to this patient's current care, then confirm to record them at the time they were measured.`, {
      confirmTimes: { beforeAdmission, olderThanLimit },
    });
  }

  dismiss(ids: string[]): void {
    for (const id of ids) this.drop(id);
    this.changed();
  }

  private drop(id: string): void {
    const p = this.pending.get(id);
    if (p) this.pendingKeys.delete(p.key);
    this.pending.delete(id);
  }
}
