/**
 * Words for the devices panel: device statuses, clocks, live values and the measurements of
 * pending readings, all in plain language (never colour or codes alone).
 */
import type { CensusRow, OutputOf } from '../../api/contract';
import { formatDateTime } from '../../format';

export type DevicesOverview = OutputOf<'devices/list'>;
export type DeviceView = DevicesOverview['devices'][number];
export type PendingReading = DevicesOverview['pending'][number];
export type DeviceStatus = DeviceView['status'];
export type ReadingFlag = PendingReading['flags'][number];

export const statusLabels: Record<DeviceStatus, string> = {
  connecting: 'Connecting',
  ready: 'Ready',
  reading: 'Reading memory',
  streaming: 'Streaming',
  unsupported: 'Unsupported',
  'no-permission': 'No permission',
  error: 'Error',
};

/** 'ok' (working), 'busy' (on its way), 'problem' (needs a person): drives the badge colour. */
export function statusTone(status: DeviceStatus): 'ok' | 'busy' | 'problem' {
  if (status === 'ready' || status === 'streaming') return 'ok';
  if (status === 'connecting' || status === 'reading') return 'busy';
  return 'problem';
}

export const kindLabels: Record<string, string> = {
  glucometer: 'Glucose meter',
  oximeter: 'Pulse oximeter',
  'blood-pressure': 'Blood pressure monitor',
};

export const readingKindLabels: Record<PendingReading['kind'], string> = {
  glucose: 'Blood glucose',
  ketone: 'Blood ketone',
  'spo2-pulse': 'SpO2 and pulse',
  'blood-pressure': 'Blood pressure',
};

export const flagLabels: Record<ReadingFlag, string> = {
  'control-solution': 'Control solution test',
  'irregular-heartbeat': 'Irregular heartbeat',
  'above-range': 'Above the meter’s range (HI)',
  'below-range': 'Below the meter’s range (LO)',
  'before-meal': 'Before meal',
  'after-meal': 'After meal',
  'cuff-fit-error': 'Cuff fit error',
  'finger-out': 'No finger',
  searching: 'Searching',
};

/** Flags that mean the value should not go into a patient's record without a second look. */
export const cautionFlags: readonly ReadingFlag[] = ['control-solution', 'cuff-fit-error', 'above-range', 'below-range'];

/**
 * How a device is named on buttons and fields: its model, plus the serial when another connected
 * device has the same model (so every accessible name stays unique).
 */
export function deviceLabel(device: DeviceView, all: readonly DeviceView[]): string {
  const twins = all.filter((d) => d.model === device.model).length;
  return twins > 1 && device.serial ? `${device.model} ${device.serial}` : device.model;
}

/** Meters and BP monitors keep a memory; oximeters stream. */
export function hasMemory(device: DeviceView): boolean {
  return device.kind === 'glucometer' || device.kind === 'blood-pressure';
}

export function isStreamingMonitor(device: DeviceView): boolean {
  return device.kind === 'oximeter' && device.status === 'streaming';
}

/** "3 min", "2 h 5 min", "3 days" (for clock drift). */
function driftAmount(seconds: number): string {
  const minutes = Math.round(Math.abs(seconds) / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const days = Math.round(hours / 24);
  return `${days} days`;
}

/** The clock in words: "Clock 3 min fast", "Clock correct", "Clock not set" or "Not reported". */
export function clockSummary(device: DeviceView): string {
  if (device.deviceTime === null) {
    // A meter that identified itself without a time has an unset clock; others may just not say.
    return device.kind === 'glucometer' && device.serial !== null ? 'Clock not set' : 'Not reported';
  }
  const drift = device.clockDriftSeconds;
  if (drift === null) return 'Clock read';
  if (Math.abs(drift) < 60) return 'Clock correct (within a minute)';
  return `Clock ${driftAmount(drift)} ${drift > 0 ? 'fast' : 'slow'}`;
}

/** True when the clock is off by more than five minutes or not set (shown as a caution). */
export function clockNeedsAttention(device: DeviceView): boolean {
  if (device.deviceTime === null) return clockSummary(device) === 'Clock not set';
  return device.clockDriftSeconds !== null && Math.abs(device.clockDriftSeconds) >= 300;
}

/** A device's local clock time (ISO without zone) for people. */
export function formatDeviceTime(localIso: string | null): string {
  return formatDateTime(localIso, 'No time');
}

export interface LiveDisplay {
  spo2: string;
  pulse: string;
  /** "No finger", "Searching", or null when values are coming in. */
  note: string | null;
}

export function liveDisplay(live: NonNullable<DeviceView['live']>): LiveDisplay {
  const note = live.flags.includes('finger-out') ? 'No finger' : live.flags.includes('searching') ? 'Searching' : null;
  return {
    spo2: live.spo2 === null ? '—' : String(Math.round(live.spo2)),
    pulse: live.pulse === null ? '—' : String(Math.round(live.pulse)),
    note,
  };
}

type Measurement = PendingReading['measurements'][number];

function number(value: number, unit: string): string {
  return unit === 'mmol/L' ? value.toFixed(1) : String(Number(value.toFixed(1)));
}

/** UCUM unit as people write it. */
function unitText(unit: string): string {
  return unit === 'mm[Hg]' ? 'mmHg' : unit;
}

const glucoseLoincs = new Set(['41653-7', '14743-9', '2339-0', '15074-8']);
const spo2Loincs = new Set(['2708-6', '59408-5']);

/** "Glucose 148 mg/dL", "BP 141/88 mmHg, pulse 76 /min", "SpO2 97 %, pulse 72 /min". */
export function measurementSummary(measurements: readonly Measurement[]): string {
  const parts: string[] = [];
  const find = (loinc: string) => measurements.find((m) => m.loinc === loinc);
  const used = new Set<Measurement>();
  const systolic = find('8480-6');
  const diastolic = find('8462-4');
  if (systolic || diastolic) {
    parts.push(`BP ${systolic ? number(systolic.value, '') : '–'}/${diastolic ? number(diastolic.value, '') : '–'} mmHg`);
    if (systolic) used.add(systolic);
    if (diastolic) used.add(diastolic);
  }
  for (const m of measurements) {
    if (used.has(m)) continue;
    const value = `${number(m.value, m.unit)} ${unitText(m.unit)}`;
    if (glucoseLoincs.has(m.loinc)) parts.push(`Glucose ${value}`);
    else if (m.loinc === '99504-3') parts.push(`Sensor glucose ${value}`);
    else if (m.loinc === '66441-7') parts.push(`Ketone ${value}`);
    else if (spo2Loincs.has(m.loinc)) parts.push(`SpO2 ${value}`);
    else if (m.loinc === '8867-4') parts.push(`${parts.length ? 'pulse' : 'Pulse'} ${value}`);
    else parts.push(value);
  }
  return parts.length ? parts.join(', ') : 'No values';
}

/**
 * When a pending reading was taken: the device's own time corrected for its clock drift (the time
 * it will be recorded at). A memory reading without one was taken before the device's clock was
 * set — never shown as the time it reached the workstation.
 */
export function readingTime(reading: PendingReading): string {
  if (reading.measuredAt) return formatDateTime(reading.measuredAt);
  return reading.deviceTime ? formatDeviceTime(reading.deviceTime) : 'Time unknown';
}

/** "device clock 01:30, 90 min fast" when the correction changed the time by a minute or more. */
export function clockNote(reading: PendingReading): string | null {
  if (!reading.deviceTime || reading.clockDriftSeconds === null || Math.abs(reading.clockDriftSeconds) < 60) return null;
  return `device clock said ${formatDeviceTime(reading.deviceTime)}, ${driftAmount(reading.clockDriftSeconds)} ${reading.clockDriftSeconds > 0 ? 'fast' : 'slow'}`;
}

/** Measured before this patient's admission (the time is the corrected one). */
export function beforeAdmission(reading: PendingReading, patient: BedChoice | undefined): boolean {
  return !!patient && reading.measuredAt !== null && Date.parse(reading.measuredAt) < Date.parse(patient.admittedAt);
}

/** A pending entry that can go into a patient's record: it has values and a known time, and is no control test. */
export function isRecordable(reading: PendingReading): boolean {
  return reading.problem === null && reading.deviceTime !== null && !reading.flags.includes('control-solution');
}

/** An admitted patient as the bind and record forms offer them: "1A — Peter Patient". */
export interface BedChoice {
  /** The patient's account address. */
  value: string;
  bed: string;
  name: string;
  label: string;
  admittedAt: string;
}

/** Admitted patients the clinician may record readings for, in bed order. */
export function bedChoices(census: readonly CensusRow[]): BedChoice[] {
  return census
    .filter((r) => !r.restricted) // readings go only into records the clinician may write to
    .sort((a, b) => a.bed.localeCompare(b.bed, undefined, { numeric: true }))
    .map((r) => ({ value: r.patient.address, bed: r.bed, name: r.patient.name, label: `${r.bed} — ${r.patient.name}`, admittedAt: r.admittedAt }));
}

/** The admitted patient with this address (addresses compare case-insensitively), if any. */
export function choiceFor(choices: readonly BedChoice[], address: string): BedChoice | undefined {
  const wanted = address.toLowerCase();
  return choices.find((c) => c.value.toLowerCase() === wanted);
}
