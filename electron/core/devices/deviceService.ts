/**
 * The devices panel: the attached devices (attachedDevices.ts) read as their drivers declare —
 * meters and BP monitors into pending readings a clinician assigns (pendingReadings.ts), oximeters
 * streaming live and, bound to a bed, recorded unattended (bedBinding.ts) — and simulated devices
 * in demo mode (simulation.ts).
 */
import type { Actor } from '../identity/actor';
import type { DevicesOverview, DeviceView, PendingReading } from '../model/devices';
import type { RecordWriter } from '../records/recordWriter';
import type { StationIngestQueue } from '../records/stationIngestQueue';
import { AttachedDevices, deviceView } from './attachedDevices';
import { BedBinding } from './bedBinding';
import type { BindingStore } from '../records/bedBindingStore';
import type { CompositeBackend } from './compositeBackend';
import { PendingReadings, type Admitted, type WriteAccess } from './pendingReadings';
import { Simulation } from './simulation';

export class DeviceService {
  readonly attached: AttachedDevices;
  readonly pending: PendingReadings;
  readonly binding: BedBinding;
  readonly simulation: Simulation;

  constructor(
    backend: CompositeBackend,
    writer: RecordWriter,
    care: Admitted,
    /** Who may write to whose record: readings are recorded only by those who may. */
    access: WriteAccess,
    ingest: StationIngestQueue,
    /** Where bed bindings survive restarts. */
    bindings: BindingStore,
    changed: () => void,
    /** Whether people may plug simulated devices in from the UI (demo mode, --simulate). */
    simulationEnabled: boolean,
    pollIntervalMs = 1000,
    /** Pending readings measured longer ago than this many days are flagged (ward setting). */
    maxReadingAgeDays: () => number = () => 7,
  ) {
    this.attached = new AttachedDevices(
      backend,
      {
        identified: (d) => (d.driver?.reads === 'memory' ? this.pending.download(d) : this.binding.startStream(d)),
        gone: (d, why) => this.binding.gone(d, why),
      },
      changed,
      pollIntervalMs,
    );
    this.pending = new PendingReadings(this.attached, writer, care, access, changed, maxReadingAgeDays);
    this.binding = new BedBinding(this.attached, ingest, care, access, bindings, changed);
    this.simulation = new Simulation(backend, simulationEnabled, () => this.attached.poll());
  }

  /** Restore the kept bed bindings, then start watching the USB bus (so a bound monitor found first resumes). */
  async start(): Promise<void> {
    await this.binding.restore();
    this.attached.start();
  }

  stop(): Promise<void> {
    return this.attached.stop();
  }

  /** Poll now (tests, and right after plugging a simulator). */
  poll(): Promise<void> {
    return this.attached.poll();
  }

  list(): DeviceView[] {
    return this.attached.all().map((d) => deviceView(d, this.binding.view(d)));
  }

  pendingReadings(): PendingReading[] {
    return this.pending.list();
  }

  overview(): DevicesOverview {
    return { usbProblem: this.attached.usbProblem, simulators: this.simulation.available, devices: this.list(), pending: this.pendingReadings(), waitingBindings: this.binding.waiting() };
  }

  assign(actor: Actor, readingIds: string[], patient: string, confirmTimes = false): Promise<number> {
    return this.pending.assign(actor, readingIds, patient, confirmTimes);
  }

  dismiss(readingIds: string[]): void {
    this.pending.dismiss(readingIds);
  }

  reread(deviceId: string): Promise<void> {
    return this.pending.reread(deviceId);
  }

  bind(actor: Actor, deviceId: string, patient: string, intervalSeconds: number): Promise<void> {
    return this.binding.bind(actor, deviceId, patient, intervalSeconds);
  }

  unbind(deviceId: string): Promise<void> {
    return this.binding.unbind(deviceId);
  }

  plugSimulator(nameOrAlias: string, options?: object): Promise<string> {
    return this.simulation.plug(nameOrAlias, options);
  }

  unplugSimulator(deviceId: string): Promise<void> {
    return this.simulation.unplug(deviceId);
  }
}
