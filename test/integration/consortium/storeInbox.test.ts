/**
 * Both ends on the ward's record store, through the adapters the core uses: ward A publishes from
 * its store (records/consortiumOutbox.ts) and ward B's engine files what A addressed to it in B's
 * store (records/consortiumInbox.ts): in the patient's history, "from ward A", with a consortium
 * proof that reaches the root the ledger holds, never in B's own outbox, once; scope grants kept
 * for the reader they name. Anvil behind the Besu proxy, 1 s blocks.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafOfRecord, verifyConsortiumInclusion, type ShareRecipient } from '../../../electron/core/consortium/batch';
import { makeScopeGrant, openScopeGrant } from '../../../electron/core/consortium/grants';
import { unwrapScopeKey } from '../../../electron/core/crypto/keyScope';
import { keptScopeGrant, StoreInbox } from '../../../electron/core/records/consortiumInbox';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { startConsortium, type TestConsortium } from '../../support/consortiumChain';
import { newPatient, newWard, pub, wardRecords, type TestPatient, type TestWard } from '../../support/consortiumFixtures';
import { StoreTestOutbox } from '../../support/storeTestOutbox';
import { expectExactlyOnce, openSyncWard, type SyncWard } from '../../support/syncWard';

const SLOW = 300_000;

describe('consortium sync on the ward store: A publishes from its store, B files in its store', () => {
  let c: TestConsortium;
  let A: TestWard;
  let B: TestWard;
  let patients: TestPatient[];
  let a: SyncWard;
  let b: SyncWard;
  let storeB: WardStore;
  const anchored: StoredRecord[] = [];
  const toB = (w: TestWard): ShareRecipient => ({ ward: w.sync.address, wardSyncPublicKey: pub(w.sync), readerPublicKey: pub(w.team) });
  const dir = (name: string) => {
    const d = join(c.dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };

  beforeAll(async () => {
    c = await startConsortium({ blockTime: 1 });
    [A, B] = [newWard('Ward 2 Medical'), newWard('Ward 9 Surgery')];
    for (const w of [A, B]) await c.addWard(w);
    patients = Array.from({ length: 3 }, (_, i) => newPatient(A, `Transferred ${i}`));
    const transferred = patients[0]!.wallet.address.toLowerCase();
    const options = { url: c.proxy.url, ledger: c.ledger, context: c.context, outbox: 'store' as const };
    storeB = await WardStore.open(join(dir('ward-b-records'), 'store'));
    const inbox = new StoreInbox(() => storeB, async (records) => anchored.push(...records));
    a = await openSyncWard(A, dir('ward-a'), { ...options, recipients: (p) => (p.toLowerCase() === transferred ? [toB(B)] : []) });
    b = await openSyncWard(B, dir('ward-b'), { ...options, sink: inbox });
  }, SLOW);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storeB?.close();
    await c?.close();
  });

  it('files the records addressed to B in the patient\'s history on B, from ward A, proven, once', async () => {
    const written = wardRecords(A, patients, 300);
    await a.outbox.add(written);
    await a.engine.syncNow();
    expect((await a.engine.status()).errors).toEqual([]);
    expect(await expectExactlyOnce(a.client, a.outbox)).toMatchObject({ records: 300 });
    // A's store keeps the patient's shares for a later share grant, and each record's place.
    const storeA = (a.outbox as StoreTestOutbox).store;
    expect(await storeA.outboxCount()).toBe(0);
    const shares = await storeA.consortiumShares(patients[0]!.wallet.address);
    expect(shares.length).toBeGreaterThan(0);
    expect(shares.reduce((n, s) => n + s.count, 0)).toBe(written.filter((r) => r.patient === patients[0]!.wallet.address).length);
    expect((await storeA.consortiumPlace(written[0]!.id))?.from).toBeUndefined();

    const publisher = { account: A.sync.address, privateKey: A.sync.privateKey };
    const grant = makeScopeGrant(c.context, publisher, toB(B), patients[0]!.wallet.address, patients[0]!.scope.scopeId, unwrapScopeKey(patients[0]!.scope.keys, A.team.privateKey));
    expect(await a.client.publishGrants('transfer-1', [grant])).toMatchObject({ status: 'done' });

    await b.engine.syncNow();
    const status = await b.engine.status();
    expect(status.errors).toEqual([]);
    expect(status.quarantine).toEqual([]);
    const expected = written.filter((r) => r.patient === patients[0]!.wallet.address);
    const history = await storeB.window(patients[0]!.wallet.address, { limit: 10_000, order: 'asc' });
    expect(history.items.map((e) => e.record.id).sort()).toEqual(expected.map((r) => r.id).sort());
    for (const r of expected) {
      const place = (await storeB.consortiumPlace(r.id))!;
      expect(place.from).toEqual({ account: A.sync.address, name: 'Ward 2 Medical' });
      expect(verifyConsortiumInclusion((await b.client.batchOnChain(place.batchId, A.sync.address))!.root, leafOfRecord(r), place.recordProof, place.shareProof)).toBe(true);
    }
    // Nothing of another patient, nothing in B's own outbox, and every filed record handed to B's anchoring.
    expect((await storeB.window(patients[1]!.wallet.address)).items).toEqual([]);
    expect(await storeB.outboxCount()).toBe(0);
    expect(anchored.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());

    // The scope grant is kept for B's care team, who can open it.
    const kept = (await keptScopeGrant(storeB, patients[0]!.scope.scopeId, pub(B.team)))!;
    expect(kept.from.name).toBe('Ward 2 Medical');
    const key = openScopeGrant({ kind: 'scope', reader: kept.reader, patient: kept.patient, scopeId: kept.scopeId, wrappedKey: new Uint8Array(Buffer.from(kept.wrappedKey.slice(2), 'hex')) }, B.team.privateKey);
    expect(Buffer.from(key)).toEqual(Buffer.from(unwrapScopeKey(patients[0]!.scope.keys, A.team.privateKey)));

    // A page read again (a crash after the sink, before the checkpoint) files nothing twice.
    await b.state.pulled(0, []);
    await b.engine.syncNow();
    expect((await storeB.window(patients[0]!.wallet.address, { limit: 10_000 })).items).toHaveLength(expected.length);
    expect(anchored).toHaveLength(expected.length);
  }, SLOW);
});
