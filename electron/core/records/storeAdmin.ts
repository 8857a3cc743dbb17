/**
 * The record store as the IT admin looks after it: the upgrade from the old log (its check, and
 * confirming it so the old log goes), the last backup (warned about when it is old), and what the
 * last check against the ward chain found (records/chainCheck.ts), and the disk it all lives on
 * (records/wardDisk.ts).
 */
import { WardError } from '../model/errors';
import type { BackupRecord, BackupScheduleStatus, MigrationStatus, StoreStatus } from '../model/storeStatus';
import type { WardStore } from '../storage/wardStore';
import type { ChainCheck } from './chainCheck';
import type { WardDisk } from './wardDisk';
import { confirmMigratedStore, migrationOf, type MigrationRecord } from './storeUpgrade';
import { VITALS_REFILED, type VitalsRefiling } from './storeUpgradeRefiling';

/** Where the last backup written is kept in the store's state. */
export const LAST_BACKUP = 'lastBackup';
/** A backup older than this is warned about on the IT admin page. */
export const BACKUP_WARNING_AGE_MS = 24 * 3600_000;

export class StoreAdmin {
  /** Nightly backups (set once the backup service exists: it reports to this class). */
  schedule: { status(): BackupScheduleStatus | null } | null = null;

  constructor(
    private readonly store: () => WardStore,
    private readonly dataDir: string,
    private readonly check: Pick<ChainCheck, 'report'>,
    private readonly disk: Pick<WardDisk, 'status'>,
  ) {}

  async status(now = Date.now()): Promise<StoreStatus> {
    // The disk walk (tens of ms on a large ward) runs while the store is read.
    const disk = this.disk.status();
    disk.catch(() => undefined);
    const marker = await migrationOf(this.store());
    const lastBackup = (await this.store().state<BackupRecord>(LAST_BACKUP)) ?? null;
    let backupWarning: string | null = null;
    if (!lastBackup) backupWarning = 'This ward has never been backed up. Back it up now, and set up nightly backups.';
    else if (now - Date.parse(lastBackup.at) > BACKUP_WARNING_AGE_MS) {
      const days = Math.floor((now - Date.parse(lastBackup.at)) / (24 * 3600_000));
      backupWarning = `The last backup is ${days} day${days === 1 ? '' : 's'} old. Back the ward up now.`;
    }
    const refiled = (await this.store().state<VitalsRefiling>(VITALS_REFILED)) ?? null;
    return { migration: marker ? migrationStatus(marker, refiled) : null, lastBackup, backupWarning, chainCheck: await this.check.report(), disk: await disk, schedule: this.schedule?.status() ?? null };
  }

  /** Confirm the migrated store: the old log is removed. */
  async confirmMigration(): Promise<MigrationStatus> {
    return migrationStatus(await confirmMigratedStore(this.store(), this.dataDir), (await this.store().state<VitalsRefiling>(VITALS_REFILED)) ?? null);
  }

  /** Remember a backup that was written (shown on the IT admin page). */
  async backedUp(b: BackupRecord): Promise<void> {
    if (!b.file) throw new WardError('INTERNAL', 'A backup has a file.');
    await this.store().write((w) => w.state(LAST_BACKUP, b));
  }
}

function migrationStatus(m: MigrationRecord, refiled: VitalsRefiling | null): MigrationStatus {
  const v = m.verification;
  return {
    completedAt: new Date(m.completedAt).toISOString(),
    records: m.report.records,
    sourceBytes: m.sourceBytes,
    problems: m.report.problems,
    check: v ? { checkedAt: new Date(v.checkedAt).toISOString(), verified: v.verified, pending: v.pending, failed: v.failed, failures: v.failures } : null,
    confirmedAt: m.confirmedAt ? new Date(m.confirmedAt).toISOString() : null,
    vitalsRefiled: refiled ? { at: new Date(refiled.at).toISOString(), checked: refiled.checked, complete: refiled.complete, partial: refiled.partial, unverified: refiled.unverified } : null,
  };
}
