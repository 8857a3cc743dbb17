/**
 * Restoring a ward from a backup archive (`wardledger restore`), refusing to finish unless
 * everything verifies: the archive is unpacked beside the target and checked item by item against
 * its manifest (storage/backupArchive.ts); then the restored ward is opened there — its chain, its
 * deployment, its store — records that were durable but not yet anchored when the backup was taken
 * are anchored on the restored chain (as the ward's first start would), and every record is
 * checked: signature, commitment, inclusion under its anchor, the anchor's root on the restored
 * chain. Only then does the restored directory take the target's name; on any failure nothing is
 * left behind.
 */
import { existsSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildCoreGraph } from './graph';
import { WardError } from './model/errors';
import { checkEveryRecord, type IntegrityReport } from './records/storeIntegrity';
import type { StartupProgress } from './shellContract';
import { restoreBackup, type BackupManifest, type BackupUnlock } from './storage/backupArchive';

// What the command line needs of recovery keys and archives (it reaches the core through here).
export { createRecoveryKey, openRecoveryKey, parseRecoveryPublicKey, publicKeyOfFile, recoveryKeyFingerprint, recoveryKeyText } from './crypto/recoveryKey';
export { archiveLock, type BackupUnlock } from './storage/backupArchive';

export interface RestoreReport {
  manifest: BackupManifest;
  /** Records anchored while restoring (durable, not yet anchored when the backup was taken). */
  anchoredNow: number;
  integrity: IntegrityReport;
}

/** `unlock`: the backup's passphrase, or the recovery key it was encrypted to (opened with its own passphrase). */
export async function restoreWard(archive: string, unlock: BackupUnlock, target: string, progress: (p: StartupProgress) => void = () => undefined): Promise<RestoreReport> {
  const dir = resolve(target);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new WardError('CONFLICT', `Restore into a new or empty folder: ${dir} holds files already.`);
  const verifying = `${dir}.verifying`;
  rmSync(verifying, { recursive: true, force: true }); // what an interrupted restore left
  try {
    progress({ label: 'Unpacking and checking the backup', fraction: null, step: 'checking' });
    const manifest = await restoreBackup(archive, unlock, verifying);
    const graph = buildCoreGraph({ dataDir: verifying, usb: false });
    let anchoredNow = 0;
    let integrity: IntegrityReport;
    try {
      await graph.open(progress);
      if (!graph.identity.initialized) throw new WardError('INTEGRITY', 'The backup holds no ward that was set up.');
      anchoredNow = await graph.anchorQueue.resume();
      const store = graph.store;
      // Each root asked of the restored chain itself (once), never taken from the store's memos.
      const onChain = new Map<string, Promise<boolean>>();
      const rootOnChain = (root: string) => onChain.get(root) ?? (onChain.set(root, graph.contracts().anchorOf(root).then((a) => a !== null)), onChain.get(root)!);
      integrity = await checkEveryRecord(store, rootOnChain, (p) => progress({ label: `Checking every record: ${p.records.toLocaleString('en-GB')}`, fraction: null, step: 'checking' }));
    } finally {
      await graph.close();
    }
    if (integrity.failed || integrity.pending) {
      const first = integrity.failures[0];
      throw new WardError(
        'INTEGRITY',
        `The restored ward does not verify: ${integrity.failed} record${integrity.failed === 1 ? '' : 's'} failed${integrity.pending ? ` and ${integrity.pending} could not be anchored` : ''}${first ? ` (first: ${first.id}: ${first.problems.join(' ')})` : ''}. Nothing was restored.`,
        { failures: integrity.failures },
      );
    }
    if (existsSync(dir)) rmdirSync(dir); // empty (checked above)
    renameSync(verifying, dir);
    return { manifest, anchoredNow, integrity };
  } catch (e) {
    rmSync(verifying, { recursive: true, force: true });
    throw e;
  }
}
