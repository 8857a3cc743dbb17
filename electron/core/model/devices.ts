/** USB medical devices as the screens and records see them: readings, device state, provenance. */

/** One measured quantity of a reading, already normalised. */
export interface Measurement {
  /** IEEE 11073 MDC 32-bit code, e.g. 150456 for SpO2. */
  mdc: number;
  /** LOINC code, e.g. '2708-6'. */
  loinc: string;
  /** UCUM unit, e.g. '%', '/min', 'mm[Hg]', 'mg/dL', 'mmol/L'. */
  unit: string;
  value: number;
}

export type ReadingKind = 'glucose' | 'ketone' | 'spo2-pulse' | 'blood-pressure';

export type ReadingFlag =
  | 'control-solution'
  | 'irregular-heartbeat'
  | 'above-range'
  | 'below-range'
  | 'before-meal'
  | 'after-meal'
  | 'cuff-fit-error'
  | 'finger-out'
  | 'searching';

/** The device a recorded reading came from (kept in the signed record). */
export interface DeviceProvenance {
  driver: string;
  model: string;
  serial: string;
  deviceRecordId: string;
  /** The device's own clock at measurement (ISO local time, no zone), uncorrected. */
  deviceTime?: string;
  /**
   * Device clock minus workstation clock (seconds) when its memory was read: the correction that
   * turned deviceTime into the record's measuredAt. Absent when the device reports no clock.
   */
  clockDriftSeconds?: number;
  /** When the workstation received the reading (the upload time). */
  receivedAt: string;
}

export type DeviceStatus = 'connecting' | 'ready' | 'reading' | 'streaming' | 'unsupported' | 'no-permission' | 'error';

export interface DeviceView {
  id: string;
  driver: string | null;
  model: string;
  kind: string | null;
  simulated: boolean;
  status: DeviceStatus;
  message: string | null;
  serial: string | null;
  firmware: string | null;
  deviceTime: string | null;
  clockDriftSeconds: number | null;
  batteryPercent: number | null;
  live: { spo2: number | null; pulse: number | null; at: string; flags: string[] } | null;
  binding: {
    patient: string;
    /** The patient's bed (null once discharged). */
    bed: string | null;
    intervalSeconds: number;
    boundBy: string;
    since: string;
    /**
     * When recording resumed after WardLedger restarted (null: bound since this start); byPort when
     * the monitor has no serial number and was recognised by its USB port (to be checked at the bed).
     */
    resumed: { at: string; byPort: boolean } | null;
    lastRecordedAt: string | null;
    /** Readings recorded since this start. */
    recorded: number;
  } | null;
}

/** A bed binding kept from before a restart whose monitor is not connected (again) yet. */
export interface WaitingBinding {
  model: string;
  serial: string;
  patient: string;
  bed: string | null;
  intervalSeconds: number;
  boundBy: string;
  since: string;
}

/** A reading downloaded from a meter's memory, waiting for a nurse to assign or dismiss it. */
export interface PendingReading {
  id: string;
  deviceId: string;
  model: string;
  serial: string;
  kind: ReadingKind;
  measurements: Measurement[];
  flags: ReadingFlag[];
  /** Null for a memory reading taken before the device's clock was set: its time is unknown. */
  deviceTime: string | null;
  /** Device clock minus workstation clock when the memory was read (seconds), or null when not reported. */
  clockDriftSeconds: number | null;
  /** When it was measured (ISO UTC): deviceTime corrected by the drift; null when the time is unknown. */
  measuredAt: string | null;
  /** Measured longer ago than the ward accepts without confirmation (ward setting, days). */
  olderThanLimit: boolean;
  receivedAt: string;
  /** Which user's memory of a shared monitor (BM58: 1 or 2), when the device keeps users apart. */
  monitorUser: 1 | 2 | null;
  /** Why a stored record could not be read (then there are no measurements), else null. */
  problem: string | null;
}

export interface DevicesOverview {
  /** Why real USB devices are unavailable (e.g. libusb missing), or null. */
  usbProblem: string | null;
  /** Simulators that can be plugged in from the screen (demo mode), else empty. */
  simulators: string[];
  devices: DeviceView[];
  pending: PendingReading[];
  /** Bindings that resume when their monitor is connected again. */
  waitingBindings: WaitingBinding[];
}
