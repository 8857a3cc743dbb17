/**
 * Backing up a running ward: one encrypted archive (storage/backupArchive.ts) holding a consistent
 * snapshot of the record store, a copy of the ward chain, and every other file of the data
 * directory (keystores, profiles, settings, the station key). Consistency between store and chain:
 * the node stops mining, the store's snapshot is taken, the chain database is copied aside, and
 * mining resumes — so every anchor in the store is in the copied chain, and a batch that was sent
 * but not yet recorded is found on that chain by the restored ward at its first start (as after a
 * crash). Writes wait only while the chain is copied; the archive is written afterwards. The
 * consortium sync engine's database is taken the same way as the store, from a snapshot made in
 * that moment, never by copying the files of a database that is being written.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { WardNode } from '../chain/wardNode';
import { SyncState } from '../consortium/syncState';
import { parseRecoveryPublicKey } from '../crypto/recoveryKey';
import { WardError } from '../model/errors';
import { MIN_BACKUP_PASSPHRASE, type BackupRecord } from '../model/storeStatus';
import { LOCK_FILE } from '../platform/dataDirLock';
import { log } from '../platform/log';
import { isWithin } from '../platform/paths';
import { writeBackup, type BackupLock } from '../storage/backupArchive';
import type { WardStore } from '../storage/wardStore';
import type { StoreAdmin } from './storeAdmin';


/** Top-level entries of a data directory that are not copied as files: the store and the chain are taken consistently, the rest is per process. */
const NOT_COPIED = new Set(['records', 'chain', LOCK_FILE, 'serve.json']);
/** The consortium sync engine's database (consortium/syncState.ts): taken from a snapshot while the engine runs. */
const SYNC_STATE = 'consortium-sync';

/** The consortium engine's state as of now, or null when the engine is not running (records/consortiumSync.ts). */
export type SyncStateSnapshot = () => AsyncIterable<Array<[string, string]>> | null;

export class WardBackup {
  private running = false;

  constructor(
    private readonly dataDir: string,
    private readonly node: WardNode,
    private readonly store: () => WardStore,
    private readonly admin: StoreAdmin,
    private readonly syncState: SyncStateSnapshot = () => null,
  ) {}

  /**
   * Write a backup of the running ward to `out` (a new file) encrypted with a passphrase or to a
   * recovery key (given as its text: BAD_INPUT naming the field when it is not one).
   */
  async backup(out: string, given: BackupLock | { recoveryKey: string }, kdf?: { N: number; r: number; p: number }): Promise<BackupRecord> {
    const lock = typeof given === 'object' && 'recoveryKey' in given ? parseRecoveryPublicKey(given.recoveryKey) : given;
    if (!isAbsolute(out)) throw new WardError('BAD_INPUT', 'Give the backup file as a full path.', { fields: { out: 'A full path, e.g. /media/backup/ward-2026-11-27.wlbk.' } });
    if (existsSync(out)) throw new WardError('CONFLICT', 'A file of that name exists already; choose a new name (a backup never overwrites one).', { fields: { out: 'Choose a new file name.' } });
    if (!existsSync(dirname(out))) throw new WardError('BAD_INPUT', 'The folder for the backup file does not exist.', { fields: { out: 'Choose an existing folder.' } });
    if (isWithin(this.dataDir, out)) throw new WardError('BAD_INPUT', 'Keep the backup outside the data directory it backs up.', { fields: { out: 'Choose a folder outside the data directory.' } });
    if (typeof lock === 'string' && lock.length < MIN_BACKUP_PASSPHRASE) throw new WardError('BAD_INPUT', `The passphrase must have at least ${MIN_BACKUP_PASSPHRASE} characters.`, { fields: { passphrase: `At least ${MIN_BACKUP_PASSPHRASE} characters.` } });
    if (this.running) throw new WardError('CONFLICT', 'A backup is being written already; wait for it to finish.');
    this.running = true;
    const staging = mkdtempSync(join(tmpdir(), 'wardledger-backup-'));
    try {
      const chainCopy = join(staging, 'chain');
      // The snapshots are taken (their iterators opened) before the chain is copied, while nothing is mined.
      const { snapshot, sync } = await this.node.whileNotMining(async () => {
        const s = { snapshot: this.store().snapshot(), sync: this.syncState() };
        cpSync(join(this.dataDir, 'chain'), chainCopy, { recursive: true, preserveTimestamps: true });
        return s;
      });
      const taken: Array<{ name: string; path: string }> = [{ name: 'chain', path: chainCopy }];
      if (sync) {
        const syncCopy = join(staging, SYNC_STATE);
        await SyncState.writeCopy(sync, syncCopy);
        taken.push({ name: SYNC_STATE, path: syncCopy });
      }
      const files = readdirSync(this.dataDir)
        .filter((name) => !NOT_COPIED.has(name) && !name.endsWith('.tmp') && !(sync && name === SYNC_STATE))
        .map((name) => ({ name, path: join(this.dataDir, name) }));
      const manifest = await writeBackup(out, lock, { store: snapshot, files: [...files, ...taken] }, kdf ? { kdf } : {});
      const record: BackupRecord = {
        at: manifest.createdAt,
        file: out,
        bytes: statSync(out).size,
        items: manifest.items.length,
        storeEntries: manifest.items.find((i) => i.kind === 'store')?.size ?? 0,
      };
      await this.admin.backedUp(record);
      log('info', 'backup.written', { bytes: record.bytes, items: record.items });
      return record;
    } finally {
      this.running = false;
      rmSync(staging, { recursive: true, force: true });
    }
  }
}
