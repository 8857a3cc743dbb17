/**
 * Streaming monitors (oximeters): their live values are shown, and a monitor bound to a bed
 * records its latest valid reading for that patient at the chosen interval, unattended, through
 * the station's batch-signed ingest queue.
 */
import { ethers } from 'ethers';
import type { Actor } from '../identity/actor';
import type { DeviceView } from '../model/devices';
import { WardError } from '../model/errors';

import type { StationIngestQueue } from '../records/stationIngestQueue';
import { streamOf, type AttachedDevice, type AttachedDevices } from './attachedDevices';
import { dedupeKey, requireRecordable, type Admitted, type WriteAccess } from './pendingReadings';
import { readingContent } from './readingVitals';

interface Binding {
  patient: string;
  intervalSeconds: number;
  boundBy: string;
  since: number;
  lastRecordedAt: number | null;
  recorded: number;
  timer: NodeJS.Timeout;
}

export class BedBinding {
  /** By device id. */
  private readonly bindings = new Map<string, Binding>();

  constructor(
    private readonly devices: AttachedDevices,
    private readonly ingest: StationIngestQueue,
    private readonly care: Admitted,
    private readonly access: WriteAccess,
    private readonly changed: () => void,
  ) {}

  /** Start a monitor's live stream (shown in the panel; recorded only while bound). */
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
  }

  /** Record a monitor's readings for an admitted patient every `intervalSeconds`. */
  bind(actor: Actor, deviceId: string, patient: string, intervalSeconds: number): void {
    requireRecordable(this.care, this.access, actor, patient);
    const d = this.devices.require(deviceId);
    streamOf(d);
    this.drop(d);
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
    this.bindings.set(d.info.path, binding);
    this.changed();
  }

  unbind(deviceId: string): void {
    this.drop(this.devices.require(deviceId));
    this.changed();
  }

  /** Stop recording for a device (unbound, unplugged, or the service stops). */
  drop(d: AttachedDevice): void {
    const b = this.bindings.get(d.info.path);
    if (b) clearInterval(b.timer);
    this.bindings.delete(d.info.path);
  }

  view(d: AttachedDevice): DeviceView['binding'] {
    const b = this.bindings.get(d.info.path);
    if (!b) return null;
    return {
      patient: b.patient,
      intervalSeconds: b.intervalSeconds,
      boundBy: b.boundBy,
      since: new Date(b.since).toISOString(),
      lastRecordedAt: b.lastRecordedAt ? new Date(b.lastRecordedAt).toISOString() : null,
      recorded: b.recorded,
    };
  }

  /** One interval of a bound monitor: record its latest valid live reading for the patient. */
  private async recordBound(d: AttachedDevice): Promise<void> {
    const b = this.bindings.get(d.info.path);
    const live = d.live;
    if (!b || !live || !d.identity) return;
    if (b.lastRecordedAt !== null && live.at <= b.lastRecordedAt) return; // nothing new since last time
    if (live.reading.measurements.length === 0) return; // finger out: nothing to record
    try {
      const content = readingContent(live.reading, { driver: d.driver?.id ?? 'unknown', model: d.identity.model, serial: d.identity.serial });
      await this.ingest.submit({
        patient: b.patient,
        content,
        authorName: `${d.identity.model} ${d.identity.serial} (bound by ${b.boundBy})`,
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
