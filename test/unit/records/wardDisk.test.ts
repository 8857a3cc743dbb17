/**
 * The disk the ward lives on (records/wardDisk.ts): the data directory's size and the volume's free
 * space, checked against GNU find and df (not against the module's own arithmetic); hourly samples
 * kept in a real store across a reopen; the growth a day over the last week, and the warning an IT
 * admin sees before a full disk stops every save, and the one the ward board shows nurses and
 * doctors only when saving is days or hours from failing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryBytes, diskStatus, growthPerDay, staffDiskWarning, WardDisk, withSample, WARN_DAYS_LEFT, type DiskSample } from '../../../electron/core/records/wardDisk';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { removeDir, tempDir } from '../../support/tempCore';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const MB = 2 ** 20;
const GB = 2 ** 30;
const t0 = Date.parse('2026-11-01T00:00:00Z');

/** Bytes of the regular files under dir, as GNU find prints their sizes. */
function findBytes(dir: string): number {
  return execFileSync('find', [dir, '-type', 'f', '-printf', '%s\\n'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .reduce((a, b) => a + Number(b), 0);
}

describe('the disk the ward lives on', () => {
  const dirs: string[] = [];
  const stores: WardStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    dirs.splice(0).forEach(removeDir);
  });
  const newDir = () => {
    const d = tempDir('wardledger-disk-');
    dirs.push(d);
    return d;
  };

  it("measures the data directory as find does, and the volume's free space as df does", async () => {
    const dir = newDir();
    mkdirSync(join(dir, 'chain', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'users.json'), 'x'.repeat(1234));
    writeFileSync(join(dir, 'chain', 'deep', 'blocks'), Buffer.alloc(3 * MB));
    const store = await WardStore.open(join(dir, 'records'));
    stores.push(store);
    await store.write((w) => w.state('something', { a: 1 }));
    expect(await directoryBytes(dir)).toBe(findBytes(dir));
    expect(await directoryBytes(dir)).toBeGreaterThan(3 * MB + 1234);

    const status = await new WardDisk(() => store, dir).status();
    const [avail, size] = execFileSync('df', ['-B1', '--output=avail,size', dir], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    expect(status.volumeBytes).toBe(size);
    // Other tests write on the same volume meanwhile.
    expect(Math.abs(status.freeBytes - avail!)).toBeLessThan(256 * MB);
    expect(status.dataBytes).toBe(findBytes(dir));
  });

  it('keeps a sample an hour for eight days, in the store across a reopen', async () => {
    const dir = newDir();
    let now = t0;
    let store = await WardStore.open(join(dir, 'records'));
    stores.push(store);
    const disk = new WardDisk(() => store, dir, () => now);
    await disk.sample();
    now += 20 * 60_000; // within the hour: replaces the last sample
    await disk.sample();
    now += HOUR;
    await disk.sample();
    await store.close();
    stores.pop();
    store = await WardStore.open(join(dir, 'records'));
    stores.push(store);
    const samples = (await store.state<DiskSample[]>('diskSamples'))!;
    expect(samples.map((s) => s.at)).toEqual([t0 + 20 * 60_000, t0 + 20 * 60_000 + HOUR]);
    expect(samples.every((s) => s.bytes > 0)).toBe(true);

    let kept: DiskSample[] = [];
    for (let h = 0; h < 10 * 24; h++) kept = withSample(kept, { at: t0 + h * HOUR, bytes: h });
    expect(kept).toHaveLength(8 * 24);
    expect(kept[0]!.at).toBe(t0 + (10 * 24 - 8 * 24) * HOUR);
  });

  it('gives the growth a day over the last week, none before a day of samples', () => {
    const hourly = (hours: number, perHour: number): DiskSample[] => Array.from({ length: hours + 1 }, (_, h) => ({ at: t0 + h * HOUR, bytes: GB + h * perHour }));
    expect(growthPerDay(hourly(23, 2 * MB), t0 + 23 * HOUR)).toBeNull();
    expect(growthPerDay(hourly(24, 2 * MB), t0 + 24 * HOUR)).toBeCloseTo(48 * MB, 0);
    // Eight days kept, the rate over the last seven: a restore a week ago does not count.
    const restoredThenSteady = hourly(8 * 24, MB).map((s, i) => (i === 0 ? { ...s, bytes: 0 } : s));
    expect(growthPerDay(restoredThenSteady, t0 + 8 * 24 * HOUR)).toBeCloseTo(24 * MB, 0);
    expect(growthPerDay([], t0)).toBeNull();
  });

  it('warns when the disk would be full within a month, or little is free whatever the growth', () => {
    const week = (perDay: number): DiskSample[] => Array.from({ length: 8 }, (_, d) => ({ at: t0 + d * DAY, bytes: GB + d * perDay }));
    const now = t0 + 7 * DAY;
    const volume = 200 * GB; // 5 %: 10 GB

    // A 30-bed monitored ward, 45 MB a day, 100 GB free: years left, nothing to say.
    const calm = diskStatus({ dataBytes: 5 * GB, freeBytes: 100 * GB, volumeBytes: volume }, week(45 * MB), now);
    expect(calm.daysLeft).toBe(Math.floor((100 * GB) / (45 * MB)));
    expect(calm.warning).toBeNull();

    // 1 GB a day (a ward writing far more than it should, or something else on the disk) with 20 GB free.
    const soon = diskStatus({ dataBytes: 5 * GB, freeBytes: 20 * GB, volumeBytes: volume }, week(GB), now);
    expect(soon.daysLeft).toBe(20);
    expect(soon.daysLeft!).toBeLessThan(WARN_DAYS_LEFT);
    expect(soon.warning).toMatch(/^The disk holding the ward's records will be full in about 20 days at this ward's growth \(1\.0 GB a day; 20\.0 GB free\)\. When it is full no record can be saved/);

    // 1.5 GB free: warned even before a day of samples says how fast the ward grows.
    const low = diskStatus({ dataBytes: 5 * GB, freeBytes: 1.5 * GB, volumeBytes: volume }, [], now);
    expect(low.bytesPerDay).toBeNull();
    expect(low.warning).toMatch(/^The disk holding the ward's records has only 1\.5 GB free\. When it is full/);

    // A shrinking store (compaction, a log removed after an upgrade): no days left to count.
    const shrinking = diskStatus({ dataBytes: 5 * GB, freeBytes: 100 * GB, volumeBytes: volume }, week(-MB), now);
    expect(shrinking.bytesPerDay).toBeLessThan(0);
    expect(shrinking.daysLeft).toBeNull();
    expect(shrinking.warning).toBeNull();
  });

  it('tells clinicians only when saving is about to fail, and what to do', () => {
    // The IT admin's month of notice is not the ward's business: 20 days left, 20 GB free, nothing on the board.
    expect(staffDiskWarning(20 * GB, GB)).toBeNull();
    expect(staffDiskWarning(100 * GB, null)).toBeNull();
    // Three days and more at the ward's rate (and over 512 MB free): nothing yet; under three: said.
    expect(staffDiskWarning(3 * GB, GB)).toBeNull();
    expect(staffDiskWarning(2.9 * GB, GB)).toBe(
      "This workstation's disk is nearly full (2.9 GB free, about 2 days at this ward's rate). When it is full, readings and records cannot be saved: tell the IT admin today.",
    );
    expect(staffDiskWarning(0.9 * GB, GB)).toMatch(/\(922 MB free, less than a day at this ward's rate\)/);
    // Under 512 MB whatever the growth (none measured yet, or a shrinking store).
    expect(staffDiskWarning(400 * MB, null)).toBe("This workstation's disk is nearly full (400 MB free). When it is full, readings and records cannot be saved: tell the IT admin today.");
    expect(staffDiskWarning(400 * MB, -MB)).toMatch(/^This workstation's disk is nearly full \(400 MB free\)\./);
    expect(staffDiskWarning(512 * MB, null)).toBeNull();
    // Full for the ward (the store refuses to reopen its log under 64 MB): the downtime procedure.
    expect(staffDiskWarning(63 * MB, 45 * MB)).toMatch(/^This workstation's disk is full: readings and records cannot be saved\. Tell the IT admin now, and record observations by the ward's downtime procedure/);
  });

  it("gives the board's warning from the volume's free space without walking the directory (none on this machine's disk)", async () => {
    const dir = newDir();
    const store = await WardStore.open(join(dir, 'store'));
    stores.push(store);
    const disk = new WardDisk(() => store, dir);
    const [avail] = execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).trim().split('\n').slice(1).map(Number);
    expect(await disk.staffWarning()).toBe(staffDiskWarning(avail!, null));
  });
});
