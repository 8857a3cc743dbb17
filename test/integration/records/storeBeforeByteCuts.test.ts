/**
 * A data directory written before issue 12's byte cuts opens in this version unchanged (fixture
 * test/fixtures/v2-store-ward.tar.gz, written by main at 904656d; see its README): every record
 * verifies (content sealed as canonical JSON, a station batch anchored in a nurse's tree); its
 * consortium outbox stays open (the earlier store enqueued every record), so a record written now
 * is enqueued too; a record written now (content deflated) verifies beside the old ones; and its
 * anchor batches' members are indexed by patient in the background after the start.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import type { WardCore } from '../../../electron/core/shellContract';
import { Caller, removeDir, startCore, tempDir } from '../../support/tempCore';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'v2-store-ward.tar.gz');
type Account = { name: string; password: string };
interface Expected {
  accounts: Record<'doctor' | 'nurse', Account>;
  addresses: Record<'patient', string>;
  records: number;
  outbox: string[];
}

describe('a data directory written before the byte cuts (904656d)', () => {
  const root = tempDir('wardledger-v2-');
  let core: WardCore | null = null;
  afterAll(async () => {
    await core?.stop();
    removeDir(root);
  });

  it('opens with every record verified, keeps its outbox open, and a record written now verifies beside the old ones', async () => {
    execFileSync('tar', ['-xzf', fixture, '-C', root]);
    const dataDir = join(root, 'ward');
    const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as Expected;
    const patient = expected.addresses.patient;
    expect(expected.outbox).toHaveLength(expected.records);

    core = await startCore(dataDir);
    const doctor = new Caller(core);
    await doctor.login(expected.accounts.doctor.name, expected.accounts.doctor.password);
    const before = await doctor.ok('records/history', { patient });
    expect(before.records).toHaveLength(expected.records);
    expect(before.records.filter((r) => r.provenance.status !== 'verified')).toEqual([]);
    expect(before.records.filter((r) => r.content?.device?.serial === 'FIX-OX-1')).toHaveLength(200);

    const nurse = new Caller(core);
    await nurse.login(expected.accounts.nurse.name, expected.accounts.nurse.password);
    const added = await nurse.ok('records/addVitals', { patient, vitals: { pulse: 80, spo2: 95, supplementalOxygen: false }, missingReason: 'Spot check' });
    const after = await doctor.ok('records/history', { patient });
    expect(after.records).toHaveLength(expected.records + 1);
    expect(after.records.filter((r) => r.provenance.status !== 'verified')).toEqual([]);
    expect(after.records.find((r) => r.id === added.id)?.content?.vitals?.pulse).toBe(80);
    await core.stop();
    core = null;

    const store = await WardStore.open(storePath(dataDir), { create: false });
    try {
      // Its anchor batches' members were indexed by patient in the background after the start (the
      // store predates the index: its first open marked every tree it had as not indexed).
      expect(store.membersIndexedFrom).toBe(0);
      expect(store.outboxStatus()).toBe('open');
      const waiting = (await store.outbox({ limit: 10_000 })).map((o) => o.record.id);
      expect(waiting).toEqual([...expected.outbox, added.id]);
      // The new record's content took the deflated form (sealed bytes shorter than the old JSON ones).
      const sizeOf = async (id: string) => (await store.entry(id))!.record.cipher.ct.length;
      expect(await sizeOf(added.id)).toBeLessThan(0.8 * (await sizeOf(expected.outbox[0]!)));
    } finally {
      await store.close();
    }
  });
});
