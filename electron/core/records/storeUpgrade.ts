/**
 * Opening a ward's record store, upgrading a data directory written by the log-based store on the
 * way: the log is migrated once (with progress; storage/logMigration.ts), every migrated record is
 * then checked (signature, commitment, anchor and root on the chain: storeIntegrity.ts) and the
 * result kept with the migration, and the old log stays until an IT admin confirms the migration
 * (the IT admin page: "Remove the old record log"). A crash during the check only means it runs
 * again at the next start.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WardError } from '../model/errors';
import { damagedFile } from '../platform/atomicFile';
import { pausePoint } from '../platform/failpoint';
import { log } from '../platform/log';
import { confirmMigration, migrateLog, type MigrationMarker } from '../storage/logMigration';
import { storePath, WardStore } from '../storage/wardStore';
import { checkEveryRecord, type IntegrityReport } from './storeIntegrity';

/** What the core is doing while it starts, for the window and the command line (shellContract.ts has the same shape). */
export interface StartupProgress {
  label: string;
  /** 0…1, or null when it cannot be told. */
  fraction: number | null;
  /** Opening the chain and the store (seconds), upgrading an old record store once, or checking the upgraded records (minutes on a large ward). */
  step: StartupStep;
}

export type StartupStep = 'opening' | 'upgrading' | 'checking';

/** The migration marker with the check of every migrated record. */
export type MigrationRecord = MigrationMarker & { verification?: IntegrityReport };

export function oldLogPath(dataDir: string): string {
  return join(dataDir, 'records', 'log.jsonl');
}

/**
 * Open the store, migrating the old log first when this data directory has one and no store. A
 * ward already set up (`wardExists`) never gets a new, empty store in place of a missing one.
 */
export async function openWardStore(dataDir: string, wardExists: boolean, progress: (p: StartupProgress) => void): Promise<WardStore> {
  const path = storePath(dataDir);
  const logPath = oldLogPath(dataDir);
  if (wardExists && !existsSync(path) && !existsSync(logPath)) {
    throw damagedFile(path, 'The record store (records, anchors, consents and the access log)', 'it is missing from a ward that was set up');
  }
  if (!existsSync(path) && existsSync(logPath)) {
    log('info', 'records.migration_started');
    const mb = (n: number) => Math.round(n / 2 ** 20);
    const report = await migrateLog(logPath, path, (p) =>
      progress(
        p.phase === 'copying'
          ? { label: `Upgrading the record store: ${p.records.toLocaleString('en-GB')} records copied, ${mb(p.bytesRead)} of ${mb(p.totalBytes)} MB of the old log`, fraction: p.totalBytes ? (0.8 * p.bytesRead) / p.totalBytes : null, step: 'upgrading' }
          : { label: `Upgrading the record store: counting ${p.records.toLocaleString('en-GB')} records`, fraction: 0.8, step: 'upgrading' },
      ),
    );
    log('info', 'records.migrated', { records: report.records, problems: report.problems.length });
    await pausePoint('store.migrated');
  }
  // An existing store is opened, never created anew: a store whose files are gone is damage, not a new ward.
  return WardStore.open(path, { create: !existsSync(path) });
}

/** After a migration: check every migrated record once, and keep the result with the migration. */
export async function verifyMigratedRecords(store: WardStore, rootOnChain: (root: string) => Promise<boolean>, progress: (p: StartupProgress) => void): Promise<IntegrityReport | null> {
  const marker = await store.state<MigrationRecord>('migration');
  if (!marker || marker.verification) return null;
  const total = marker.report.records;
  const verification = await checkEveryRecord(store, rootOnChain, (p) =>
    progress({ label: `Checking every migrated record: ${p.records.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')}`, fraction: total ? 0.8 + (0.2 * p.records) / total : null, step: 'checking' }),
  );
  await store.write((w) => w.state('migration', { ...marker, verification } satisfies MigrationRecord));
  log(verification.failed ? 'warn' : 'info', 'records.migration_checked', { records: verification.records, failed: verification.failed, pending: verification.pending });
  return verification;
}

/** The migration of this store, if it was migrated from an old log. */
export function migrationOf(store: WardStore): Promise<MigrationRecord | undefined> {
  return store.state<MigrationRecord>('migration');
}

/**
 * An IT admin confirmed the migrated store: the old log is removed (only if it is still the file
 * that was migrated). Refused until every migrated record was checked.
 */
export async function confirmMigratedStore(store: WardStore, dataDir: string): Promise<MigrationRecord> {
  const marker = await migrationOf(store);
  if (!marker) throw new WardError('CONFLICT', 'This record store was not migrated from an old log.');
  if (marker.confirmedAt) throw new WardError('CONFLICT', `The migration was confirmed on ${new Date(marker.confirmedAt).toISOString()}; the old log is already removed.`);
  if (!marker.verification) throw new WardError('CONFLICT', 'The migrated records are still being checked; try again when the check is done.');
  await confirmMigration(store, oldLogPath(dataDir));
  return (await migrationOf(store))!;
}
