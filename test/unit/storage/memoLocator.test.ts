/**
 * Verification memos kept under their records' locators (storage/keys.ts T.recordMemo; issue 12,
 * first opens): a page's memos are one range read over the page's bounds, not a point read per
 * record id; a store written before (memos by id, T.verifyMemo) is read by id only for the records
 * with none under their locator, and the reader moves those (StoreWrite.memos). Real LevelDB; the
 * store's point reads are counted on its own LevelKv.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { T } from '../../../electron/core/storage/keys';
import type { LevelKv } from '../../../electron/core/storage/levelKv';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, nurseRecord, nurseVitals, scopeOf } from '../../support/realRecords';
import { removeDir, tempDir } from '../../support/tempCore';

const T0 = Date.UTC(2026, 10, 1);
const tagOf = () => '0x' + randomBytes(32).toString('hex');

describe('verification memos under the records’ locators', () => {
  const dirs: string[] = [];
  const stores: WardStore[] = [];
  const open = async (dir = tempDir('wardledger-memoloc-')) => {
    dirs.push(dir);
    const s = await WardStore.open(dir);
    stores.push(s);
    return s;
  };
  beforeAll(() => useFastKeccak());
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    dirs.splice(0).forEach(removeDir);
  });

  /** Point reads of the store (every getMany, with its keys' tables). */
  const pointReads = (store: WardStore) => vi.spyOn((store as unknown as { kv: LevelKv }).kv, 'getMany');
  /** The memo tables (under locators, by id) of the keys point-read (a window's own reads are not memos). */
  const memoReads = (spy: ReturnType<typeof pointReads>) => spy.mock.calls.flatMap(([keys]) => keys.map((k) => k[0])).filter((t) => t === T.recordMemo || t === T.verifyMemo);

  /** Two patients' records interleaved in time (the other patient's memos lie outside the first one's bounds). */
  async function ward(store: WardStore, count = 120) {
    const w = makeWard(2);
    const [a, b] = w.patients as [(typeof w.patients)[0], (typeof w.patients)[0]];
    const records: StoredRecord[] = [];
    const others: StoredRecord[] = [];
    await store.write((wr) => {
      wr.scope(a.address, scopeOf(w, a).scope);
      wr.scope(b.address, scopeOf(w, b).scope);
      for (let i = 0; i < count; i++) {
        const r = nurseRecord(w, a, nurseVitals(i), { createdAt: T0 + i * 60_000 });
        wr.record(r);
        records.push(r);
        const o = nurseRecord(w, b, nurseVitals(i), { createdAt: T0 + i * 60_000 + 1 });
        wr.record(o);
        others.push(o);
      }
    });
    return { patient: a.address, records, others };
  }

  it('are written under the locator and a page reads them in one range, with no memo point read', async () => {
    const store = await open();
    const { patient, records, others } = await ward(store);
    const tags = new Map([...records, ...others].map((r) => [r.id, tagOf()]));
    await store.write((w) => w.memos([...records, ...others].map((r) => [r, tags.get(r.id)!])));
    expect((await store.counts()).memos).toBe(records.length + others.length);

    const page = (await store.window(patient, { limit: 50, proofs: false })).items;
    const reads = pointReads(store);
    const found = await store.memos(page);
    expect(memoReads(reads)).toEqual([]);
    expect(found.byId).toEqual([]);
    expect(found.tags).toEqual(page.map((e) => tags.get(e.record.id)));
    // Oldest first too (the bounds either way round).
    const asc = (await store.window(patient, { limit: 50, order: 'asc', proofs: false })).items;
    expect((await store.memos(asc)).tags).toEqual(asc.map((e) => tags.get(e.record.id)));
    expect(memoReads(reads)).toEqual([]);
  });

  it('a few records far apart in a long history: a bounded range, the rest point reads under their locators, none by id', async () => {
    const store = await open();
    const { patient, records } = await ward(store);
    const tags = new Map(records.map((r) => [r.id, tagOf()]));
    const without = records[60]!;
    await store.write((w) => w.memos(records.filter((r) => r !== without).map((r) => [r, tags.get(r.id)!])));
    const all = (await store.window(patient, { limit: 1000, order: 'asc', proofs: false })).items;
    const list = [all[0]!, all[60]!, all[61]!, all[119]!];
    const reads = pointReads(store);
    const found = await store.memos(list);
    expect(found.tags).toEqual([tags.get(records[0]!.id), undefined, tags.get(records[61]!.id), tags.get(records[119]!.id)]);
    expect(found.byId).toEqual([]);
    // Past the range's bound (2 × 4 + 64 rows of 119): under their locators; the one without any: also by id.
    expect(memoReads(reads).filter((t) => t === T.recordMemo).length).toBeGreaterThan(0);
    expect(memoReads(reads).filter((t) => t === T.verifyMemo)).toHaveLength(1);
  });

  it('a store written before (memos by record id): read by id only where none is under the locator, and moved there in one write', async () => {
    const store = await open();
    const { patient, records } = await ward(store, 40);
    const tags = new Map(records.map((r) => [r.id, tagOf()]));
    const old = records.filter((_, i) => i % 2 === 0);
    const moved = records.filter((_, i) => i % 2 === 1);
    await store.write(async (w) => {
      w.memosById(old.map((r) => [r.id, tags.get(r.id)!]));
      await w.memos(moved.map((r) => [r, tags.get(r.id)!]));
    });
    const page = (await store.window(patient, { limit: 100, proofs: false })).items;
    const reads = pointReads(store);
    const found = await store.memos(page);
    expect(found.tags).toEqual(page.map((e) => tags.get(e.record.id)));
    expect(found.byId.map((i) => page[i]!.record.id).sort()).toEqual(old.map((r) => r.id).sort());
    expect(memoReads(reads)).toEqual(old.map(() => T.verifyMemo));

    // What the reader writes (RecordVerifier.openMany): the tags found by id, under the locators, the by-id keys gone.
    await store.write((w) => w.memos(found.byId.map((i) => [page[i]!.record, found.tags[i]!]), found.byId.map((i) => page[i]!.record.id)));
    expect((await store.counts()).memos).toBe(records.length);
    reads.mockClear();
    const again = await store.memos((await store.window(patient, { limit: 100, proofs: false })).items);
    expect(again.tags).toEqual(page.map((e) => tags.get(e.record.id)));
    expect(again.byId).toEqual([]);
    expect(memoReads(reads)).toEqual([]);
    for (const r of records) expect(store.memo(r.id)).toBe(tags.get(r.id));
  });

  it('a backup’s snapshot restored into an empty store keeps the memos under their locators', async () => {
    const store = await open();
    const { patient, records } = await ward(store, 30);
    const tags = new Map(records.map((r) => [r.id, tagOf()]));
    await store.write((w) => w.memos(records.map((r) => [r, tags.get(r.id)!])));
    const restored = await open();
    await restored.load(store.snapshot());
    const page = (await restored.window(patient, { limit: 100, proofs: false })).items;
    const reads = pointReads(restored);
    const found = await restored.memos(page);
    expect(found.tags).toEqual(page.map((e) => tags.get(e.record.id)));
    expect(memoReads(reads)).toEqual([]);
  });
});
