/**
 * The devices the workstation sees, and what happens to their readings.
 *
 * Hotplug (polling enumeration) → driver match → open + identify → meters and BP monitors have
 * their memory downloaded into *pending readings* (deduplicated by device serial + device record
 * id against everything already recorded), which a nurse assigns to a patient and confirms —
 * then they are recorded through the record pipeline, signed by the nurse, with the device as
 * provenance. Oximeters stream live values; bound to a bed, their readings are recorded for that
 * patient at the chosen interval by the workstation's station key (unattended, batch-signed).
 *
 * Nothing a device sends can take this service down: every driver error becomes a status and a
 * message on that device.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ethers } from 'ethers';
import type { RecordContent } from '../api/contract';
import { validateVitals, type VitalsInput } from '../clinical/vitals';
import { WardError } from '../common/errors';
import { log } from '../common/log';
import type { Actor, RecordService } from '../records/recordService';
import type { StationIngestQueue } from '../records/stationIngestQueue';
import { HotplugMonitor } from './hotplug';
import type { CompositeBackend } from './compositeBackend';
import { demoOptions } from './simulators/demoReadings';
import { createSimulator, isSimulatorName, simulatorNames } from './simulators/index';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidDeviceInfo } from './types';

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
  binding: { patient: string; intervalSeconds: number; boundBy: string; since: string; lastRecordedAt: string | null; recorded: number } | null;
}

export interface PendingReading {
  id: string;
  deviceId: string;
  model: string;
  serial: string;
  kind: DeviceReading['kind'];
  measurements: DeviceReading['measurements'];
  flags: DeviceReading['flags'];
  /** Null for a memory reading taken before the device's clock was set: its time is unknown. */
  deviceTime: string | null;
  receivedAt: string;
  /** Which user's memory of a shared monitor (BM58: 1 or 2), when the device keeps users apart. */
  monitorUser: 1 | 2 | null;
  /** Why a stored record could not be read (then there are no measurements), else null. */
  problem: string | null;
}

interface Binding {
  patient: string;
  intervalSeconds: number;
  boundBy: string;
  since: number;
  lastRecordedAt: number | null;
  recorded: number;
  timer: NodeJS.Timeout;
}

interface Attached {
  info: HidDeviceInfo;
  driver: DeviceDriver | undefined;
  session: DeviceSession | null;
  identity: DeviceIdentity | null;
  status: DeviceStatus;
  message: string | null;
  live: { reading: DeviceReading; at: number } | null;
  stopStream: (() => Promise<void>) | null;
  binding: Binding | null;
}

/** LOINC → vitals field, for turning a device reading into a vitals set. */
function vitalsOf(reading: DeviceReading): VitalsInput {
  const v: VitalsInput = {};
  for (const m of reading.measurements) {
    if (m.loinc === '2708-6' || m.loinc === '59408-5') v.spo2 = Math.round(m.value);
    else if (m.loinc === '8867-4') v.pulse = Math.round(m.value);
    else if (m.loinc === '8480-6') v.systolic = Math.round(m.value);
    else if (m.loinc === '8462-4') v.diastolic = Math.round(m.value);
    else if (m.loinc === '41653-7' || m.loinc === '99504-3') v.bloodGlucose = { value: m.value, unit: m.unit === 'mmol/L' ? 'mmol/L' : 'mg/dL' };
    else if (m.loinc === '14743-9') v.bloodGlucose = { value: m.value, unit: 'mmol/L' };
    else if (m.loinc === '8310-5') v.temperature = { value: m.value, unit: m.unit === '[degF]' ? '[degF]' : 'Cel' };
    else if (m.loinc === '9279-1') v.respiratoryRate = Math.round(m.value);
  }
  return v;
}

export class DeviceService {
  private readonly devices = new Map<string, Attached>();
  private readonly pending = new Map<string, PendingReading & { reading: DeviceReading; key: string }>();
  /** Dedupe keys of the pending readings (a meter's memory holds hundreds: no scan per reading). */
  private readonly pendingKeys = new Set<string>();
  private readonly hotplug: HotplugMonitor;

  constructor(
    private readonly backend: CompositeBackend,
    private readonly records: RecordService,
    private readonly ingest: StationIngestQueue,
    private readonly changed: () => void,
    /** Whether people may plug simulated devices in from the UI (demo mode, --simulate). */
    readonly simulationEnabled: boolean,
    pollIntervalMs = 1000,
  ) {
    this.hotplug = new HotplugMonitor(backend, { intervalMs: pollIntervalMs });
    this.hotplug.on('attached', (info, driver) => void this.attach(info, driver));
    this.hotplug.on('detached', (info) => void this.detach(info));
    this.hotplug.on('error', (e) => log('warn', 'devices.enumerate_failed', { code: e.code }));
  }

  start(): void {
    this.hotplug.start();
  }

  async stop(): Promise<void> {
    await this.hotplug.stop();
    for (const d of this.devices.values()) await this.release(d);
    this.devices.clear();
  }

  /** Poll now (tests, and right after plugging a simulator). */
  poll(): Promise<void> {
    return this.hotplug.poll();
  }

  get usbProblem(): string | null {
    return this.backend.usbProblem;
  }

  get simulators(): string[] {
    return this.simulationEnabled ? [...simulatorNames] : [];
  }

  // ------------------------------------------------------------ hotplug

  private async attach(info: HidDeviceInfo, driver: DeviceDriver | undefined): Promise<void> {
    const d: Attached = { info, driver, session: null, identity: null, status: 'connecting', message: null, live: null, stopStream: null, binding: null };
    this.devices.set(info.path, d);
    this.changed();
    if (!driver) {
      d.status = 'unsupported';
      d.message = 'This USB device is not a supported medical device.';
      return this.changed();
    }
    if (driver.unsupportedReason) {
      d.status = 'unsupported';
      d.message = driver.unsupportedReason;
      return this.changed();
    }
    try {
      const connection = await this.backend.open(info.path);
      d.session = await driver.open(connection, info);
      d.identity = await d.session.identify({ timeoutMs: 3000 });
      d.status = 'ready';
      log('info', 'devices.attached', { driver: driver.id, simulated: info.path.startsWith('sim:') });
      this.changed();
      if (d.session.readMemory) await this.download(d);
      else if (d.session.stream) await this.startStream(d);
    } catch (e) {
      this.fail(d, e);
    }
  }

  private fail(d: Attached, e: unknown): void {
    const err = e instanceof WardError ? e : new WardError('DEVICE', 'The device stopped responding.');
    d.status = err.code === 'DEVICE_PERMISSION' ? 'no-permission' : 'error';
    d.message = err.message;
    log('warn', 'devices.error', { driver: d.driver?.id ?? 'none', code: err.code });
    this.changed();
  }

  private async detach(info: HidDeviceInfo): Promise<void> {
    const d = this.devices.get(info.path);
    if (!d) return;
    this.devices.delete(info.path);
    await this.release(d);
    this.changed();
  }

  private async release(d: Attached): Promise<void> {
    if (d.binding) clearInterval(d.binding.timer);
    d.binding = null;
    await d.stopStream?.().catch(() => undefined);
    d.stopStream = null;
    await d.session?.close().catch(() => undefined);
    d.session = null;
  }

  // ------------------------------------------------------------ meters: memory download → pending

  dedupeKey(serial: string, deviceRecordId: string): string {
    return '0x' + createHash('sha256').update(`wardledger/device-reading/v1\0${serial}\0${deviceRecordId}`).digest('hex');
  }

  private async download(d: Attached): Promise<void> {
    d.status = 'reading';
    this.changed();
    const readings = await d.session!.readMemory!({ timeoutMs: 3000 });
    const serial = d.identity!.serial;
    let added = 0;
    for (const reading of readings) {
      const key = this.dedupeKey(serial, reading.deviceRecordId);
      if (this.records.seenDevice(key) || this.pendingKeys.has(key)) continue;
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
        receivedAt: reading.workstationTime,
        monitorUser: reading.monitorUser ?? null,
        problem: reading.problem ?? null,
        reading,
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
    const d = this.require(deviceId);
    if (!d.session?.readMemory) throw new WardError('BAD_INPUT', 'This device has no memory to read.');
    try {
      await this.download(d);
    } catch (e) {
      this.fail(d, e);
      throw e instanceof WardError ? e : new WardError('DEVICE', 'Reading the device failed.');
    }
  }

  pendingReadings(): PendingReading[] {
    return [...this.pending.values()].map(({ reading: _r, key: _k, ...p }) => p);
  }

  /** Record pending readings for a patient, signed by the confirming clinician, device as provenance. */
  async assign(actor: Actor, ids: string[], patient: string): Promise<number> {
    const chosen = ids.map((id) => {
      const p = this.pending.get(id);
      if (!p) throw new WardError('NOT_FOUND', 'That reading is no longer pending (already recorded or dismissed).');
      return p;
    });
    for (const p of chosen) {
      if (p.flags.includes('control-solution')) {
        throw new WardError('BAD_INPUT', 'A control-solution test checks the meter, not the patient: dismiss it instead of recording it.');
      }
      if (p.kind === 'ketone') throw new WardError('BAD_INPUT', 'Blood ketone readings cannot be recorded as vitals yet; dismiss them or note the value.');
      if (p.problem) throw new WardError('BAD_INPUT', 'A record the device could not read has no values to record: dismiss it.');
      if (p.deviceTime === null) {
        throw new WardError('BAD_INPUT', 'This reading was taken before the monitor’s clock was set, so its time is unknown: dismiss it, or enter it by hand with the time it was taken.');
      }
    }
    let recorded = 0;
    try {
      for (const p of chosen) {
        const content = this.contentOf(p.reading, p.model, p.serial, p.deviceId);
        const key = p.key;
        if (!this.records.seenDevice(key)) {
          await this.records.create(actor, patient, 'vitals', content, { dedupeKey: key });
          recorded++;
        }
        this.dropPending(p.id);
      }
    } catch (e) {
      const err = e instanceof WardError ? e : new WardError('INTERNAL', 'Recording the readings failed.');
      // Say how far it got: what was recorded stays recorded (and leaves the pending list).
      throw new WardError(err.code, recorded ? `${recorded} of ${chosen.length} readings were recorded; then: ${err.message}` : err.message, { recorded });
    } finally {
      this.changed();
    }
    return recorded;
  }

  private dropPending(id: string): void {
    const p = this.pending.get(id);
    if (p) this.pendingKeys.delete(p.key);
    this.pending.delete(id);
  }

  dismiss(ids: string[]): void {
    for (const id of ids) this.dropPending(id);
    this.changed();
  }

  private contentOf(reading: DeviceReading, model: string, serial: string, deviceId: string): RecordContent {
    const v = validateVitals(vitalsOf(reading));
    if (!v.ok) throw new WardError('BAD_INPUT', `The device reading cannot be recorded: ${Object.values(v.errors)[0]}`);
    return {
      vitals: v.value,
      device: {
        driver: this.devices.get(deviceId)?.driver?.id ?? 'unknown',
        model,
        serial,
        deviceRecordId: reading.deviceRecordId,
        ...(reading.deviceTime ? { deviceTime: reading.deviceTime } : {}),
        receivedAt: reading.workstationTime,
      },
    };
  }

  // ------------------------------------------------------------ oximeters: live stream and bed binding

  private async startStream(d: Attached): Promise<void> {
    d.status = 'streaming';
    this.changed();
    d.stopStream = await d.session!.stream!(
      (reading) => {
        d.live = { reading, at: Date.now() };
      },
      {
        timeoutMs: 5000,
        onError: (e) => this.fail(d, e),
      },
    );
  }

  bind(actor: Actor, deviceId: string, patient: string, intervalSeconds: number): void {
    const d = this.require(deviceId);
    if (!d.session?.stream) throw new WardError('BAD_INPUT', 'Only streaming monitors can be bound to a bed.');
    if (d.binding) clearInterval(d.binding.timer);
    const binding: Binding = {
      patient: ethers.getAddress(patient),
      intervalSeconds,
      boundBy: actor.name,
      since: Date.now(),
      lastRecordedAt: null,
      recorded: 0,
      timer: setInterval(() => void this.recordBound(d), intervalSeconds * 1000),
    };
    binding.timer.unref();
    d.binding = binding;
    this.changed();
  }

  unbind(deviceId: string): void {
    const d = this.require(deviceId);
    if (d.binding) clearInterval(d.binding.timer);
    d.binding = null;
    this.changed();
  }

  /** One interval of a bound monitor: record its latest valid live reading for the patient. */
  private async recordBound(d: Attached): Promise<void> {
    const b = d.binding;
    const live = d.live;
    if (!b || !live || !d.identity) return;
    if (b.lastRecordedAt !== null && live.at <= b.lastRecordedAt) return; // nothing new since last time
    if (live.reading.measurements.length === 0) return; // finger out: nothing to record
    try {
      const content = this.contentOf(live.reading, d.identity.model, d.identity.serial, d.info.path);
      await this.ingest.submit({
        patient: b.patient,
        content,
        authorName: `${d.identity.model} ${d.identity.serial} (bound by ${b.boundBy})`,
        dedupeKey: this.dedupeKey(d.identity.serial, live.reading.deviceRecordId),
      });
      b.lastRecordedAt = live.at;
      b.recorded++;
      this.changed();
    } catch (e) {
      d.message = e instanceof WardError ? e.message : 'Recording the bound monitor failed.';
      this.changed();
    }
  }

  // ------------------------------------------------------------ simulation (demo mode)

  async plugSimulator(name: string, options?: object): Promise<string> {
    if (!this.simulationEnabled) throw new WardError('CONFLICT', 'Simulated devices are available in demo mode (--demo or --simulate) only.');
    if (!isSimulatorName(name)) throw new WardError('BAD_INPUT', `Unknown simulator "${name}". Choose one of: ${simulatorNames.join(', ')}.`);
    const path = this.backend.simulated.plug(createSimulator(name, options ?? demoOptions(name)));
    await this.poll();
    return path;
  }

  async unplugSimulator(deviceId: string): Promise<void> {
    if (!deviceId.startsWith('sim:')) throw new WardError('BAD_INPUT', 'Only simulated devices can be unplugged from the screen.');
    this.backend.simulated.unplug(deviceId);
    await this.poll();
  }

  // ------------------------------------------------------------ views

  private require(deviceId: string): Attached {
    const d = this.devices.get(deviceId);
    if (!d) throw new WardError('NOT_FOUND', 'That device is no longer connected.');
    return d;
  }

  list(): DeviceView[] {
    return [...this.devices.values()].map((d) => {
      const m = (loinc: string) => d.live?.reading.measurements.find((x) => x.loinc === loinc)?.value ?? null;
      return {
        id: d.info.path,
        driver: d.driver?.id ?? null,
        model: d.identity?.model ?? d.driver?.model ?? d.info.product ?? `USB device ${d.info.vendorId.toString(16)}:${d.info.productId.toString(16)}`,
        kind: d.driver?.kind ?? null,
        simulated: d.info.path.startsWith('sim:'),
        status: d.status,
        message: d.message,
        serial: d.identity?.serial ?? null,
        firmware: d.identity?.firmware ?? null,
        deviceTime: d.identity?.deviceTime ?? null,
        clockDriftSeconds: d.identity?.clockDriftSeconds ?? null,
        batteryPercent: d.identity?.batteryPercent ?? null,
        live: d.live ? { spo2: m('2708-6'), pulse: m('8867-4'), at: new Date(d.live.at).toISOString(), flags: d.live.reading.flags } : null,
        binding: d.binding
          ? {
              patient: d.binding.patient,
              intervalSeconds: d.binding.intervalSeconds,
              boundBy: d.binding.boundBy,
              since: new Date(d.binding.since).toISOString(),
              lastRecordedAt: d.binding.lastRecordedAt ? new Date(d.binding.lastRecordedAt).toISOString() : null,
              recorded: d.binding.recorded,
            }
          : null,
      };
    });
  }
}
