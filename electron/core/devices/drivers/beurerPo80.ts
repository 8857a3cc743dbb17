/**
 * Beurer PO 80 pulse oximeter (0x28E9:0x028A, product string "Pulse Oximeter"). 64-byte reports.
 * Host commands end with a check byte = (sum of the preceding bytes) & 0x7F; the one-byte `80`
 * carries none. Sequence: `81 01` (model → `F1` + ASCII), `8E 03 11` (user → `FE 03` + ASCII),
 * `80`, `9B 01 1C`, `9B 00 1B` (start live data); `9A 1A` keepalive while streaming. Live
 * reports `EB 01 status bpm spo2` (≥ 127 invalid), pleth reports `EB 00 …`.
 *
 * The protocol gives a model string but no serial, firmware or readable clock: the id is the USB
 * serial-number string when present, else `po80@<HID path>` (stable while plugged in).
 */
import { WardError } from '../../model/errors';
import { parseLiveItem, type LiveItem } from '../protocols/contecLive';
import { LiveStreamSlot, startLiveStream } from '../protocols/liveStream';
import { padReport, ReportChannel, stepOptions, wardErrorsOnly, type StepOptions } from '../transport/reportIo';
import { asciiText, serialOrFallback } from '../protocols/vitalReadings';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidConnection, HidDeviceInfo, ReadOptions } from '../types';

export const PO80_REPORT_SIZE = 64;

/** `body` followed by its check byte: (sum of the body bytes) & 0x7F. */
export function po80Command(body: ArrayLike<number>): Uint8Array {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += body[i];
  return Uint8Array.from([...Array.from(body), sum & 0x7f]);
}

/** True when the last byte of `command` is the check byte of the bytes before it. */
export function po80CheckByteValid(command: ArrayLike<number>): boolean {
  if (command.length < 2) return false;
  const body = Array.from(command).slice(0, -1);
  return po80Command(body)[body.length] === command[command.length - 1];
}

export const PO80_COMMANDS = {
  model: po80Command([0x81]),
  user: po80Command([0x8e, 0x03]),
  /** Sent as-is: a one-byte command has no check byte. */
  prepare: Uint8Array.of(0x80),
  enableLive: po80Command([0x9b, 0x01]),
  startLive: po80Command([0x9b, 0x00]),
  keepalive: po80Command([0x9a]),
} as const;

export const PO80_MODEL_REPLY = 0xf1;
export const PO80_USER_REPLY = 0xfe;

export type Po80Message = { type: 'model'; model: string } | { type: 'user' } | { type: 'live'; item: LiveItem };

/** Parses one 64-byte input report; unknown or malformed reports are PROTOCOL errors. */
export function parsePo80Report(report: Uint8Array): Po80Message {
  if (report.length !== PO80_REPORT_SIZE) {
    throw new WardError('PROTOCOL', `The oximeter sent a report of ${report.length} bytes; expected ${PO80_REPORT_SIZE}.`);
  }
  switch (report[0]) {
    case PO80_MODEL_REPLY: {
      const model = asciiText(report.subarray(1));
      if (!/^[A-Za-z0-9][ -~]{0,30}$/.test(model)) throw new WardError('PROTOCOL', 'The oximeter sent an unreadable model name.');
      return { type: 'model', model };
    }
    case PO80_USER_REPLY:
      return { type: 'user' };
    case 0xeb:
      return { type: 'live', item: parseLiveItem(report, 0, 'live report') };
    default:
      throw new WardError('PROTOCOL', 'The oximeter sent a report of an unknown type.');
  }
}

/** Reports other than the awaited reply that identify() tolerates before giving up. */
const MAX_SKIPPED_REPORTS = 64;
/** A keepalive goes out after this many reports or this long, whichever comes first. */
export const PO80_KEEPALIVE_EVERY_REPORTS = 10;
export const PO80_KEEPALIVE_EVERY_MS = 5000;

class Po80Session implements DeviceSession {
  private readonly channel: ReportChannel;
  private readonly serial: string;
  private readonly live = new LiveStreamSlot();
  private model: string | null = null;

  constructor(
    private readonly connection: HidConnection,
    info: HidDeviceInfo,
  ) {
    this.channel = new ReportChannel(connection);
    this.serial = serialOrFallback(info, `po80@${info.path}`);
  }

  identify(options?: ReadOptions): Promise<DeviceIdentity> {
    return wardErrorsOnly(() => this.identifyNow(options));
  }

  private async identifyNow(options?: ReadOptions): Promise<DeviceIdentity> {
    if (this.live.active) {
      // The model reply would be read by the stream loop: answer from the last identify instead.
      if (this.model === null) throw new WardError('DEVICE', 'Stop the live stream before identifying the oximeter.');
      return this.identity(this.model);
    }
    const step = stepOptions(options);
    await this.send(PO80_COMMANDS.model, step, 'model request');
    for (let i = 0; i < MAX_SKIPPED_REPORTS; i++) {
      const message = parsePo80Report(await this.channel.read(step, 'model request'));
      if (message.type === 'model') {
        this.model = message.model;
        return this.identity(message.model);
      }
    }
    throw new WardError('PROTOCOL', 'The oximeter did not answer the model request.');
  }

  private identity(model: string): DeviceIdentity {
    return { model: `Beurer ${model}`, serial: this.serial, workstationTime: new Date().toISOString() };
  }

  stream(onReading: (r: DeviceReading) => void, options?: ReadOptions & { onError?: (e: Error) => void }): Promise<() => Promise<void>> {
    return wardErrorsOnly(() => this.startStream(onReading, options));
  }

  private async startStream(onReading: (r: DeviceReading) => void, options?: ReadOptions & { onError?: (e: Error) => void }): Promise<() => Promise<void>> {
    const step = stepOptions(options);
    return this.live.start(async () => {
      await this.send(PO80_COMMANDS.user, step, 'user request');
      await this.send(PO80_COMMANDS.prepare, step, 'live data setup');
      await this.send(PO80_COMMANDS.enableLive, step, 'live data setup');
      await this.send(PO80_COMMANDS.startLive, step, 'live data start');
      let reportsSinceKeepalive = 0;
      let lastKeepalive = Date.now();
      return startLiveStream({
        channel: this.channel,
        idPrefix: `${po80Driver.id}-${this.serial}`,
        driverId: po80Driver.id,
        step,
        parse: (report) => {
          const message = parsePo80Report(report);
          return message.type === 'live' ? [message.item] : [];
        },
        afterReport: async (signal) => {
          reportsSinceKeepalive++;
          if (reportsSinceKeepalive < PO80_KEEPALIVE_EVERY_REPORTS && Date.now() - lastKeepalive < PO80_KEEPALIVE_EVERY_MS) return;
          reportsSinceKeepalive = 0;
          lastKeepalive = Date.now();
          await this.send(PO80_COMMANDS.keepalive, { timeoutMs: step.timeoutMs, signal }, 'keepalive');
        },
        onReading,
        onError: options?.onError,
      });
    });
  }

  async close(): Promise<void> {
    await this.live.stop();
    await this.connection.close().catch(() => undefined);
  }

  private send(command: Uint8Array, step: StepOptions, what: string): Promise<void> {
    return this.channel.writeOutput(padReport(command, PO80_REPORT_SIZE), step, what);
  }
}

export const po80Driver: DeviceDriver = {
  id: 'beurer-po80',
  model: 'Beurer PO 80',
  kind: 'oximeter',
  reads: 'stream',
  matches: [{ vendorId: 0x28e9, productId: 0x028a, product: /^\s*Pulse Oximeter\s*$/i }],
  async open(connection: HidConnection, info: HidDeviceInfo): Promise<DeviceSession> {
    return new Po80Session(connection, info);
  },
};
