/**
 * kill -9 while the store is writing: every acknowledged batch is there after reopening, whole,
 * and verifiable; a batch in flight is there whole or not at all. (A process crash; the fsync of
 * every commit is what carries the same guarantee through a power loss.)
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { verifyInclusion } from '../../../electron/core/crypto/merkle';
import { leafOf } from '../../../electron/core/storage/storedRecord';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { removeDir, tempDir } from '../../support/tempCore';
import { BATCH, T0 } from './crashWriter';

/** Run the writer until `afterMs`, kill it with SIGKILL; the last batch it acknowledged and its patients. */
function writeThenKill(dir: string, from: number, afterMs: number): Promise<{ acked: number; patients: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crashWriter.ts'), dir, String(from)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let acked = from - 1;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const all = [...out.matchAll(/acked (\d+)\n/g)];
      if (all.length) acked = Number(all[all.length - 1]![1]);
      // Kill only once it is writing (a few batches acknowledged), at a moment of its own timing.
      if (all.length === 3) setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the writer ended by itself (${signal})`));
      else resolve({ acked, patients: [...out.matchAll(/patient (0x[0-9a-fA-F]{40})/g)].map((m) => m[1]!) });
    });
  });
}

describe('ward store survives kill -9', () => {
  let dir: string;
  beforeAll(async () => {
    await useFastKeccak();
    dir = tempDir('wardledger-crash-');
  });
  afterAll(() => removeDir(dir));

  it('keeps every acknowledged batch whole and verifiable, and no partial batch, over four crashes', async () => {
    let from = 0;
    const patients: string[] = [];
    for (const afterMs of [0, 37, 90, 160]) {
      const run = await writeThenKill(dir, from, afterMs);
      patients.push(...run.patients);
      const store = await WardStore.open(dir);
      try {
        let present = 0;
        for (const patient of patients) {
          const entries = (await store.window(patient, { order: 'asc', limit: 100_000 })).items;
          present += entries.length;
          const batches = new Map<number, number>();
          for (const e of entries) {
            const n = Math.floor((e.at - T0) / BATCH);
            batches.set(n, (batches.get(n) ?? 0) + 1);
            expect(verifyInclusion(e.record.batchSignature!.root, leafOf(e.record), e.record.batchSignature!.proof)).toBe(true);
          }
          for (const count of batches.values()) expect(count).toBe(BATCH); // whole or absent
        }
        const last = Math.max(...(await Promise.all(patients.map(async (p) => (await store.latest(p))?.at ?? 0))));
        const lastBatch = Math.floor((last - T0) / BATCH);
        expect(lastBatch).toBeGreaterThanOrEqual(run.acked); // every acknowledged batch is there
        expect(present).toBe((lastBatch + 1) * BATCH);
        from = lastBatch + 1;
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});
