/**
 * A reading recorded alone (one per bed per minute) is a station batch of one: its signature tree
 * is one leaf. In OpenZeppelin's StandardMerkleTree layout a tree of n leaves is 2n − 1 nodes with
 * the leaves from the end (OpenZeppelin/merkle-tree, src/core.ts, makeMerkleTree), so one leaf is
 * the whole tree: its root, with an empty proof. The store keeps such a tree as its header alone
 * (no nodes entry). The root index (roots found on the chain → trees) lists anchor batches only, so
 * a reading's own root is listed only if it is anchored on its own.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { buildBatch, verifyInclusion } from '../../../electron/core/crypto/merkle';
import { verifyBatchSignature } from '../../../electron/core/crypto/recordSignature';
import { batchFieldsOf } from '../../../electron/core/records/recordCodec';
import { key, T } from '../../../electron/core/storage/keys';
import { leafOf, type StoredRecord } from '../../../electron/core/storage/storedRecord';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, putStationBatch, scopeOf, stationBatch } from '../../support/realRecords';
import { removeDir, tempDir } from '../../support/tempCore';

const T0 = Date.UTC(2026, 10, 1);
const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');

describe('one-leaf signature trees (readings recorded one at a time)', () => {
  const dirs: string[] = [];
  const stores: WardStore[] = [];
  beforeAll(() => useFastKeccak());
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    dirs.splice(0).forEach(removeDir);
  });
  const open = async () => {
    const dir = tempDir('wardledger-oneleaf-');
    dirs.push(dir);
    const s = await WardStore.open(dir);
    stores.push(s);
    return s;
  };

  /** Each reading its own station batch, as the ingest queue writes a reading that arrived alone. */
  async function alone(store: WardStore, ward: ReturnType<typeof makeWard>, n: number) {
    const out: Array<{ record: StoredRecord; treeNo: number }> = [];
    for (let i = 0; i < n; i++) {
      const patient = ward.patients[i % ward.patients.length]!;
      const made = stationBatch(ward, [{ patient, at: T0 + i * 2000, i }]);
      await store.write((w) => {
        const s = scopeOf(ward, patient);
        if (s.created) w.scope(patient.address, s.scope);
        const { treeNo } = putStationBatch(w, made);
        out.push({ record: made.records[0]!, treeNo });
      });
    }
    return out;
  }

  /** Keys of a table, as stored. */
  async function keysOf(store: WardStore, table: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const chunk of store.snapshot()) for (const [k] of chunk) if (k[0] === table) out.push(k);
    return out;
  }

  it('stores the tree as its header alone, reads its nodes as its root, and the record verifies with an empty proof', async () => {
    const store = await open();
    const ward = makeWard(2);
    const [{ record, treeNo }] = await alone(store, ward, 1);
    const root = record.batchSignature!.root;
    expect(root).toBe(buildBatch([leafOf(record)]).root); // the leaf is the root
    const trees = await keysOf(store, T.tree);
    expect(trees.map((k) => hex(k))).toEqual([hex(key(T.tree, ['tree', treeNo], Uint8Array.of(0)))]);
    expect(await keysOf(store, T.treeRoot)).toEqual([]);
    expect(await store.treesWithRoot(root)).toEqual([]);
    expect((await store.counts()).trees).toBe(1);

    const { header, nodes } = await store.treeNodes(treeNo);
    expect(header).toMatchObject({ form: 'layout', root, leaves: 1 });
    expect(hex(nodes)).toBe(root);
    const e = (await store.entry(record.id))!;
    expect(e.record).toEqual(record);
    expect(e.record.batchSignature!.proof).toEqual([]);
    expect(verifyInclusion(e.record.batchSignature!.root, leafOf(e.record), e.record.batchSignature!.proof)).toBe(true);
    expect(verifyBatchSignature(batchFieldsOf(e.record)!, e.record.batchSignature!.signature, ward.station.address)).toBe(true);
  });

  it('anchored on its own: its root is listed then, and the anchor proof is empty', async () => {
    const store = await open();
    const ward = makeWard(1);
    const [{ record, treeNo }] = await alone(store, ward, 1);
    await store.write((w) => w.anchorBatch(treeNo, [{ record, leafIndex: 0 }]));
    expect(await store.treesWithRoot(record.batchSignature!.root)).toEqual([treeNo]);
    expect((await store.awaitingAnchor()).map((b) => [b.treeNo, b.root, b.records.length])).toEqual([[treeNo, record.batchSignature!.root, 1]]);
    await store.write((w) => w.anchored(treeNo, { batchId: 1, block: 5, tx: '0x' + 'ab'.repeat(32) }));
    const e = (await store.entry(record.id))!;
    expect(e.anchor).toMatchObject({ root: record.batchSignature!.root, batchId: 1, block: 5, proof: [] });
    expect(verifyInclusion(e.anchor!.root, leafOf(e.record), e.anchor!.proof)).toBe(true);
  });

  it('gathered into an anchor tree: only the anchor tree is in the root index, every record proves into it', async () => {
    const store = await open();
    const ward = makeWard(3);
    const readings = await alone(store, ward, 5);
    const anchor = buildBatch(readings.map((r) => leafOf(r.record)));
    const dump = anchor.toStandardTreeData();
    const leafIndex = new Map(dump.values.map((v) => [v.value[0]!.toLowerCase(), dump.tree.length - 1 - v.treeIndex]));
    let anchorTreeNo = 0;
    await store.write(async (w) => {
      anchorTreeNo = w.tree({ root: anchor.root, nodes: dump.tree });
      await w.anchorBatch(anchorTreeNo, readings.map((r) => ({ record: r.record, leafIndex: leafIndex.get(r.record.id)! })));
    });
    await store.write((w) => w.anchored(anchorTreeNo, { batchId: 2, block: 9, tx: '0x' + 'cd'.repeat(32) }));
    expect((await keysOf(store, T.treeRoot)).length).toBe(1);
    expect(await store.treesWithRoot(anchor.root)).toEqual([anchorTreeNo]);
    for (const r of readings) expect(await store.treesWithRoot(r.record.batchSignature!.root)).toEqual([]);
    // Five headers and one anchor tree (header and nodes).
    expect((await keysOf(store, T.tree)).length).toBe(7);
    expect((await store.counts()).trees).toBe(6);
    for (const r of readings) {
      const e = (await store.entry(r.record.id))!;
      expect(e.anchor).toMatchObject({ root: anchor.root, batchId: 2 });
      expect(verifyInclusion(anchor.root, leafOf(e.record), e.anchor!.proof)).toBe(true);
      expect(e.record.batchSignature!.proof).toEqual([]);
    }
  });

  it('reads a one-leaf tree written before (with its nodes entry and its root listed) as it did', async () => {
    const store = await open();
    const ward = makeWard(1);
    const [{ record, treeNo }] = await alone(store, ward, 1);
    const root = record.batchSignature!.root;
    // What the store wrote for it before this change: the nodes entry (its root) and the root index.
    const kv = (store as unknown as { kv: { commit(ops: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }>): Promise<void> } }).kv;
    await kv.commit([
      { type: 'put', key: key(T.tree, ['tree', treeNo], Uint8Array.of(1)), value: Buffer.from(root.slice(2), 'hex') },
      { type: 'put', key: key(T.treeRoot, Buffer.from(root.slice(2), 'hex'), ['tree', treeNo]), value: new Uint8Array(0) },
    ]);
    expect(await store.treesWithRoot(root)).toEqual([treeNo]);
    expect((await store.counts()).trees).toBe(1);
    expect(hex((await store.treeNodes(treeNo)).nodes)).toBe(root);
    await store.write((w) => w.anchorBatch(treeNo, [{ record, leafIndex: 0 }]));
    expect(await store.treesWithRoot(root)).toEqual([treeNo]);
    const e = (await store.entry(record.id))!;
    expect(verifyInclusion(root, leafOf(e.record), e.record.batchSignature!.proof)).toBe(true);
  });
});
