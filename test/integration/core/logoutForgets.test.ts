/**
 * Decrypted records do not outlive the last logout (records/recordVerifier.ts `forgetDecrypted`,
 * identity/sessions.ts `onNoneLeft`): while anyone is logged in, the histories opened stay
 * decrypted in memory for the next open; once the last session ends, the process holds none, and
 * the next login opens the same history again, verified (its memos still vouch for it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/core';
import { heldOpenedCount } from '../../../electron/core/records/provenance';
import { Caller, completeVitals, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

describe('decrypted records after the last logout', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '4', responsibleDoctor: w.addresses.doctor });
    for (const pulse of [70, 80, 90]) await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: completeVitals(pulse) });
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  const history = async (caller: Caller) => (await caller.ok('records/history', { patient: w.addresses.patient })).records;

  it('are held while anyone is logged in and dropped when the last one logs out', async () => {
    const first = await history(w.callers.doctor);
    expect(first).toHaveLength(3);
    expect(heldOpenedCount()).toBeGreaterThanOrEqual(3);

    // Everyone but the doctor logs out: the doctor's next open is still served from memory.
    for (const c of [w.itAdmin, w.callers.otherDoctor, w.callers.nurse, w.callers.insurer, w.callers.patient]) await c.ok('session/logout', {});
    expect(heldOpenedCount()).toBeGreaterThanOrEqual(3);
    await w.callers.doctor.ok('session/logout', {});
    expect(heldOpenedCount()).toBe(0);

    // The next login decrypts again, and every record still verifies.
    const again = new Caller(core);
    await again.login(w.people.doctor.name, w.people.doctor.password);
    const reopened = await history(again);
    expect(reopened.map((r: { id: string }) => r.id)).toEqual(first.map((r: { id: string }) => r.id));
    expect(reopened.every((r: { provenance: { status: string } }) => r.provenance.status === 'verified')).toBe(true);
    expect(heldOpenedCount()).toBeGreaterThanOrEqual(3);
  });
});
