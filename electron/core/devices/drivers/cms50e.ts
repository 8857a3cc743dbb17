/**
 * Contec CMS50E, HID variant (0x28E9:0x028A). The device streams by itself once opened: 18-byte
 * input reports, each three 6-byte live items starting 0xEB (pleth at ~60 Hz, pulse/SpO2 at
 * ~1 Hz). The ids belong to a chip vendor and are shared with the Beurer PO 80, so the product
 * string must name the device: we match /CMS50|Contec/i (docs/devices.md: the reference notes only say the Beurer reports
 * "Pulse Oximeter"; a CMS50E reporting that generic string would be taken for a PO 80).
 *
 * The protocol carries no serial, firmware or clock: the id is the USB serial-number string when
 * present, else `cms50e@<HID path>` (stable while plugged in, which is what a bed-bound monitor
 * needs).
 */
import { WardError } from '../../model/errors';
import { parseLiveItem, type LiveItem } from '../protocols/contecLive';
import { LiveStreamSlot, startLiveStream } from '../protocols/liveStream';
import { ReportChannel, stepOptions, wardErrorsOnly } from '../transport/reportIo';
import { serialOrFallback } from '../protocols/vitalReadings';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidConnection, HidDeviceInfo, ReadOptions } from '../types';

export const CMS50E_ITEM_SIZE = 6;

/** Splits one input report into its live items; anything but whole 0xEB items is PROTOCOL. */
export function parseCms50eReport(report: Uint8Array): LiveItem[] {
  if (report.length === 0 || report.length % CMS50E_ITEM_SIZE !== 0 || report.length > 64) {
    throw new WardError('PROTOCOL', `The oximeter sent a report of ${report.length} bytes; expected whole 6-byte items (18 bytes).`);
  }
  const items: LiveItem[] = [];
  for (let offset = 0; offset < report.length; offset += CMS50E_ITEM_SIZE) items.push(parseLiveItem(report, offset, 'live item'));
  return items;
}

const MAX_IDENTIFY_REPORTS = 3;

class Cms50eSession implements DeviceSession {
  private readonly channel: ReportChannel;
  private readonly serial: string;
  private readonly live = new LiveStreamSlot();

  constructor(
    private readonly connection: HidConnection,
    info: HidDeviceInfo,
  ) {
    this.channel = new ReportChannel(connection);
    this.serial = serialOrFallback(info, `cms50e@${info.path}`);
  }

  /** Confirms the device speaks the CMS50E stream (one well-formed report) and reports who it is. */
  identify(options?: ReadOptions): Promise<DeviceIdentity> {
    return wardErrorsOnly(() => this.identifyNow(options));
  }

  private async identifyNow(options?: ReadOptions): Promise<DeviceIdentity> {
    // While streaming, the stream's own reports already prove the protocol; do not compete for them.
    if (this.live.active) return this.identity();
    const step = stepOptions(options);
    let lastError: WardError | undefined;
    for (let i = 0; i < MAX_IDENTIFY_REPORTS; i++) {
      const report = await this.channel.read(step, 'live data');
      try {
        parseCms50eReport(report);
        return this.identity();
      } catch (e) {
        if (!(e instanceof WardError)) throw e;
        lastError = e;
      }
    }
    throw lastError ?? new WardError('PROTOCOL', 'The oximeter did not send recognisable data.');
  }

  private identity(): DeviceIdentity {
    return { model: cms50eDriver.model, serial: this.serial, workstationTime: new Date().toISOString() };
  }

  stream(onReading: (r: DeviceReading) => void, options?: ReadOptions & { onError?: (e: Error) => void }): Promise<() => Promise<void>> {
    return wardErrorsOnly(() => this.startStream(onReading, options));
  }

  private async startStream(onReading: (r: DeviceReading) => void, options?: ReadOptions & { onError?: (e: Error) => void }): Promise<() => Promise<void>> {
    return this.live.start(async () =>
      startLiveStream({
        channel: this.channel,
        idPrefix: `${cms50eDriver.id}-${this.serial}`,
        driverId: cms50eDriver.id,
        step: stepOptions(options),
        parse: parseCms50eReport,
        onReading,
        onError: options?.onError,
      }),
    );
  }

  async close(): Promise<void> {
    await this.live.stop();
    await this.connection.close().catch(() => undefined);
  }
}

export const cms50eDriver: DeviceDriver = {
  id: 'contec-cms50e',
  model: 'Contec CMS50E',
  kind: 'oximeter',
  reads: 'stream',
  matches: [{ vendorId: 0x28e9, productId: 0x028a, product: /CMS50|Contec/i }],
  async open(connection: HidConnection, info: HidDeviceInfo): Promise<DeviceSession> {
    return new Cms50eSession(connection, info);
  },
};
