/** What the IT admin sees of the ward's record store: its upgrade from the old log, backups, and its check against the ward chain. */
import type { StoreCheckReport } from './storeCheck';

export interface MigrationStatus {
  completedAt: string;
  /** Records and bytes of the old log that were migrated. */
  records: number;
  sourceBytes: number;
  /** What the migration found worth a look (e.g. a device batch only partly in the old log). */
  problems: string[];
  /** Every migrated record checked (signature, commitment, anchor on the ward chain); null while it runs. */
  check: null | { checkedAt: string; verified: number; pending: number; failed: number; failures: Array<{ id: string; problems: string[] }> };
  /** When an IT admin confirmed it and the old log was removed; null while the old log is kept. */
  confirmedAt: string | null;
  /**
   * Migrated vitals given their complete-set marks by the first care-team reader after the upgrade
   * (the migration cannot read content); null until that pass has settled every record.
   */
  vitalsRefiled: null | { at: string; checked: number; complete: number; partial: number; unverified: number };
}

export interface BackupRecord {
  at: string;
  file: string;
  bytes: number;
  /** Files and folders in it, and the store's entries. */
  items: number;
  storeEntries: number;
}

/** "845 MB", "1.1 GB", "72.7 GB" (binary units, as the file manager and `df -h` count them): the admin page's sizes and the disk warnings'. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`;
  if (bytes >= 2 ** 20) return `${Math.round(bytes / 2 ** 20)} MB`;
  return `${Math.max(0, Math.round(bytes / 2 ** 10))} KB`;
}

/** The shortest passphrase a backup or a recovery key file takes (it guards every record of the ward). */
export const MIN_BACKUP_PASSPHRASE = 12;
/** How a recovery key's public half starts as text (crypto/recoveryKey.ts): the form, the command line and the core check it. */
export const RECOVERY_KEY_PREFIX = 'wlrk1-';

/** The most nightly backups a folder keeps (the form, the API and the schedule check it). */
export const MAX_NIGHTLY_KEPT = 90;

/** Nightly backups (records/backupSchedule.ts). */
export interface BackupScheduleStatus {
  /** The folder written into, and how many nightly backups are kept there. */
  folder: string;
  keep: number;
  /** The hour of the night (local time) they are written. */
  hour: number;
  /**
   * The recovery key the backups are encrypted to (its text and fingerprint); null: encrypted with
   * a passphrase held in memory.
   */
  recoveryKey: { text: string; fingerprint: string } | null;
  /** With a passphrase: false after a restart until it is given again (it is held in memory only). Always true with a recovery key. */
  armed: boolean;
  /** When the next one is due; null while paused. */
  nextAt: string | null;
  /** The last failed attempt (retried hourly); null once one succeeds. */
  lastError: { at: string; message: string } | null;
}

/** The disk the ward's data directory is on (records/wardDisk.ts). */
export interface DiskStatus {
  /** Bytes of every file in the data directory (store, chain, keystores, settings). */
  dataBytes: number;
  /** Bytes free on its volume (for this process) and the volume's size. */
  freeBytes: number;
  volumeBytes: number;
  /** Growth of the data directory a day over the last 7 days; null before a day of hourly samples. */
  bytesPerDay: number | null;
  /** Days until the volume is full at that growth; null when unknown or not growing. */
  daysLeft: number | null;
  /** In plain words when the disk is nearly full or would be within 30 days; null otherwise. */
  warning: string | null;
}

export interface StoreStatus {
  migration: MigrationStatus | null;
  lastBackup: BackupRecord | null;
  /** In plain words when there is no backup or the last one is older than a day; null otherwise. */
  backupWarning: string | null;
  /** The store against the ward chain, as checked at this start (null before the ward is set up). */
  chainCheck: StoreCheckReport | null;
  disk: DiskStatus;
  /** Nightly backups; null when none are set up. */
  schedule: BackupScheduleStatus | null;
}
