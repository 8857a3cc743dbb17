/**
 * The disk the ward's data directory lives on, as an IT admin running a ward for years needs it:
 * what the ward holds, what is free, how fast the ward grows and when the disk would be full. A
 * full disk is the one failure the store cannot ride out (no record can be saved), and it comes
 * slowly: one 30-bed ward of monitored beds writes some 45 MB a day (1,107 B a reading,
 * docs/benchmarks.md), 17 GB a year.
 *
 * The growth is measured, not assumed: the data directory's size is sampled once an hour (and a
 * minute after start) into the store, eight days kept; the rate is over the last seven days of samples, and
 * none is given before a day of them (a fresh ward's first hours, a restore or an upgrade would
 * say nothing of a normal day).
 */
import { readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBytes, type DiskStatus } from '../model/storeStatus';
import { REOPEN_FREE_BYTES } from '../storage/levelKv';
import type { WardStore } from '../storage/wardStore';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** Samples older than this are dropped (the rate reads the last RATE_OVER_MS of them). */
const KEEP_MS = 8 * DAY_MS;
const RATE_OVER_MS = 7 * DAY_MS;
/** No rate from less than this span of samples. */
const RATE_AFTER_MS = DAY_MS;
/** Warned about when the disk would be full within this many days at the measured rate… */
export const WARN_DAYS_LEFT = 30;
/** …or when less than this, or this fraction of the volume, is free, whatever the rate (another program may be filling the disk). */
export const WARN_FREE_BYTES = 2 * 2 ** 30;
export const WARN_FREE_FRACTION = 0.05;
const SAMPLES_STATE = 'diskSamples';
const FIRST_SAMPLE_AFTER_MS = 60_000;

export interface DiskSample {
  /** When (ms) and how many bytes the data directory held. */
  at: number;
  bytes: number;
}

/** Bytes of every file under `dir` (the store's tables, the chain, keystores, settings). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    // A file may go between listing and stat (LevelDB compacting): it holds nothing any more.
    total += await stat(join(entry.parentPath, entry.name)).then((s) => s.size, () => 0);
  }
  return total;
}

/** The samples kept after adding `sample`: at most one an hour (a newer one replaces the last within its hour), none older than KEEP_MS. */
export function withSample(samples: readonly DiskSample[], sample: DiskSample): DiskSample[] {
  const kept = samples.filter((s) => s.at > sample.at - KEEP_MS && s.at < sample.at);
  const last = kept.at(-1);
  if (last && sample.at - last.at < HOUR_MS) kept.pop();
  return [...kept, sample];
}

/** Bytes a day the data directory grew by over the last RATE_OVER_MS of samples; null before a day of them. */
export function growthPerDay(samples: readonly DiskSample[], now: number): number | null {
  const recent = samples.filter((s) => s.at >= now - RATE_OVER_MS).sort((a, b) => a.at - b.at);
  const first = recent[0];
  const last = recent.at(-1);
  if (!first || !last || last.at - first.at < RATE_AFTER_MS) return null;
  return ((last.bytes - first.bytes) / (last.at - first.at)) * DAY_MS;
}

/** The disk in figures and, when it needs someone, in words. */
export function diskStatus(figures: { dataBytes: number; freeBytes: number; volumeBytes: number }, samples: readonly DiskSample[], now: number): DiskStatus {
  const bytesPerDay = growthPerDay(samples, now);
  const daysLeft = bytesPerDay !== null && bytesPerDay > 0 ? Math.floor(figures.freeBytes / bytesPerDay) : null;
  const full = 'When it is full no record can be saved: free space on it, or move the ward to a larger disk (back up, then restore there).';
  let warning: string | null = null;
  if (figures.freeBytes < WARN_FREE_BYTES || figures.freeBytes < figures.volumeBytes * WARN_FREE_FRACTION) {
    warning = `The disk holding the ward's records has only ${formatBytes(figures.freeBytes)} free${daysLeft !== null ? `, about ${daysLeft} day${daysLeft === 1 ? '' : 's'} at this ward's growth` : ''}. ${full}`;
  } else if (daysLeft !== null && daysLeft < WARN_DAYS_LEFT) {
    warning = `The disk holding the ward's records will be full in about ${daysLeft} day${daysLeft === 1 ? '' : 's'} at this ward's growth (${formatBytes(bytesPerDay!)} a day; ${formatBytes(figures.freeBytes)} free). ${full}`;
  }
  return { ...figures, bytesPerDay, daysLeft, warning };
}

/**
 * Nurses and doctors are told on the ward board only when saving is about to fail (the IT admin is
 * told weeks before, WARN_DAYS_LEFT): the disk full within this many days at the ward's growth...
 */
export const STAFF_WARN_DAYS_LEFT = 3;
/** ...or less than this free whatever the growth (a few hours of a busy ward's readings, and its chain). */
export const STAFF_WARN_FREE_BYTES = 512 * 2 ** 20;

/** What the ward board tells clinicians about the disk, in words they can act on; null when there is nothing to do. */
export function staffDiskWarning(freeBytes: number, bytesPerDay: number | null): string | null {
  // Below it the store takes no more writes (storage/levelKv.ts): the disk is full for the ward.
  if (freeBytes < REOPEN_FREE_BYTES) {
    return "This workstation's disk is full: readings and records cannot be saved. Tell the IT admin now, and record observations by the ward's downtime procedure until it is fixed.";
  }
  const daysLeft = bytesPerDay !== null && bytesPerDay > 0 ? Math.floor(freeBytes / bytesPerDay) : null;
  if (freeBytes >= STAFF_WARN_FREE_BYTES && (daysLeft === null || daysLeft >= STAFF_WARN_DAYS_LEFT)) return null;
  const left = daysLeft === null ? '' : daysLeft === 0 ? ', less than a day at this ward\'s rate' : `, about ${daysLeft} day${daysLeft === 1 ? '' : 's'} at this ward's rate`;
  return `This workstation's disk is nearly full (${formatBytes(freeBytes)} free${left}). When it is full, readings and records cannot be saved: tell the IT admin today.`;
}

/** Samples the data directory's size once an hour into the store, and says how the disk stands. */
export class WardDisk {
  private first: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: () => WardStore,
    private readonly dataDir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A sample a minute after start, then one an hour. Not at once: the walk stats every file of the
   * data directory on the thread pool LevelDB reads on (50–80 ms for the 1,000,000-record ward's
   * 682 files), which the first opens after a start are waiting for.
   */
  start(): void {
    this.first ??= setTimeout(() => void this.sample(), FIRST_SAMPLE_AFTER_MS);
    this.first.unref();
    this.timer ??= setInterval(() => void this.sample(), HOUR_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    this.first = null;
    this.timer = null;
    await this.running;
  }

  /** Take a sample (one at a time; a failure to read the directory leaves the samples as they were). */
  sample(): Promise<void> {
    this.running ??= (async () => {
      const bytes = await directoryBytes(this.dataDir);
      const samples = (await this.store().state<DiskSample[]>(SAMPLES_STATE)) ?? [];
      await this.store().write((w) => w.state(SAMPLES_STATE, withSample(samples, { at: this.now(), bytes })));
    })()
      .catch(() => undefined)
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** The ward board's warning (staffDiskWarning): the volume's free space and the samples' growth, no walk of the directory. */
  async staffWarning(): Promise<string | null> {
    const [fs, samples] = await Promise.all([statfs(this.dataDir), this.store().state<DiskSample[]>(SAMPLES_STATE)]);
    return staffDiskWarning(fs.bavail * fs.bsize, growthPerDay(samples ?? [], this.now()));
  }

  /** The disk as it is now, with the growth the samples show. */
  async status(): Promise<DiskStatus> {
    const [dataBytes, fs, samples] = await Promise.all([directoryBytes(this.dataDir), statfs(this.dataDir), this.store().state<DiskSample[]>(SAMPLES_STATE)]);
    return diskStatus({ dataBytes, freeBytes: fs.bavail * fs.bsize, volumeBytes: fs.blocks * fs.bsize }, samples ?? [], this.now());
  }
}
