/**
 * Complete-set marks on migrated vitals (records/storeUpgradeRefiling.ts). The old-version data
 * directory (test/fixtures/v1-ward.tar.gz, written by the log-based store through its own API)
 * migrates with every vitals record filed as a partial set, since the migration cannot read
 * content. The first care-team login after the upgrade re-files them from their decrypted,
 * verified content — the same rule the live writer files by — so the store's complete-set index
 * and `latest(patient, 'complete')` name each patient's newest whole NEWS2 set, as the doctor's
 * history shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import type { RecordView } from '../../../electron/core/model/records';
import type { WardCore } from '../../../electron/core/shellContract';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import { admin, Caller, removeDir, startCore } from '../../support/tempCore';
import { until } from '../../support/until';
import { unpackV1Ward, type V1Expected } from '../../support/v1Ward';

/**
 * A whole NEWS2 set has all seven parameters (Royal College of Physicians, National Early Warning
 * Score 2, 2017, chart 1): respiration rate, SpO2, air or oxygen, systolic blood pressure, pulse,
 * consciousness, temperature.
 */
function wholeNews2Set(r: RecordView): boolean {
  const v = r.content?.vitals as Record<string, unknown> | undefined;
  return !!v && ['respiratoryRate', 'spo2', 'supplementalOxygen', 'systolic', 'pulse', 'consciousness', 'temperature'].every((k) => v[k] !== undefined && v[k] !== null);
}

/** The ids of a store index for one patient, oldest first. */
async function indexed(store: WardStore, patient: string, complete: boolean): Promise<string[]> {
  return (await store.vitalsWindow(patient, { complete, limit: 10_000, order: 'asc', proofs: false })).items.map((e) => e.record.id);
}

describe('vitals migrated from the log-based store', () => {
  let root: string;
  let dir: string;
  let expected: V1Expected;
  let core: WardCore | null = null;

  beforeAll(async () => {
    await useFastKeccak();
    ({ root, dataDir: dir, expected } = unpackV1Ward());
  });

  afterAll(async () => {
    await core?.stop();
    removeDir(root);
  });

  it('get their complete-set marks from the first care-team login after the upgrade', async () => {
    // The upgrade alone: every vitals record is filed, none as a complete set (content is sealed).
    core = await startCore(dir);
    const itAdmin = new Caller(core);
    await itAdmin.login(admin.name, admin.password);
    expect((await itAdmin.ok('admin/storeStatus', {})).migration!.vitalsRefiled).toBeNull();
    await core.stop();
    core = null;
    const patients = Object.keys(expected.byPatient);
    let store = await WardStore.open(storePath(dir), { create: false });
    try {
      let filed = 0;
      for (const p of patients) {
        expect(await indexed(store, p, true)).toEqual([]);
        filed += (await indexed(store, p, false)).length;
      }
      expect(filed).toBeGreaterThan(0);
    } finally {
      await store.close();
    }

    // An IT admin's login reads no records (no care team key): nothing happens. A nurse's does.
    core = await startCore(dir);
    const it2 = new Caller(core);
    await it2.login(admin.name, admin.password);
    const nurse = new Caller(core);
    await nurse.login(expected.accounts.nurse.name, expected.accounts.nurse.password);
    const refiled = (await until(async () => (await it2.ok('admin/storeStatus', {})).migration!.vitalsRefiled, (v) => v !== null, 'the migrated vitals re-filed', 120_000))!;
    expect(refiled.unverified).toBe(0);

    // What the doctor's history shows: every vitals record and correction with its NEWS2.
    const doctor = new Caller(core);
    await doctor.login(expected.accounts.doctor.name, expected.accounts.doctor.password);
    const shown = new Map<string, RecordView[]>();
    for (const p of patients) shown.set(p, (await doctor.ok('records/history', { patient: p })).records);
    await core.stop();
    core = null;

    store = await WardStore.open(storePath(dir), { create: false });
    try {
      let completeSets = 0;
      for (const p of patients) {
        const withVitals = shown.get(p)!.filter((r) => r.content?.vitals);
        const complete = withVitals.filter(wholeNews2Set);
        completeSets += complete.length;
        expect(new Set(await indexed(store, p, true))).toEqual(new Set(complete.map((r) => r.id)));
        // Corrections carrying a set are filed with the vitals, as the live writer files them.
        expect(new Set(await indexed(store, p, false))).toEqual(new Set(withVitals.map((r) => r.id)));
        // Migrated records are filed by the time they were written.
        const newest = complete.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
        expect((await store.latest(p, 'complete'))?.record.id).toBe(newest?.id);
      }
      // The fixture's nurse sets are whole NEWS2 sets: the index was empty before, and is not now.
      expect(completeSets).toBeGreaterThan(0);
      expect(refiled.complete).toBe(completeSets);
    } finally {
      await store.close();
    }

    // Done once: the mark is kept, and a later login does not run the pass again.
    core = await startCore(dir);
    const it3 = new Caller(core);
    await it3.login(admin.name, admin.password);
    expect((await it3.ok('admin/storeStatus', {})).migration!.vitalsRefiled).toEqual(refiled);
  }, 300_000);
});
