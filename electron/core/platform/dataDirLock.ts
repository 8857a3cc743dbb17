/**
 * One WardLedger instance per data directory. proper-lockfile keeps an mtime-refreshed lock
 * directory, so a lock left by a crashed instance goes stale and is taken over automatically.
 */
import { mkdirSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { WardError } from '../model/errors';

export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true });
  try {
    return await lockfile.lock(dataDir, { lockfilePath: `${dataDir}/.wardledger.lock`, stale: 10_000, update: 2_000, realpath: false });
  } catch (e) {
    if ((e as { code?: string }).code === 'ELOCKED') {
      throw new WardError(
        'DATA_DIR_LOCKED',
        `Another WardLedger instance is already using the data directory ${dataDir}. Close it first, or start this one with a different --data-dir.`,
      );
    }
    throw new WardError('INTERNAL', `Cannot lock the data directory ${dataDir}: ${(e as Error).message}`);
  }
}
