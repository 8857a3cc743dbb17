/**
 * Streaming monitors (oximeters): their live values are shown, and a monitor bound to a bed
 * records its latest valid reading for that patient at the chosen interval, unattended, through
 * the station's batch-signed ingest queue.
 *
 * Bindings are durable (issue 9 item 8): kept in a BindingStore by the monitor's driver and serial
 * (its USB port may change), so after a restart a bound monitor resumes recording as soon as it is
 * identified again, and the panel says so; until it is back the panel lists the binding as waiting
 * for it. Unbinding, unplugging the monitor (it may be moved to another bed) or the patient's
 * discharge ends a binding.
 */
import { ethers } from 'ethers';
import type { Actor } from '../identity/actor';
import type { DeviceView, WaitingBinding } from '../model/devices';
import { WardError } from '../model/errors';
import type { StationIngestQueue } from '../records/stationIngestQueue';
import { streamOf, type AttachedDevice, type AttachedDevices } from './attachedDevices';
import { log } from '../platform/log';
import { monitorKey, type BindingStore, type StoredBinding } from '../records/bedBindingStore';
import { dedupeKey, requireRecordable, type Admitted, type WriteAccess } from './pendingReadings';
import { readingContent } from './readingVitals';

interface Binding {
  kept: StoredBinding;
  /** When recording resumed after a restart (null: bound in this run), and whether the monitor was known by its USB port only. */
  resumed: { at: number; byPort: boolean } | null;
  lastRecordedAt: number | null;
  recorded: number;
  timer: NodeJS.Timeout;
}

export class BedBinding {
  /** Active bindings, by device id. */
  private readonly bindings = new Map<string, Binding>();
  /** Every binding kept, by monitor (driver + serial), active or waiting for its monitor. */
  private readonly kept = new Map<string, StoredBinding>();

  constructor(
    private readonly devices: AttachedDevices,
    private readonly ingest: StationIngestQueue,
    private readonly care: Admitted,
    private readonly access: WriteAccess,
    private readonly store: BindingStore,
    private readonly changed: () => void,
  ) {}

  /** Read the bindings kept before this start (before any monitor is identified, so each can resume). */
  async restore(): Promise<void> {
    for (const b of await this.store.load()) this.kept.set(monitorKey(b), b);
  }

  /** Start a monitor's live stream (shown in the panel; recorded only while bound), and resume its binding if it had one. */
  async startStream(d: AttachedDevice): Promise<void> {
    const stream = streamOf(d);
    d.status = 'streaming';
    this.changed();
    d.stopStream = await stream(
      (reading) => {
        d.live = { reading, at: Date.now() };
      },
      {
        timeoutMs: 5000,
        onError: (e) => this.devices.fail(d, e),
      },
    );
    this.resume(d);
  }

  /** Record a monitor's readings for an admitted patient every `intervalSeconds`. */
  async bind(actor: Actor, deviceId: string, patient: string, intervalSeconds: number): Promise<void> {
    requireRecordable(this.care, this.access, actor, patient);
    const d = this.devices.require(deviceId);
    streamOf(d);
    if (!d.identity || !d.driver) throw new WardError('CONFLICT', 'This monitor has not been identified yet; wait a moment and try again.');
    this.stop(d);
    const kept: StoredBinding = {
      driver: d.driver.id,
      serial: d.identity.serial,
      model: d.identity.model,
      patient: ethers.getAddress(patient),
      intervalSeconds,
      boundBy: actor.name,
      since: Date.now(),
    };
    await this.keep(kept);
    this.start(d, kept, null);
  }

  async unbind(deviceId: string): Promise<void> {
    const d = this.devices.require(deviceId);
    this.stop(d);
    await this.forget(d);
    this.changed();
  }

  /**
   * The monitor went away. Unplugged: its binding ends (it may be moved to another bed). The
   * service stopping: the binding is kept and resumes at the next start.
   */
  gone(d: AttachedDevice, why: 'unplugged' | 'stopping'): void {
    this.stop(d);
    if (why === 'unplugged') void this.forgetInBackground(d);
  }

  view(d: AttachedDevice): DeviceView['binding'] {
    const b = this.bindings.get(d.info.path);
    if (!b) return null;
    return {
      patient: b.kept.patient,
      bed: this.care.currentOf(b.kept.patient)?.bed ?? null,
      intervalSeconds: b.kept.intervalSeconds,
      boundBy: b.kept.boundBy,
      since: new Date(b.kept.since).toISOString(),
      resumed: b.resumed ? { at: new Date(b.resumed.at).toISOString(), byPort: b.resumed.byPort } : null,
      lastRecordedAt: b.lastRecordedAt ? new Date(b.lastRecordedAt).toISOString() : null,
      recorded: b.recorded,
    };
  }

  /** Bindings kept from before a restart whose monitor is not back yet. */
  waiting(): WaitingBinding[] {
    const active = new Set([...this.bindings.values()].map((b) => monitorKey(b.kept)));
    return [...this.kept.values()]
      .filter((k) => !active.has(monitorKey(k)))
      .map((k) => ({ model: k.model, serial: k.serial, patient: k.patient, bed: this.care.currentOf(k.patient)?.bed ?? null, intervalSeconds: k.intervalSeconds, boundBy: k.boundBy, since: new Date(k.since).toISOString() }));
  }

  private resume(d: AttachedDevice): void {
    if (!d.identity || !d.driver || this.bindings.has(d.info.path)) return;
    const kept = this.kept.get(monitorKey({ driver: d.driver.id, serial: d.identity.serial }));
    if (!kept) return;
    if (!this.care.currentOf(kept.patient)) {
      void this.forgetInBackground(d);
      d.message = 'This monitor’s bed binding ended while WardLedger was closed: the patient was discharged.';
      return this.changed();
    }
    // Oximeters without a USB serial number are known by their port (drivers/cms50e.ts, beurerPo80.ts):
    // the panel asks to check it is still the monitor on that bed.
    this.start(d, kept, { at: Date.now(), byPort: !d.info.serialNumber?.trim() });
  }

  private start(d: AttachedDevice, kept: StoredBinding, resumed: Binding['resumed']): void {
    const timer = setInterval(() => void this.recordBound(d), kept.intervalSeconds * 1000);
    timer.unref();
    this.bindings.set(d.info.path, { kept, resumed, lastRecordedAt: null, recorded: 0, timer });
    this.changed();
  }

  /** Stop recording for a device now (what is kept is not touched). */
  private stop(d: AttachedDevice): void {
    const b = this.bindings.get(d.info.path);
    if (b) clearInterval(b.timer);
    this.bindings.delete(d.info.path);
  }

  private async keep(b: StoredBinding): Promise<void> {
    await this.store.put(b);
    this.kept.set(monitorKey(b), b);
  }

  private async forget(d: AttachedDevice): Promise<void> {
    if (!d.identity || !d.driver) return;
    const monitor = { driver: d.driver.id, serial: d.identity.serial };
    if (this.kept.delete(monitorKey(monitor))) await this.store.remove(monitor);
  }

  /** Forget from a device event (nobody waits for it): a failed write is logged, and the binding comes back at the next start. */
  private async forgetInBackground(d: AttachedDevice): Promise<void> {
    await this.forget(d).catch((e: unknown) => log('warn', 'devices.binding_not_forgotten', { error: (e as Error).message }));
  }

  /** One interval of a bound monitor: record its latest valid live reading for the patient. */
  private async recordBound(d: AttachedDevice): Promise<void> {
    const b = this.bindings.get(d.info.path);
    const live = d.live;
    if (!b || !live || !d.identity) return;
    if (!this.care.currentOf(b.kept.patient)) {
      // Discharged: nothing more goes into the record from this bed.
      this.stop(d);
      this.forget(d);
      d.message = 'Recording stopped: the patient this monitor was bound to has been discharged.';
      return this.changed();
    }
    if (b.lastRecordedAt !== null && live.at <= b.lastRecordedAt) return; // nothing new since last time
    if (live.reading.measurements.length === 0) return; // finger out: nothing to record
    try {
      // A live reading has no device clock: it was measured when it arrived. Scored on the scale in
      // force now (an unbound or discharged patient gets nothing).
      const admission = this.care.currentOf(b.kept.patient);
      if (!admission) return;
      const origin = { device: { driver: d.driver?.id ?? 'unknown', model: d.identity.model, serial: d.identity.serial }, measuredAt: new Date(live.at).toISOString(), clockDriftSeconds: null };
      const content = readingContent(live.reading, origin, admission.news2Scale);
      await this.ingest.submit({
        patient: b.kept.patient,
        content,
        authorName: `${d.identity.model} ${d.identity.serial} (bound by ${b.kept.boundBy})`,
        dedupeKey: dedupeKey(d.identity.serial, live.reading.deviceRecordId),
      });
      b.lastRecordedAt = live.at;
      b.recorded++;
      this.changed();
    } catch (e) {
      d.message = e instanceof WardError ? e.message : 'Recording the bound monitor failed.';
      this.changed();
    }
  }
}
