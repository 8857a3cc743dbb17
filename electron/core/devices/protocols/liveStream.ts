/**
 * The read loop shared by the live oximeters: reads reports, turns vitals items into readings,
 * skips isolated malformed reports (a live monitor must ride out line noise), and stops with a
 * single error when the device goes quiet, is unplugged, or keeps sending garbage.
 */
import { WardError } from '../../model/errors';
import { log } from '../../platform/log';
import type { DeviceReading } from '../types';
import { liveVitals, type LiveItem } from './contecLive';
import { isCancelled, type ReportChannel, type StepOptions } from '../transport/reportIo';

/** Consecutive malformed reports after which the stream gives up. */
export const MAX_CONSECUTIVE_MALFORMED = 10;

export interface LiveStreamSpec {
  channel: ReportChannel;
  /** Prefix of deviceRecordIds, e.g. the driver id plus the device serial. */
  idPrefix: string;
  /** Driver id for logs. */
  driverId: string;
  step: StepOptions;
  /** Report → live items; throws WardError('PROTOCOL') for a malformed report. */
  parse(report: Uint8Array): LiveItem[];
  /** Called after every good report (e.g. to send a keepalive). */
  afterReport?(signal: AbortSignal): Promise<void>;
  onReading(r: DeviceReading): void;
  /** Called once if the stream stops by itself (timeout, unplug, garbage); never after stop(). */
  onError?(e: Error): void;
}

/** Starts the loop; returns the stop function (idempotent, resolves when the loop has ended). */
export function startLiveStream(spec: LiveStreamSpec): () => Promise<void> {
  const stopper = new AbortController();
  const userSignal = spec.step.signal;
  const onUserAbort = (): void => stopper.abort();
  if (userSignal?.aborted) stopper.abort();
  else userSignal?.addEventListener('abort', onUserAbort, { once: true });

  const startedAt = Date.now();
  let seq = 0;
  const loop = (async (): Promise<void> => {
    let malformed = 0;
    const step: StepOptions = { timeoutMs: spec.step.timeoutMs, signal: stopper.signal };
    for (;;) {
      const report = await spec.channel.readOrNull(step);
      if (report === null) {
        throw new WardError('DEVICE_TIMEOUT', `The oximeter stopped sending data for ${spec.step.timeoutMs} ms; streaming stopped. Check that it is switched on.`);
      }
      let items: LiveItem[];
      try {
        items = spec.parse(report);
      } catch (e) {
        if (!(e instanceof WardError) || e.code !== 'PROTOCOL') throw e;
        malformed++;
        log('warn', 'device.live.malformed', { driver: spec.driverId, consecutive: malformed });
        if (malformed >= MAX_CONSECUTIVE_MALFORMED) {
          throw new WardError('PROTOCOL', `The oximeter sent ${malformed} malformed reports in a row; streaming stopped. Unplug it and plug it in again.`);
        }
        continue;
      }
      malformed = 0;
      for (const item of items) {
        if (item.type !== 'vitals') continue;
        const { measurements, flags } = liveVitals(item);
        seq++;
        const reading: DeviceReading = {
          deviceRecordId: `${spec.idPrefix}-live-${startedAt}-${seq}`,
          kind: 'spo2-pulse',
          measurements,
          workstationTime: new Date().toISOString(),
          flags,
        };
        try {
          spec.onReading(reading);
        } catch {
          // The listener's failure is its own; the stream goes on.
          log('warn', 'device.live.listener_failed', { driver: spec.driverId });
        }
      }
      await spec.afterReport?.(stopper.signal);
    }
  })().catch((e: unknown) => {
    if (isCancelled(e) && stopper.signal.aborted) return;
    const err = e instanceof WardError ? e : new WardError('INTERNAL', 'The oximeter stream failed unexpectedly.');
    log('warn', 'device.live.stopped', { driver: spec.driverId, code: err.code });
    try {
      spec.onError?.(err);
    } catch {
      // A faulty listener must not turn into an unhandled rejection.
    }
  }).finally(() => userSignal?.removeEventListener('abort', onUserAbort));

  return async () => {
    stopper.abort();
    await loop;
  };
}

/** Keeps a session to one live stream at a time and lets close() stop it first. */
export class LiveStreamSlot {
  private stopCurrent: (() => Promise<void>) | null = null;

  /** Runs `start` unless a stream is already running; returns a stop that also frees the slot. */
  async start(start: () => Promise<() => Promise<void>>): Promise<() => Promise<void>> {
    if (this.stopCurrent) throw new WardError('DEVICE', 'This oximeter is already streaming.');
    const placeholder = async (): Promise<void> => undefined;
    this.stopCurrent = placeholder; // reserve the slot while the device is set up
    let stop: () => Promise<void>;
    try {
      stop = await start();
    } catch (e) {
      this.stopCurrent = null;
      throw e;
    }
    const release = async (): Promise<void> => {
      await stop();
      if (this.stopCurrent === release) this.stopCurrent = null;
    };
    this.stopCurrent = release;
    return release;
  }

  async stop(): Promise<void> {
    await this.stopCurrent?.();
  }

  /** True while a stream runs (or is being set up). */
  get active(): boolean {
    return this.stopCurrent !== null;
  }
}
