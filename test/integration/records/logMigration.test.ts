/**
 * Upgrading a data directory written by the log-based store (test/fixtures/v1-ward.tar.gz: made by
 * that version through its own API and pipeline — nurse sets, a note, a diagnosis, an amendment,
 * consent given and withdrawn, audited reads with memos, 400 station readings in one large and
 * several concurrent batches, a nurse-assigned device reading). The core migrates it once at
 * start, with progress, checks every migrated record, and gives back exactly what the old store
 * replayed: every record with its anchor and proofs, scopes, consents, the access log, device
 * keys. Readers see every record verified; the old log stays until an IT admin confirms.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import type { StartupProgress, WardCore } from '../../../electron/core/shellContract';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import { admin, Caller, removeDir, startCore } from '../../support/tempCore';
import { unpackV1Ward, type V1Expected } from '../../support/v1Ward';

describe('a data directory written by the log-based store', () => {
  let root: string;
  let dir: string;
  let expected: V1Expected;
  let core: WardCore | null = null;
  const progress: StartupProgress[] = [];

  beforeAll(async () => {
    await useFastKeccak();
    ({ root, dataDir: dir, expected } = unpackV1Ward());
    core = await startCore(dir, {}, (p) => progress.push(p));
  }, 300_000);

  afterAll(async () => {
    await core?.stop();
    removeDir(root);
  });

  it('is migrated once at start, with progress, and every migrated record is checked', async () => {
    expect(progress.some((p) => p.label.startsWith('Upgrading the record store'))).toBe(true);
    expect(progress.some((p) => p.label.startsWith('Checking every migrated record'))).toBe(true);
    expect(progress.map((p) => p.fraction ?? 0)).toEqual([...progress.map((p) => p.fraction ?? 0)].sort((a, b) => a - b));
    const it = new Caller(core!);
    await it.login(admin.name, admin.password);
    const status = await it.ok('admin/storeStatus', {});
    expect(status.migration).toMatchObject({ records: expected.records.length, problems: [], confirmedAt: null });
    expect(status.migration!.check).toMatchObject({ verified: expected.records.length, pending: 0, failed: 0, failures: [] });
  });

  it('shows every record of each patient verified to a reader, as before', async () => {
    const doctor = new Caller(core!);
    await doctor.login(expected.accounts.doctor.name, expected.accounts.doctor.password);
    const patient = expected.addresses.patient;
    const history = await doctor.ok('records/history', { patient });
    expect(history.window.earlier).toBeNull();
    expect(new Set(history.records.map((r) => r.id))).toEqual(new Set(expected.byPatient[patient]));
    expect(history.records.filter((r) => r.provenance.status !== 'verified')).toEqual([]);
    for (const [id, amending] of Object.entries(expected.amendedBy)) {
      const r = history.records.find((x) => x.id === id);
      if (r) expect(r.amendedBy).toEqual(amending);
    }
    // The second patient shared their record with the other doctor (consent migrated).
    const other = new Caller(core!);
    await other.login(expected.accounts.otherDoctor.name, expected.accounts.otherDoctor.password);
    const second = await other.ok('records/history', { patient: expected.addresses.second });
    expect(new Set(second.records.map((r) => r.id))).toEqual(new Set(expected.byPatient[expected.addresses.second]));
    expect(second.records.every((r) => r.provenance.status === 'verified')).toBe(true);
    // The access log holds the old entries and the new reads.
    const log = await doctor.ok('audit/list', { patient });
    expect(log.entries.length).toBeGreaterThan(0);
  });

  it('holds exactly what the old store replayed, and keeps the old log until an IT admin confirms', async () => {
    await core!.stop();
    core = null;
    const store = await WardStore.open(storePath(dir), { create: false });
    try {
      for (const r of expected.records) {
        const e = (await store.entry(r.id))!;
        expect(e.record).toEqual(r);
        expect(e.anchor).toEqual(expected.anchors[r.id]);
      }
      for (const [patient, ids] of Object.entries(expected.byPatient)) {
        const history = (await store.window(patient, { limit: 10_000, order: 'asc' })).items.map((e) => e.record.id);
        expect(new Set(history)).toEqual(new Set(ids));
        expect(store.currentScope(patient)).toBe(expected.currentScope[patient]);
        expect(await store.scopesOf(patient)).toEqual(expected.scopesOfPatient[patient]);
        const inForce = new Map<string, unknown>();
        for (const c of expected.consents.filter((x) => x.patient === patient)) {
          if (c.action === 'grant') inForce.set(c.grantee, c);
          else inForce.delete(c.grantee);
        }
        expect(await store.grants(patient)).toEqual(inForce);
        expect(await store.consentHistory(patient)).toEqual(expected.consents.filter((c) => c.patient === patient));
      }
      for (const [id, amending] of Object.entries(expected.amendedBy)) expect(await store.amendmentsOf(id)).toEqual(amending);
      for (const [scopeId, scope] of Object.entries(expected.scopes)) expect(await store.scope(scopeId)).toEqual(scope);
      const activity = (await store.activity({ limit: 10_000 })).items;
      const old = [...expected.audits, ...expected.consents].map((a) => JSON.stringify(a));
      expect(activity.length).toBeGreaterThan(old.length); // and the reads of this test
      for (const a of old) expect(activity.map((x) => JSON.stringify(x))).toContain(a);
      for (const k of expected.deviceKeys) expect(store.seenDevice(k)).toBe(true);
      // Memos came along (re-made on the first read: a migrated record is checked in full once).
      for (const id of Object.keys(expected.teamTags)) expect(store.memo(id)).toBeDefined();
    } finally {
      await store.close();
    }

    const log = join(dir, 'records', 'log.jsonl');
    expect(existsSync(log)).toBe(true);
    core = await startCore(dir);
    const it = new Caller(core);
    await it.login(admin.name, admin.password);
    const confirmed = await it.ok('admin/confirmMigration', {});
    expect(confirmed.confirmedAt).not.toBeNull();
    expect(existsSync(log)).toBe(false);
    expect((await it.fails('admin/confirmMigration', {})).code).toBe('CONFLICT');
  });
});
