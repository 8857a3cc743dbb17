/**
 * The sync engine's persisted state: a prepared batch comes back byte for byte after a reopen (a
 * re-prepared batch would be a second batch of the same records), the history keeps its last
 * HISTORY_KEPT entries newest first, the checkpoint and quarantine move in one write, and a second
 * process cannot open the same state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { groupIntoShares, prepareBatch } from '../../../electron/core/consortium/batch';
import { SyncState, type QuarantineEntry } from '../../../electron/core/consortium/syncState';
import { BATCH_HISTORY_KEPT as HISTORY_KEPT } from '../../../electron/core/model/consortium';
import { credentialsOf, newPatient, newWard, nurseRecord, pub } from '../../support/consortiumFixtures';

const context = { chainId: 7, ledger: '0x' + '07'.repeat(20) };
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wardledger-syncstate-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('consortium sync state', () => {
  it('gives back a prepared batch byte for byte after a reopen, until it is confirmed', async () => {
    const A = newWard('A');
    const B = newWard('B');
    const p = [newPatient(A, 'P1'), newPatient(A, 'P2')];
    const records = Array.from({ length: 9 }, (_, i) => nurseRecord(A, p[i % 2]!, i));
    const batch = prepareBatch({ context, publisher: { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret }, shares: groupIntoShares(records, () => [{ ward: B.sync.address, wardSyncPublicKey: pub(B.sync), readerPublicKey: pub(B.team) }]), credentialOf: credentialsOf(A, context) });
    const dir = tempDir();
    let state = await SyncState.open(dir);
    const members = records.map((r, i) => ({ seq: i + 1, id: r.id, shareIndex: i % 2, index: i }));
    const key = await state.savePrepared({ batch, members, preparedAt: 1 });
    await expect(SyncState.open(dir)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    await state.close();
    state = await SyncState.open(dir);
    const [back] = await state.prepared();
    expect(back!.key).toBe(key);
    expect(back!.members).toEqual(members);
    expect(Buffer.from(back!.batch.records)).toEqual(Buffer.from(batch.records));
    expect(back!.batch.grants.map((g) => Buffer.from(g))).toEqual(batch.grants.map((g) => Buffer.from(g)));
    expect(back!.batch).toEqual(batch);
    await state.confirmed(key, { batchId: batch.batchId, records: 9, shares: 2, payloadBytes: batch.records.length, block: 5, tx: '0x' + '00'.repeat(32), already: false, publishedAt: 2 });
    expect(await state.prepared()).toEqual([]);
    expect(await state.history()).toMatchObject([{ batchId: batch.batchId, block: 5 }]);
    await state.close();
  });

  it('keeps the last entries of the history, newest first, and moves checkpoint and quarantine together', async () => {
    const state = await SyncState.open(tempDir());
    for (let i = 0; i < HISTORY_KEPT + 5; i++) {
      const key = await state.savePrepared({ batch: { batchId: `0x${String(i).padStart(64, '0')}`, root: '0x' + '11'.repeat(32), count: 1, records: new Uint8Array([i % 256]), grants: [], shares: [] }, members: [], preparedAt: i });
      await state.confirmed(key, { batchId: String(i), records: 1, shares: 1, payloadBytes: 1, block: i, tx: null, already: i % 2 === 0, publishedAt: i });
    }
    const all = await state.history(10_000);
    expect(all).toHaveLength(HISTORY_KEPT);
    expect(all[0]!.block).toBe(HISTORY_KEPT + 4);
    expect(all.at(-1)!.block).toBe(5);
    // Read a page at a time (the console's "Show older batches"): every kept batch once, in order.
    const paged: number[] = [];
    let page = await state.historyPage(120);
    for (;;) {
      paged.push(...page.entries.map((e) => e.block));
      if (!page.older) break;
      page = await state.historyPage(120, page.older);
    }
    expect(paged).toEqual(all.map((e) => e.block));
    expect(Math.ceil(HISTORY_KEPT / 120)).toBeGreaterThan(1);
    await expect(state.historyPage(10, 'prepared!000000000001')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(await state.checkpoint()).toBe(0);
    const q: QuarantineEntry = { key: '000000000012:000003:-', what: 'share', ward: '0x' + '01'.repeat(20), wardName: 'Ward 13', batchId: '0x' + '02'.repeat(32), recordId: null, block: 12, tx: '0x' + '03'.repeat(32), cause: 'The share is not included under the root the ward published on the consortium chain.', at: 1 };
    await state.pulled(13, [q]);
    await state.pulled(13, [q]); // the same page read again after a crash adds nothing
    expect(await state.checkpoint()).toBe(13);
    expect(await state.quarantine()).toEqual([q]);
    await state.close();
  });
});
