/**
 * A backup while the consortium sync engine's database is open and written (issue 12): the
 * engine's state (consortium/syncState.ts, a LevelDB of its own) goes into the archive from one
 * snapshot taken with the store's, never as a copy of the live files — LevelDB flushes and compacts
 * while a copy runs, deleting the files it has merged, so a file copy can miss a table file or catch
 * a manifest that names files it never copied. Restored elsewhere, the state reopens, and its
 * checkpoint and prepared batches are what they were at one moment: every batch whole, the counter
 * written with each batch matching the batches there, the checkpoint written after each batch one
 * step behind at most.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedBatch } from '../../../electron/core/consortium/batch';
import { SyncState } from '../../../electron/core/consortium/syncState';
import { buildCoreGraph, type CoreGraph } from '../../../electron/core/graph';
import { WardBackup } from '../../../electron/core/records/wardBackup';
import { restoreWard } from '../../../electron/core/backupTools';
import { removeDir, staffedWard, startCore, tempDir, testScryptN } from '../../support/tempCore';

const SLOW = 240_000;
const kdf = { N: 1024, r: 8, p: 1 };
/** Large enough that a few batches fill LevelDB's 4 MB write buffer: flushes and compactions run during the backup. */
const BATCH_BYTES = 300_000;

/** Batch number n, recognisable byte for byte. */
function batchOf(n: number): PreparedBatch {
  const records = new Uint8Array(BATCH_BYTES).fill(n % 251);
  return { batchId: `0x${n.toString(16).padStart(64, '0')}`, root: `0x${'ab'.repeat(32)}`, count: 1, records, grants: [], shares: [] };
}

describe('a backup while the consortium sync state is written', () => {
  const root = tempDir('wardledger-syncbackup-');
  const dir = join(root, 'ward');
  const restored = join(root, 'restored');
  const archive = join(root, 'ward.wlbk');
  const passphrase = 'correct horse battery staple';
  let g: CoreGraph;
  let state: SyncState;

  beforeAll(async () => {
    const core = await startCore(dir);
    await staffedWard(core);
    await core.stop();
    g = buildCoreGraph({ dataDir: dir, usb: false, keystoreScryptN: testScryptN });
    await g.open();
    // The engine's database, opened where the engine keeps it, as the running engine holds it.
    state = await SyncState.open(join(dir, 'consortium-sync'));
  }, SLOW);
  afterAll(async () => {
    await state?.close().catch(() => undefined);
    await g?.close();
    removeDir(root);
  });

  it('archives the state from a snapshot; restored, it reopens whole and consistent', async () => {
    let written = 0;
    let stop = false;
    // The engine at work: a prepared batch (with its counter), then the pull checkpoint, over and over.
    const writer = (async () => {
      while (!stop) {
        const n = written + 1;
        await state.savePrepared({ batch: batchOf(n), members: [{ seq: n, id: `r${n}`, shareIndex: 0, index: 0 }], preparedAt: n });
        await state.pulled(n, []);
        written = n;
      }
    })();
    while (written < 30) await new Promise((r) => setTimeout(r, 20));
    const writtenBefore = written;
    const backup = new WardBackup(dir, g.node, () => g.store, g.storeAdmin, () => state.snapshot());
    let writtenAfter: number;
    try {
      await backup.backup(archive, passphrase, kdf);
    } finally {
      writtenAfter = written;
      stop = true;
      await writer;
    }
    expect(writtenAfter).toBeGreaterThan(writtenBefore); // the engine kept writing during the backup

    await restoreWard(archive, passphrase, restored);
    const copy = await SyncState.open(join(restored, 'consortium-sync'));
    try {
      const prepared = await copy.prepared();
      const count = prepared.length;
      expect(count).toBeGreaterThanOrEqual(writtenBefore);
      expect(count).toBeLessThanOrEqual(writtenAfter);
      // Batches 1…count, each whole, in order.
      prepared.forEach((p, i) => {
        expect(p.batch.batchId).toBe(batchOf(i + 1).batchId);
        expect(Buffer.from(p.batch.records).equals(Buffer.from(batchOf(i + 1).records))).toBe(true);
        expect(p.members).toEqual([{ seq: i + 1, id: `r${i + 1}`, shareIndex: 0, index: 0 }]);
      });
      // One moment: the checkpoint written after batch n is n, or n − 1 when the snapshot fell between.
      expect([count, count - 1]).toContain(await copy.checkpoint());
      // The counter came along: a batch prepared after the restore is numbered after the others.
      const key = await copy.savePrepared({ batch: batchOf(count + 1), members: [], preparedAt: 0 });
      expect(key > prepared[prepared.length - 1]!.key).toBe(true);
    } finally {
      await copy.close();
    }
  }, SLOW);
});
