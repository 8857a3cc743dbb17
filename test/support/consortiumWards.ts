/**
 * Whole wards (real cores, staffedWard) joined to a test consortium as IT joins one: registered in
 * the directory, pointed at the consortium on the settings screen, and their nurse and doctor
 * unlocked again so each signs the consortium credential their records are published under.
 */
import { join } from 'node:path';
import { addWard } from '../../electron/core/consortium/admin';
import { wardCardFromDataDir } from '../../electron/core/consortium/syncAccount';
import type { TestConsortium } from './consortiumChain';
import type { staffedWard } from './tempCore';

export type StaffedWard = Awaited<ReturnType<typeof staffedWard>>;

/** What IT enters on the consortium settings screen for this consortium (1 confirmation). */
export function consortiumSettings(c: TestConsortium): { url: string; ledger: string; chainId: number; confirmations: number } {
  return { url: c.proxy.url, ledger: c.ledger, chainId: c.context.chainId, confirmations: 1 };
}

/** Add each ward (by its data directory) to the directory, configure it (starts its engine), unlock its clinicians again. */
export async function joinConsortium(c: TestConsortium, wards: Array<readonly [dataDir: string, ward: StaffedWard]>): Promise<void> {
  const admin = c.client(c.admin.privateKey, join(c.dir, 'admin'));
  for (const [dir, w] of wards) {
    await addWard(admin, wardCardFromDataDir(dir));
    await w.itAdmin.ok('consortium/configure', consortiumSettings(c));
    for (const who of ['nurse', 'doctor'] as const) {
      await w.callers[who].ok('session/lock', {});
      await w.callers[who].ok('session/unlock', { password: w.people[who].password });
    }
  }
}
