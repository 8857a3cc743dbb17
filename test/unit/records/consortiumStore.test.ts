/**
 * The ward's store as the consortium engine's two ends, without a chain: the outbox adapter takes
 * published records out of the outbox with their places and the patient's shares, and a repeated
 * mark (after a crash) changes nothing; the inbox adapter files received records outside the
 * outbox, "from ward X", once, and keeps scope grants for their reader. And the engine's held
 * records can be released to be tried again (a credential was signed since).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceivedRecord } from '../../../electron/core/consortium/batch';
import type { PublishedPlace } from '../../../electron/core/consortium/syncPorts';
import { SyncState } from '../../../electron/core/consortium/syncState';
import { keptScopeGrant, StoreInbox } from '../../../electron/core/records/consortiumInbox';
import { StoreOutbox } from '../../../electron/core/records/consortiumOutbox';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { newPatient, newWard, nurseRecord, pub } from '../../support/consortiumFixtures';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wardledger-consortium-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const A = newWard('Ward 2 Medical');
const patient = newPatient(A, 'P');
const hash = (n: number) => '0x' + n.toString(16).padStart(64, '0');

function placeOf(records: StoredRecord[], batchId: string, block: number): PublishedPlace {
  return {
    ward: A.sync.address,
    batchId,
    root: hash(1),
    block,
    tx: hash(2),
    records: records.map((r, i) => ({ id: r.id, shareIndex: 0, index: i, recordProof: [hash(10 + i)], shareProof: [] })),
    shares: [{ index: 0, first: 0, count: records.length, shareProof: [], header: { patient: patient.wallet.address, patientRef: patient.ref, scopes: [patient.scope.scopeId], authors: [], batchSignatures: [] } }],
  };
}

describe('the ward store as the consortium outbox', () => {
  it('takes published records out of the outbox with their places, keeps the patient\'s share, and ignores a repeated mark', async () => {
    const store = await WardStore.open(join(tempDir(), 'store'));
    try {
      const records = Array.from({ length: 5 }, (_, i) => nurseRecord(A, patient, i) as StoredRecord);
      await store.write((w) => records.forEach((r) => w.record(r)));
      const outbox = new StoreOutbox(() => store, { credentialOf: () => undefined });
      expect(await outbox.count()).toBe(0); // enqueued only once the engine first reads the outbox
      const page = await outbox.next(0, 3);
      expect(await outbox.count()).toBe(5);
      expect(page.map((e) => e.record.id)).toEqual(records.slice(0, 3).map((r) => r.id));
      expect((await outbox.next(page[2]!.seq, 10)).map((e) => e.record.id)).toEqual(records.slice(3).map((r) => r.id));

      const first = placeOf(records.slice(0, 3), hash(100), 7);
      await outbox.markPublished(records.slice(0, 3).map((r) => r.id), first);
      expect(await outbox.count()).toBe(2);
      expect((await outbox.next(0, 10)).map((e) => e.record.id)).toEqual(records.slice(3).map((r) => r.id));
      expect(await store.consortiumPlace(records[1]!.id)).toMatchObject({ ward: A.sync.address, batchId: hash(100), block: 7, index: 1, recordProof: [hash(11)] });
      expect(await store.consortiumShares(patient.wallet.address)).toEqual([expect.objectContaining({ batchId: hash(100), first: 0, count: 3 })]);

      // The same mark again (a crash after marking, before the engine noted it): nothing changes.
      await outbox.markPublished(records.slice(0, 3).map((r) => r.id), first);
      expect(await outbox.count()).toBe(2);
      expect(await store.consortiumShares(patient.wallet.address)).toHaveLength(1);
      expect((await store.consortiumPlace(records[4]!.id))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

describe('the ward store as the consortium inbox', () => {
  it('files received records outside the outbox, from the ward that published them, once (a record twice in one call too); and keeps scope grants', async () => {
    const store = await WardStore.open(join(tempDir(), 'store'));
    const anchored: string[] = [];
    try {
      const inbox = new StoreInbox(() => store, async (records) => anchored.push(...records.map((r) => r.id)));
      const received: ReceivedRecord[] = [0, 1].map((i) => ({ ...nurseRecord(A, patient, i), consortium: { ward: A.sync.address, batchId: hash(5), block: 9, root: hash(6), shareIndex: 0, index: i, recordProof: [], shareProof: [] } }));
      const from = { account: A.sync.address, name: 'Ward 2 Medical' };
      // Two shares in one call, the first record in both (a share granted twice, in one page): filed once.
      await inbox.receive([{ records: [received[0]!], from }, { records: received, from }]);
      await inbox.receive([{ records: received, from }]);
      const history = await store.window(patient.wallet.address);
      expect(history.items.map((e) => e.record.id).sort()).toEqual(received.map((r) => r.id).sort());
      expect(history.items[0]!.record).not.toHaveProperty('consortium');
      expect(await store.outboxCount()).toBe(0);
      expect(await store.consortiumPlace(received[0]!.id)).toMatchObject({ from, batchId: hash(5), block: 9, tx: null });
      await Promise.resolve();
      expect(anchored.sort()).toEqual(received.map((r) => r.id).sort());

      // A record the ward already holds (written here, say) gets its place and stays as it was
      // filed: not filed again, not anchored again.
      const held = nurseRecord(A, patient, 7) as StoredRecord;
      await store.write((w) => void w.record(held, { publish: false }));
      expect(await store.holds([held.id, received[0]!.id, hash(8), 'not an id'])).toEqual([true, true, false, false]);
      await inbox.receive([{ records: [{ ...held, consortium: { ward: A.sync.address, batchId: hash(5), block: 9, root: hash(6), shareIndex: 1, index: 2, recordProof: [], shareProof: [] } }], from }]);
      expect(await store.consortiumPlace(held.id)).toMatchObject({ from, shareIndex: 1, index: 2 });
      expect((await store.window(patient.wallet.address)).items.filter((e) => e.record.id === held.id)).toHaveLength(1);
      await Promise.resolve();
      expect(anchored).not.toContain(held.id);

      const reader = pub(newWard('B').team);
      await inbox.scopeGrant({ kind: 'scope', reader, patient: patient.wallet.address, scopeId: patient.scope.scopeId, wrappedKey: Uint8Array.of(1, 2, 3) }, from, 12);
      expect(await keptScopeGrant(store, patient.scope.scopeId, reader)).toMatchObject({ patient: patient.wallet.address, wrappedKey: '0x010203', from, block: 12 });
      expect(await keptScopeGrant(store, patient.scope.scopeId, pub(newWard('C').team))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

describe('held records', () => {
  it('are released to be tried again', async () => {
    const state = await SyncState.open(tempDir());
    try {
      await state.hold({ seq: 1, id: hash(1), cause: 'no credential', at: 1 });
      await state.hold({ seq: 2, id: hash(2), cause: 'no credential', at: 1 });
      expect(await state.held()).toHaveLength(2);
      expect(await state.releaseHeld()).toBe(2);
      expect(await state.held()).toEqual([]);
    } finally {
      await state.close();
    }
  });
});
