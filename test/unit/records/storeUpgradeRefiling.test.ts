/**
 * The re-filing pass of migrated vitals (records/storeUpgradeRefiling.ts) on a real store: what it
 * files from what a reader could open, and when it counts as done. The opener stands in for the
 * record reader (decrypt and verify, tested with the v1 fixture end to end in
 * test/integration/records/migratedVitals.test.ts); here it answers per record as told.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import type { Actor } from '../../../electron/core/identity/actor';
import type { ProvenanceStatus, RecordContent } from '../../../electron/core/model/records';
import type { OpenedRecord } from '../../../electron/core/records/provenance';
import { MigratedVitalsRefiling, VITALS_REFILED } from '../../../electron/core/records/storeUpgradeRefiling';
import type { StoredEntry } from '../../../electron/core/storage/wardStore';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, nurseRecord, nurseVitals } from '../../support/realRecords';
import { removeDir, tempDir } from '../../support/tempCore';

const T0 = Date.UTC(2026, 10, 1);
const nurseActor = { role: 'nurse', teamKey: '0x01' } as unknown as Actor;
const nurse = () => nurseActor;

describe('re-filing migrated vitals', () => {
  const dirs: string[] = [];
  let store: WardStore;
  beforeAll(() => useFastKeccak());
  afterEach(async () => {
    await store.close();
    dirs.splice(0).forEach(removeDir);
  });

  /** A migrated store: a whole set, a device reading and a note, vitals filed as partial sets. */
  async function migrated() {
    const dir = tempDir('wardledger-refile-');
    dirs.push(dir);
    store = await WardStore.open(dir);
    const ward = makeWard(1);
    const p = ward.patients[0]!;
    const whole = nurseRecord(ward, p, nurseVitals(1), { createdAt: T0 });
    const reading = nurseRecord(ward, p, { vitals: { spo2: 95, pulse: 70 } }, { createdAt: T0 + 1000 });
    const note = nurseRecord(ward, p, { note: 'Comfortable.' }, { createdAt: T0 + 2000, kind: 'note' });
    const content = new Map<string, RecordContent>([
      [whole.id, nurseVitals(1)],
      [reading.id, { vitals: { spo2: 95, pulse: 70 } }],
      [note.id, { note: 'Comfortable.' }],
    ]);
    await store.write((w) => {
      w.record(whole, { vitals: 'partial' });
      w.record(reading, { vitals: 'partial' });
      w.record(note, {});
      w.state('migration', { source: 'log.jsonl', sourceBytes: 1, sourceModifiedAt: T0, completedAt: T0, confirmedAt: null, report: { records: 3, problems: [] } });
    });
    return { patient: p.address, whole, reading, content };
  }

  /** An opener that answers each record as `status` says (unreadable: no content). */
  const opener = (content: Map<string, RecordContent>, status: (id: string) => ProvenanceStatus | 'unreadable', seen: string[] = []) =>
    async (_actor: Actor, entries: StoredEntry[]): Promise<OpenedRecord[]> =>
      entries.map((e) => {
        seen.push(e.record.id);
        const s = status(e.record.id);
        return {
          record: e.record,
          sealed: s === 'unreadable' ? null : ({ content: content.get(e.record.id)! } as OpenedRecord['sealed']),
          provenance: { status: s === 'unreadable' ? 'unverifiable' : s, signatureValid: true, contentMatchesAnchor: true, anchored: true, wardBlock: 1, wardTx: null, batchRoot: null, problems: [] },
        };
      });

  it('files a whole set as complete, opens only records that may carry vitals, and is done once', async () => {
    const { patient, whole, content } = await migrated();
    const seen: string[] = [];
    const refiling = new MigratedVitalsRefiling(() => store, opener(content, () => 'verified', seen));
    expect(await store.latest(patient, 'complete')).toBeUndefined();
    const done = await refiling.run(nurse);
    expect(done).toMatchObject({ checked: 2, complete: 1, partial: 1, unverified: 0, later: 0 });
    expect(seen).toHaveLength(2); // not the note
    expect((await store.latest(patient, 'complete'))?.record.id).toBe(whole.id);
    expect(await store.state(VITALS_REFILED)).toEqual(done);
    expect(await refiling.run(nurse)).toBeNull();
  });

  it('leaves a set that fails verification as migrated, and tries an unreadable one again at the next run', async () => {
    const { patient, whole, content } = await migrated();
    const tampered = await new MigratedVitalsRefiling(() => store, opener(content, () => 'tampered')).run(nurse);
    expect(tampered).toMatchObject({ complete: 0, unverified: 2 });
    await store.write((w) => w.state(VITALS_REFILED, null));
    expect(await store.latest(patient, 'complete')).toBeUndefined();

    const first = await new MigratedVitalsRefiling(() => store, opener(content, (id) => (id === whole.id ? 'unreadable' : 'verified'))).run(nurse);
    expect(first).toMatchObject({ complete: 0, partial: 1, later: 1 });
    expect(await store.state(VITALS_REFILED)).toBeFalsy();
    const second = await new MigratedVitalsRefiling(() => store, opener(content, () => 'verified')).run(nurse);
    expect(second).toMatchObject({ complete: 1, later: 0 });
    expect((await store.latest(patient, 'complete'))?.record.id).toBe(whole.id);
  });

  it('runs only for a nurse or doctor, and not once stopped', async () => {
    const { patient, content } = await migrated();
    const seen: string[] = [];
    const refiling = new MigratedVitalsRefiling(() => store, opener(content, () => 'verified', seen));
    refiling.afterLogin(() => ({ role: 'itadmin', teamKey: null }) as unknown as Actor);
    refiling.afterLogin(() => ({ role: 'insurer', teamKey: '0x01' }) as unknown as Actor);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    await refiling.stop();
    refiling.afterLogin(nurse);
    expect(await refiling.run(nurse)).toBeNull();
    expect(await store.latest(patient, 'complete')).toBeUndefined();
  });

  it('reads only while the session that started it is open: after a logout or lock it stops, not done', async () => {
    const { patient, whole, content } = await migrated();
    const seen: string[] = [];
    let active = false;
    const refiling = new MigratedVitalsRefiling(() => store, opener(content, () => 'verified', seen));
    expect(await refiling.run(() => (active ? nurseActor : null))).toBeNull();
    expect(seen).toEqual([]);
    expect(await store.state(VITALS_REFILED)).toBeFalsy();
    active = true; // the next care-team login
    expect(await refiling.run(() => (active ? nurseActor : null))).toMatchObject({ complete: 1 });
    expect((await store.latest(patient, 'complete'))?.record.id).toBe(whole.id);
  });
});
