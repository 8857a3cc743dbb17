/**
 * The consortium outbox fills only once a consortium is configured (issue 12, 41 bytes a record
 * saved on a ward without one): a new store enqueues nothing; opening the outbox enqueues what was
 * written before, in write order, leaving out records already on the consortium and those received
 * from it, resumes after a crash mid-fill, and from then on enqueues every record as it is written.
 * A store written before this change (no outbox state, every record enqueued) keeps its outbox open.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { hexKey, key, T } from '../../../electron/core/storage/keys';
import { LevelKv } from '../../../electron/core/storage/levelKv';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, nurseRecord, nurseVitals } from '../../support/realRecords';
import { removeDir, tempDir } from '../../support/tempCore';

const T0 = Date.UTC(2026, 10, 27, 3, 0, 0);
const ward = makeWard(3);
const place = { ward: '0x' + '11'.repeat(20), batchId: '0x' + '22'.repeat(32), root: '0x' + '33'.repeat(32), block: 7, tx: null, shareIndex: 0, index: 0, recordProof: [], shareProof: [], at: T0 };
const META_OUTBOX = key(T.meta, Buffer.from('outbox'));

/** More records than one fill commit (2,000), spread over patients so id order is not write order. */
let written: StoredRecord[] = [];
beforeAll(() => {
  useFastKeccak();
  written = Array.from({ length: 2300 }, (_, i) => nurseRecord(ward, ward.patients[i % 3]!, nurseVitals(i % 50), { createdAt: T0 + i * 1000 }));
}, 120_000);

describe('the consortium outbox, filled on demand', () => {
  const dirs: string[] = [];
  const open: WardStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const d of dirs.splice(0)) removeDir(d);
  });
  async function storeAt(dir?: string): Promise<{ store: WardStore; dir: string }> {
    const d = dir ?? tempDir();
    if (!dir) dirs.push(d);
    const store = await WardStore.open(d);
    open.push(store);
    return { store, dir: d };
  }
  async function close(store: WardStore): Promise<void> {
    open.splice(open.indexOf(store), 1);
    await store.close();
  }
  const ids = async (s: WardStore) => (await s.outbox({ limit: 10_000 })).map((o) => o.record.id);

  it('enqueues nothing before a consortium, then the backlog in write order, without records already on the consortium', async () => {
    const { store } = await storeAt();
    const received = written[5]!;
    await store.write((w) => {
      for (const r of written) if (r !== received) w.record(r);
    });
    await store.write(async (w) => {
      w.record(received, { publish: false });
      await w.consortiumPlaces([{ record: received, place }]);
    });
    await store.write((w) => w.consortiumPlaces([{ record: written[7]!, place }])); // published elsewhere: not enqueued again
    expect(await store.outboxCount()).toBe(0);
    expect(store.outboxStatus()).toBe('closed');

    await store.openOutbox();
    const expected = written.filter((r) => r !== received && r !== written[7]).map((r) => r.id);
    expect(await ids(store)).toEqual(expected);
    // From now on, each new record is enqueued as it is written; the state survives a restart.
    const later = nurseRecord(ward, ward.patients[0]!, nurseVitals(1), { createdAt: T0 - 1 });
    await store.write((w) => void w.record(later));
    expect((await ids(store)).at(-1)).toBe(later.id);
    const dir = dirs[0]!;
    await close(store);
    const { store: again } = await storeAt(dir);
    expect(again.outboxStatus()).toBe('open');
    expect(await again.outboxCount()).toBe(expected.length + 1);
  }, 60_000);

  it('resumes a fill a crash interrupted, and a record written meanwhile is enqueued once', async () => {
    const { store, dir } = await storeAt();
    await store.write((w) => written.forEach((r) => w.record(r)));
    await close(store);
    // What a crash after the first fill commit leaves: the state 'filling' up to an id, the outbox entries of the ids up to it.
    const sorted = [...written].sort((a, b) => (a.id < b.id ? -1 : 1));
    const done = sorted.slice(0, 1000);
    const kv = await LevelKv.open(dir, { createIfMissing: false });
    const locators = await kv.getMany(done.map((r) => key(T.recordId, hexKey(r.id, 32))));
    const seqOf = (l: Uint8Array) => Buffer.from(l).readUIntBE(28, 6);
    await kv.commit([
      ...done.map((_, i) => ({ type: 'put' as const, key: key(T.outbox, ['seq', seqOf(locators[i]!)]), value: locators[i]! })),
      { type: 'put', key: META_OUTBOX, value: Buffer.from(JSON.stringify({ state: 'filling', after: done.at(-1)!.id.toLowerCase() })) },
    ]);
    await kv.close();

    const { store: again } = await storeAt(dir);
    expect(again.outboxStatus()).toBe('filling');
    const extra = nurseRecord(ward, ward.patients[1]!, nurseVitals(2), { createdAt: T0 });
    await again.write((w) => void w.record(extra)); // enqueued at once: the outbox is no longer closed
    await again.openOutbox();
    expect(await ids(again)).toEqual([...written.map((r) => r.id), extra.id]);
  }, 60_000);

  it('keeps the outbox of a store written before it opened on demand (every record enqueued) open', async () => {
    const { store, dir } = await storeAt();
    await store.openOutbox(); // what the earlier version did at every write
    await store.write((w) => written.slice(0, 3).forEach((r) => w.record(r)));
    await close(store);
    const kv = await LevelKv.open(dir, { createIfMissing: false });
    await kv.commit([{ type: 'del', key: META_OUTBOX }]); // the earlier version wrote no outbox state
    await kv.close();
    const { store: again } = await storeAt(dir);
    expect(again.outboxStatus()).toBe('open');
    await again.write((w) => void w.record(written[3]!));
    expect(await ids(again)).toEqual(written.slice(0, 4).map((r) => r.id));
  });

  it('restores a backup with the outbox state it had: closed stays closed, one from before the change opens', async () => {
    const { store: closed } = await storeAt();
    await closed.write((w) => written.slice(0, 3).forEach((r) => w.record(r)));
    const { store: restored } = await storeAt();
    await restored.load(closed.snapshot());
    expect([restored.outboxStatus(), await restored.outboxCount()]).toEqual(['closed', 0]);

    const { store: legacy, dir } = await storeAt();
    await legacy.openOutbox();
    await legacy.write((w) => written.slice(0, 3).forEach((r) => w.record(r)));
    await close(legacy);
    const kv = await LevelKv.open(dir, { createIfMissing: false });
    await kv.commit([{ type: 'del', key: META_OUTBOX }]);
    await kv.close();
    const { store: before } = await storeAt(dir);
    const { store: restoredBefore } = await storeAt();
    await restoredBefore.load(before.snapshot());
    expect(restoredBefore.outboxStatus()).toBe('open');
    await restoredBefore.write((w) => void w.record(written[3]!));
    expect(await ids(restoredBefore)).toEqual(written.slice(0, 4).map((r) => r.id));
  });
});
