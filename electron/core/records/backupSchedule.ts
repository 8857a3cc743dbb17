/**
 * Nightly backups: an IT admin names a folder (a mounted backup disk, a network share), how many
 * backups to keep and what encrypts them, and the running ward writes one backup there every night
 * at 02:00 local time (records/wardBackup.ts), removing its own oldest beyond that number. A
 * button that someone must remember to press is not a backup plan for a ward kept for years.
 *
 * Encrypted to a recovery key (crypto/recoveryKey.ts: its public half is kept with the schedule,
 * its private half offline), the schedule runs across restarts with nobody at the keyboard. With a
 * passphrase instead, the passphrase is held in this process's memory only, as the scope keys
 * are: it is never written to disk, so after a restart the schedule (folder, number kept) is still
 * there but paused, and the administration page asks for the passphrase again. A failed night is
 * retried hourly, and said on the page until a backup succeeds. A night missed while the ward was
 * stopped (or paused) is made up CATCH_UP_AFTER_MS after it starts (or resumes), as anacron does,
 * rather than leaving the ward a day longer without a backup.
 */
import { accessSync, constants, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseRecoveryPublicKey, recoveryKeyFingerprint, recoveryKeyText, type RecoveryPublicKey } from '../crypto/recoveryKey';
import { WardError } from '../model/errors';
import { MAX_NIGHTLY_KEPT, MIN_BACKUP_PASSPHRASE, type BackupRecord, type BackupScheduleStatus } from '../model/storeStatus';
import { log } from '../platform/log';
import { isWithin } from '../platform/paths';
import type { WardStore } from '../storage/wardStore';
import { LAST_BACKUP } from './storeAdmin';
import type { WardBackup } from './wardBackup';

/** The hour of the night (local time) a nightly backup is written. */
export const NIGHTLY_HOUR = 2;
const CHECK_EVERY_MS = 60_000;
const RETRY_AFTER_MS = 3600_000;
/** A missed night's backup waits this long after a start (the start's own work comes first). */
export const CATCH_UP_AFTER_MS = 10 * 60_000;
const SCHEDULE_STATE = 'backupSchedule';
/** The names nightly backups are written under; only these are ever removed. */
const NIGHTLY_NAME = /^wardledger-nightly-\d{4}-\d{2}-\d{2}-\d{4}\.wlbk$/;

interface StoredSchedule {
  folder: string;
  keep: number;
  /** The recovery key's public half (its text) the backups are encrypted to; absent: a passphrase held in memory. */
  recoveryKey?: string;
  /** When the schedule was set up (ms; absent in schedules set up before it was kept): nights before it were never due. */
  since?: number;
  /** When its last backup was written (ms, the schedule's clock). */
  lastAt?: number;
}

/** What nightly backups are encrypted with: a passphrase (held in memory) or a recovery key's public half (its text). */
export type NightlyLock = { passphrase: string } | { recoveryKey: string };

/** The next NIGHTLY_HOUR:00 local time strictly after `after`. */
export function nextNight(after: number): number {
  const d = new Date(after);
  d.setHours(NIGHTLY_HOUR, 0, 0, 0);
  if (d.getTime() <= after) d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** "wardledger-nightly-2026-11-30-0200.wlbk" for a backup started at `at` (local time). */
export function nightlyName(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `wardledger-nightly-${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}.wlbk`;
}

/** The last NIGHTLY_HOUR:00 local time at or before `at`. */
export function lastNight(at: number): number {
  const d = new Date(at);
  d.setHours(NIGHTLY_HOUR, 0, 0, 0);
  if (d.getTime() > at) d.setDate(d.getDate() - 1);
  return d.getTime();
}

/** The nightly backups in `folder` beyond the newest `keep` (by name: their names sort by time). */
export function beyondKept(names: readonly string[], keep: number): string[] {
  const nightly = names.filter((n) => NIGHTLY_NAME.test(n)).sort();
  return nightly.slice(0, Math.max(0, nightly.length - keep));
}

export class BackupSchedule {
  private schedule: StoredSchedule | null = null;
  #passphrase: string | null = null;
  private recoveryKey: RecoveryPublicKey | null = null;
  private nextAt: number | null = null;
  private lastError: { at: number; message: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: () => WardStore,
    private readonly backup: Pick<WardBackup, 'backup'>,
    private readonly dataDir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Read the schedule kept in the store (encrypted to a recovery key: due the next night; with a
   * passphrase: paused until it is given) and check every minute whether a backup is due.
   */
  async start(): Promise<void> {
    this.schedule = (await this.store().state<StoredSchedule>(SCHEDULE_STATE)) ?? null;
    this.recoveryKey = this.schedule?.recoveryKey ? parseRecoveryPublicKey(this.schedule.recoveryKey) : null;
    if (this.recoveryKey) this.nextAt = await this.firstDue(this.schedule!);
    this.timer ??= setInterval(() => void this.runDue(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Back up every night into `folder`, keeping the newest `keep`, encrypted to a recovery key or with a passphrase (held in memory only). */
  async arm(folder: string, keep: number, lock: NightlyLock): Promise<BackupScheduleStatus> {
    const fields: Record<string, string> = {};
    if (!isAbsolute(folder)) fields.folder = 'A full path of an existing folder, e.g. /media/backup.';
    else if (!existsSync(folder) || !statSync(folder).isDirectory()) fields.folder = 'There is no folder at that path.';
    else if (isWithin(this.dataDir, folder)) fields.folder = 'Choose a folder outside the data directory it backs up.';
    else if (!writable(folder)) fields.folder = 'WardLedger may not write into that folder.';
    if (!Number.isInteger(keep) || keep < 1 || keep > MAX_NIGHTLY_KEPT) fields.keep = `A whole number from 1 to ${MAX_NIGHTLY_KEPT}.`;
    let recoveryKey: RecoveryPublicKey | null = null;
    if ('recoveryKey' in lock) {
      try {
        recoveryKey = parseRecoveryPublicKey(lock.recoveryKey);
      } catch (e) {
        fields.recoveryKey = e instanceof WardError ? e.message : 'That is not a recovery key.';
      }
    } else if (lock.passphrase.length < MIN_BACKUP_PASSPHRASE) fields.passphrase = `At least ${MIN_BACKUP_PASSPHRASE} characters.`;
    if (Object.keys(fields).length) throw new WardError('BAD_INPUT', 'Check the nightly backup settings.', { fields });
    // Resumed or changed, a schedule keeps its start and its last backup: a night missed meanwhile is made up.
    const kept = { since: this.schedule?.since ?? this.now(), ...(this.schedule?.lastAt ? { lastAt: this.schedule.lastAt } : {}) };
    const schedule: StoredSchedule = recoveryKey ? { folder, keep, recoveryKey: recoveryKeyText(recoveryKey), ...kept } : { folder, keep, ...kept };
    await this.store().write((w) => w.state(SCHEDULE_STATE, schedule));
    this.schedule = schedule;
    this.recoveryKey = recoveryKey;
    this.#passphrase = 'passphrase' in lock ? lock.passphrase : null;
    this.lastError = null;
    this.nextAt = await this.firstDue(schedule);
    return this.status()!;
  }

  /** No more nightly backups (the files written stay). */
  async disarm(): Promise<void> {
    await this.store().write((w) => w.state(SCHEDULE_STATE, null));
    this.schedule = null;
    this.#passphrase = null;
    this.recoveryKey = null;
    this.nextAt = null;
    this.lastError = null;
  }

  /**
   * When the first backup after a start or a resume is due: soon, when last night's was due (the
   * schedule existed then) and no backup of any kind was written since; else the next night.
   */
  private async firstDue(s: StoredSchedule): Promise<number> {
    const now = this.now();
    const night = lastNight(now);
    const any = await this.store().state<BackupRecord>(LAST_BACKUP);
    const last = Math.max(s.lastAt ?? 0, any ? Date.parse(any.at) : 0);
    const missed = (s.since ?? 0) <= night && last < night;
    return missed ? now + CATCH_UP_AFTER_MS : nextNight(now);
  }

  /** Write the night's backup when it is due (called every minute; one at a time). */
  runDue(): Promise<void> {
    this.running ??= this.runIfDue().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runIfDue(): Promise<void> {
    const s = this.schedule;
    const now = this.now();
    const lock = this.recoveryKey ?? this.#passphrase;
    if (!s || lock === null || this.nextAt === null || now < this.nextAt) return;
    try {
      await this.backup.backup(join(s.folder, nightlyName(now)), lock);
      if (this.schedule === s) {
        this.schedule = { ...s, lastAt: now };
        await this.store().write((w) => w.state(SCHEDULE_STATE, this.schedule));
      }
      this.lastError = null;
      this.nextAt = nextNight(now);
      for (const name of beyondKept(readdirSync(s.folder), s.keep)) rmSync(join(s.folder, name), { force: true });
    } catch (e) {
      const message = e instanceof WardError ? e.message : 'The backup could not be written.';
      this.lastError = { at: now, message };
      this.nextAt = now + RETRY_AFTER_MS;
      log('warn', 'backup.nightly_failed', { code: e instanceof WardError ? e.code : 'unknown' });
    }
  }

  status(): BackupScheduleStatus | null {
    const s = this.schedule;
    if (!s) return null;
    const armed = this.recoveryKey !== null || this.#passphrase !== null;
    return {
      folder: s.folder,
      keep: s.keep,
      hour: NIGHTLY_HOUR,
      recoveryKey: this.recoveryKey ? { text: s.recoveryKey!, fingerprint: recoveryKeyFingerprint(this.recoveryKey) } : null,
      armed,
      nextAt: armed && this.nextAt !== null ? new Date(this.nextAt).toISOString() : null,
      lastError: this.lastError ? { at: new Date(this.lastError.at).toISOString(), message: this.lastError.message } : null,
    };
  }
}

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
