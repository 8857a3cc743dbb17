/**
 * Migration of a log written by the running core (real ward chain): nurse sets, a note and an
 * amendment through the API, a station ingest batch and concurrent ingest batches through the
 * core's own pipeline (so anchor trees are both the signature tree and mixed ones), consent given
 * and withdrawn, audited reads with their verification memos. The migrated store must give back
 * exactly what the log-based RecordStore replays: every record, its anchor and proofs, scopes,
 * consents, the access log, device keys and memos.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { RecordStore } from '../../../electron/core/records/recordStore';
import { StationIngestQueue } from '../../../electron/core/records/stationIngestQueue';
import { confirmMigration, migrateLog, type MigrationProgress } from '../../../electron/core/storage/logMigration';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import type { WardCore } from '../../../electron/core/shellContract';
import { openInternals } from '../../support/pipelineInternals';
import { removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

const vitals = { respiratoryRate: 16, spo2: 96, supplementalOxygen: false, systolic: 122, diastolic: 78, pulse: 74, consciousness: 'A', temperature: { value: 37.1, unit: 'Cel' } } as const;

describe('migrating a log written by the current store', () => {
  let dir: string;
  let core: WardCore | null = null;
  let old: RecordStore;

  beforeAll(async () => {
    await useFastKeccak();
    dir = tempDir();
    core = await startCore(dir);
    const w = await staffedWard(core);
    const { callers, addresses } = w;
    await callers.nurse.ok('ward/admit', { patient: addresses.patient, bed: '3', responsibleDoctor: addresses.doctor });
    const first = await callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals });
    for (const i of [1, 2, 3]) await callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals: { ...vitals, pulse: 70 + i } });
    await callers.doctor.ok('records/addNote', { patient: addresses.patient, text: 'Settled overnight.' });
    await callers.doctor.ok('records/amend', { recordId: first.id, reason: 'Wrong pulse typed', vitals: { ...vitals, pulse: 64 } });
    await callers.patient.ok('consent/grant', { grantee: addresses.insurer });
    await callers.doctor.ok('records/history', { patient: addresses.patient });
    await callers.patient.ok('consent/revoke', { grantee: addresses.insurer });
    await core.stop();
    core = null;

    // Station readings through the core's own pipeline: one large batch, then small concurrent ones.
    const internals = await openInternals(dir);
    const queue = new StationIngestQueue(internals.stationWriter, () => internals.stationWallet, 150);
    const reading = (i: number) => {
      const v = validateVitals({ spo2: 90 + (i % 10), pulse: 60 + (i % 40) });
      if (!v.ok) throw new Error('bad sample');
      return queue.submit({
        patient: addresses.patient,
        content: { vitals: v.value, device: { driver: 'contec-cms50e', model: 'CMS50E', serial: 'SIM-OX-1', deviceRecordId: String(i), receivedAt: new Date().toISOString() } },
        authorName: 'CMS50E SIM-OX-1',
        dedupeKey: `SIM-OX-1|${i}`,
      });
    };
    await Promise.all(Array.from({ length: 400 }, (_, i) => reading(i)));
    await internals.close();

    core = await startCore(dir);
    const again = new (await import('../../support/tempCore')).Caller(core);
    await again.login(w.people.doctor.name, w.people.doctor.password);
    await again.ok('records/history', { patient: addresses.patient }); // audits and memos of a second open
    await core.stop();
    core = null;

    old = new RecordStore(dir);
    old.open();
  }, 300_000);

  afterAll(async () => {
    old?.close();
    await core?.stop();
    removeDir(dir);
  });

  it('gives back every record, anchor, scope, consent, access entry, device key and memo exactly, and keeps the log until confirmed', async () => {
    const log = join(dir, 'records', 'log.jsonl');
    const progress: MigrationProgress[] = [];
    const report = await migrateLog(log, storePath(dir), (p) => progress.push(p));
    expect(report.problems).toEqual([]);
    expect(report.records).toBe(old.records.size);
    expect(report.records).toBeGreaterThan(400);
    expect(progress.at(-1)).toMatchObject({ phase: 'checking', records: old.records.size });
    expect(progress.some((p) => p.phase === 'copying' && p.bytesRead === statSync(log).size)).toBe(true);

    const store = await WardStore.open(storePath(dir), { create: false });
    try {
      const signatureTrees = new Set<string>();
      for (const [id, r] of old.records) {
        const e = (await store.entry(id))!;
        expect(e.record).toEqual(r);
        expect(e.anchor).toEqual(old.anchors.get(id));
        if (r.batchSignature) signatureTrees.add(r.batchSignature.root);
      }
      // Station batches anchored alone share their tree with the anchor; mixed anchor trees are stored apart.
      expect(signatureTrees.size).toBeGreaterThan(1);
      const patient = [...old.byPatient.keys()][0]!;
      const history = (await store.window(patient, { limit: 10_000, order: 'asc' })).items.map((e) => e.record.id);
      expect(new Set(history)).toEqual(new Set(old.byPatient.get(patient)));
      for (const [id, amending] of old.amendedBy) expect(await store.amendmentsOf(id)).toEqual(amending);

      for (const [scopeId, scope] of old.scopes) expect(await store.scope(scopeId)).toEqual(scope);
      expect(store.currentScope(patient)).toBe(old.currentScope.get(patient));
      expect(await store.scopesOf(patient)).toEqual(old.scopesOfPatient.get(patient));
      expect(await store.grants(patient)).toEqual(old.activeGrantees(patient));
      expect(await store.consentHistory(patient)).toEqual(old.consents.filter((c) => c.patient === patient));
      const activity = (await store.activity({ limit: 1000 })).items;
      expect(activity).toHaveLength(old.audits.length + old.consents.length);
      expect(new Set(activity.map((a) => JSON.stringify(a)))).toEqual(new Set([...old.audits, ...old.consents].map((a) => JSON.stringify(a))));
      for (const k of old.deviceKeys) expect(store.seenDevice(k)).toBe(true);
      expect(old.teamTags.size).toBeGreaterThan(0);
      for (const [id, tag] of old.teamTags) expect(store.memo(id)).toBe(tag);
      expect(await store.awaitingAnchor()).toEqual([]);
      expect(await store.unbatched()).toEqual([]);

      // The old log stays until someone confirms; then it goes.
      expect(existsSync(log)).toBe(true);
      await expect(migrateLog(log, storePath(dir))).rejects.toMatchObject({ code: 'CONFLICT' });
      await confirmMigration(store, log);
      expect(existsSync(log)).toBe(false);
      expect((await store.state<{ confirmedAt: number | null }>('migration'))!.confirmedAt).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
