import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { verifyInclusion } from '../../../electron/core/crypto/merkle';
import { verifyBatchSignature, verifyRecordSignature } from '../../../electron/core/crypto/recordSignature';
import { checkHashCommitment } from '../../../electron/core/crypto/commitment';
import { leafOf } from '../../../electron/core/storage/storedRecord';
import { batchFieldsOf, fieldsOf } from '../../../electron/core/records/recordCodec';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { join } from 'node:path';
import { key, T } from '../../../electron/core/storage/keys';
import { MemberIndexBackfill } from '../../../electron/core/storage/memberIndexBackfill';
import { locatorKey, WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, nurseRecord, nurseVitals, putStationBatch, scopeOf, stationBatch } from '../../support/realRecords';
import { removeDir, tempDir } from '../../support/tempCore';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

describe('ward store: records, trees and anchors', () => {
  const dirs: string[] = [];
  const stores: WardStore[] = [];
  const open = async (dir = tempDir('wardledger-store-')) => {
    if (!dirs.includes(dir)) dirs.push(dir);
    const s = await WardStore.open(dir);
    stores.push(s);
    return { store: s, dir };
  };
  beforeAll(() => useFastKeccak());
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    dirs.splice(0).forEach(removeDir);
  });

  /** Write a station batch as the ingest path would: scopes, the signed tree, the records. */
  async function ingest(store: WardStore, ward: ReturnType<typeof makeWard>, readings: Parameters<typeof stationBatch>[1]) {
    const made = stationBatch(ward, readings);
    let put = { treeNo: 0, members: [] as Array<{ record: StoredRecord; leafIndex: number }> };
    await store.write((w) => {
      for (const p of new Set(readings.map((r) => r.patient))) {
        const s = scopeOf(ward, p);
        if (s.created) w.scope(p.address, s.scope);
      }
      put = putStationBatch(w, made);
      w.deviceKeys(made.records.map((_, i) => '0x' + (i + 1).toString(16).padStart(64, '0')));
    });
    return { ...made, ...put };
  }

  it('gives back every field of a station batch record exactly, with a proof read from the stored tree that verifies', async () => {
    const { store } = await open();
    const ward = makeWard(3);
    const readings = Array.from({ length: 40 }, (_, i) => ({ patient: ward.patients[i % 3]!, at: T0 + i * 20_000, i }));
    const { records } = await ingest(store, ward, readings);
    for (const r of records) {
      const e = (await store.entry(r.id))!;
      expect(e.record).toEqual(r);
      expect(e.anchor).toBeUndefined(); // not anchored yet
      expect(verifyInclusion(r.batchSignature!.root, leafOf(e.record), e.record.batchSignature!.proof)).toBe(true);
    }
    const one = (await store.entry(records[7]!.id))!.record;
    expect(one.batchSignature!.count).toBe(40);
    expect(verifyBatchSignature(batchFieldsOf(one)!, one.batchSignature!.signature, ward.station.address)).toBe(true);
    expect(checkHashCommitment(one.contentHash, one.salt, one.commitment)).toBe(true);
    expect(store.seenDevice('0x' + (40).toString(16).padStart(64, '0'))).toBe(true);
    expect(store.seenDevice('0x' + (41).toString(16).padStart(64, '0'))).toBe(false);
  });

  it('anchors a signature tree whole without per-record entries, and a nurse record through its own batch tree', async () => {
    const { store } = await open();
    const ward = makeWard(2);
    const made = await ingest(store, ward, Array.from({ length: 10 }, (_, i) => ({ patient: ward.patients[i % 2]!, at: T0 + i * 1000, i })));
    const nurse = nurseRecord(ward, ward.patients[0]!, nurseVitals(1), { createdAt: T0 + 50_000 });
    await store.write((w) => {
      w.scope(ward.patients[0]!.address, scopeOf(ward, ward.patients[0]!).scope);
      w.record(nurse, { vitals: 'complete' });
    });
    expect((await store.unbatched()).map((r) => r.id).sort()).toEqual([...made.records.map((r) => r.id), nurse.id].sort());

    // The station batch is anchored as its own tree; the nurse record in a tree of its own.
    await store.write((w) => w.anchorBatch(made.treeNo, made.members));
    const { buildBatch } = await import('../../../electron/core/crypto/merkle');
    const nurseTree = buildBatch([leafOf(nurse)]);
    let nurseTreeNo = 0;
    await store.write(async (w) => {
      nurseTreeNo = w.tree({ root: nurseTree.root, nodes: nurseTree.toStandardTreeData().tree });
      await w.anchorBatch(nurseTreeNo, [{ record: nurse, leafIndex: 0 }]);
    });
    expect(await store.unbatched()).toEqual([]);
    expect((await store.awaitingAnchor()).map((b) => [b.treeNo, b.records.length])).toEqual([
      [made.treeNo, 10],
      [nurseTreeNo, 1],
    ]);

    await store.write(async (w) => {
      await w.anchored(made.treeNo, { batchId: 3, block: 17, tx: '0x' + 'ab'.repeat(32) });
      await w.anchored(nurseTreeNo, { batchId: 4, block: 18, tx: '0x' + 'cd'.repeat(32) });
    });
    expect((await store.counts()).awaitingAnchor).toBe(0);
    await expect(store.write(async (w) => {
      const t = w.tree({ root: nurseTree.root, nodes: nurseTree.toStandardTreeData().tree });
      await w.anchorBatch(t, [{ record: nurse, leafIndex: 0 }]);
      await w.anchored(t, { batchId: 5, block: 19, tx: '0x' });
    })).rejects.toThrow('later write');
    expect(await store.awaitingAnchor()).toEqual([]);
    // Each batch keeps its member list once anchored (checked against the chain's leaf count: records/chainCheck.ts).
    expect((await store.batchMembers(made.treeNo)).map((m) => [m.present, m.locator.at])).toEqual(made.records.map((r) => [true, r.createdAt]));
    expect((await store.batchMembers(nurseTreeNo)).map((m) => [m.present, m.locator.patientHex])).toEqual([[true, ward.patients[0]!.address.toLowerCase()]]);
    // One patient's members of the station batch (a first open checks only theirs), asked by a checksummed address.
    const second = ward.patients[1]!.address;
    expect((await store.batchMembers(made.treeNo, second)).map((m) => [m.present, m.locator.patientHex, m.locator.at])).toEqual(
      made.records.filter((r) => r.patient === second).map((r) => [true, second.toLowerCase(), r.createdAt]),
    );
    expect((await store.batchMembers(made.treeNo, second)).length).toBe(5);
    expect(await store.batchMembers(nurseTreeNo, second)).toEqual([]);
    const station = (await store.entry(made.records[3]!.id))!;
    expect(station.anchor).toMatchObject({ root: made.batch.root, batchId: 3, block: 17 });
    expect(verifyInclusion(station.anchor!.root, leafOf(station.record), station.anchor!.proof)).toBe(true);
    const n = (await store.entry(nurse.id))!;
    expect(n.anchor).toMatchObject({ root: nurseTree.root, batchId: 4, block: 18, proof: [] });
    expect(verifyRecordSignature(fieldsOf(n.record), n.record.signature, ward.nurse.address)).toBe(true);
    // Read without proofs (no tree nodes), then fill them for the records that need checking.
    const light = (await store.window(ward.patients[0]!.address, { proofs: false, limit: 100 })).items;
    expect(light.every((e) => (e.record.batchSignature?.proof.length ?? 0) === 0 && (e.anchor?.proof.length ?? 0) === 0)).toBe(true);
    await store.fillProofs(light);
    for (const e of light) {
      if (e.record.batchSignature) expect(verifyInclusion(e.record.batchSignature.root, leafOf(e.record), e.record.batchSignature.proof)).toBe(true);
      expect(verifyInclusion(e.anchor!.root, leafOf(e.record), e.anchor!.proof)).toBe(true);
    }
    expect(light.map((e) => e.record)).toEqual((await store.window(ward.patients[0]!.address, { limit: 100 })).items.map((e) => e.record));
    expect(store.rootOnChainTag(made.batch.root)).toBeUndefined();
    const tag = '0x' + 'ab'.repeat(32);
    await store.write((w) => w.rootOnChain(made.batch.root, tag));
    expect(store.rootOnChainTag(made.batch.root)).toBe(tag);
    expect(store.rootOnChainTag(nurseTree.root)).toBeUndefined();
  });

  it("counts a patient's records missing from their anchor batches by the member index, and from the member lists in a store written before it", async () => {
    const ward = makeWard(3);
    const write = async (store: WardStore) => {
      const made = await ingest(store, ward, Array.from({ length: 30 }, (_, i) => ({ patient: ward.patients[i % 3]!, at: T0 + i * 1000, i })));
      await store.write((w) => w.anchorBatch(made.treeNo, made.members));
      return made;
    };
    const patient = ward.patients[1]!.address;
    // Delete two of the patient's records and one of another patient's, as an edit of the stopped ward would.
    const cut = async (dir: string, made: Awaited<ReturnType<typeof write>>) => {
      const { deleteRecords } = await import('../../support/storeTampering');
      const theirs = made.records.filter((r) => r.patient === patient);
      const other = made.records.find((r) => r.patient !== patient)!;
      await deleteRecords(join(dir, '..', '..'), [theirs[2]!.id, theirs[7]!.id, other.id]);
      return theirs;
    };
    const missingAfterReopen = async (dir: string, treeNo: number, theirs: StoredRecord[]) => {
      const s = await WardStore.open(dir);
      stores.push(s);
      // The records the caller read already (here: the first three of the patient's) are not looked up again.
      const read = (await s.window(patient, { order: 'asc', limit: 3, proofs: false })).items.map((e) => locatorKey(e.locator!.bytes));
      expect(read).toHaveLength(3);
      return { missing: (await s.patientMissingInTrees(patient, [treeNo], new Set(read))).get(treeNo), theirs: theirs.length };
    };

    // A store created with the index.
    const dirA = join(tempDir('wardledger-store-'), 'records', 'store');
    dirs.push(join(dirA, '..', '..'));
    const a = await WardStore.open(dirA);
    const madeA = await write(a);
    await a.close();
    const theirsA = await cut(dirA, madeA);
    expect(await missingAfterReopen(dirA, madeA.treeNo, theirsA)).toEqual({ missing: 2, theirs: 10 });

    // A store written before the index: no index entries and no marker. Opened now, its existing
    // trees are read from their member lists, and the next tree is indexed.
    const dirB = join(tempDir('wardledger-store-'), 'records', 'store');
    dirs.push(join(dirB, '..', '..'));
    const b = await WardStore.open(dirB);
    const madeB = await write(b);
    await b.close();
    const { withKv } = await import('../../support/storeTampering');
    const marker = key(T.meta, Buffer.from('patientMembersFrom'));
    await withKv(join(dirB, '..', '..'), async (kv) => {
      const index = await kv.keys({ gte: key(T.patientMembers), lt: key(T.patientMembers + 1) });
      expect(index).toHaveLength(30);
      await kv.commit([...index.map((k) => ({ type: 'del' as const, key: k })), { type: 'del', key: marker }]);
    });
    const theirsB = await cut(dirB, madeB);
    expect(await missingAfterReopen(dirB, madeB.treeNo, theirsB)).toEqual({ missing: 2, theirs: 10 });
    const reopened = stores.at(-1)!;
    // A backup of it as the version before the index made it (no marker), restored into a new
    // store: the loaded trees are still read from their member lists.
    async function* withoutMarker() {
      for await (const chunk of reopened.snapshot()) yield chunk.filter(([k]) => Buffer.compare(k, marker) !== 0);
    }
    const { store: restored } = await open();
    await restored.load(withoutMarker());
    expect((await restored.patientMissingInTrees(patient, [madeB.treeNo], new Set())).get(madeB.treeNo)).toBe(2);
    const later = await write(reopened);
    expect(later.treeNo).toBeGreaterThan(madeB.treeNo);
    const laterIndex = await reopened.patientMissingInTrees(patient, [later.treeNo, madeB.treeNo], new Set());
    expect([...laterIndex]).toEqual([
      [later.treeNo, 0],
      [madeB.treeNo, 2],
    ]);
  });

  it('indexes the members of trees anchored before the index, newest trees first, a step at a time, whole trees only', async () => {
    const ward = makeWard(3);
    const dir = join(tempDir('wardledger-store-'), 'records', 'store');
    dirs.push(join(dir, '..', '..'));
    const first = await WardStore.open(dir);
    const trees: number[] = [];
    // Three batches of 4, 12 and 9 members.
    for (const [b, n] of [4, 12, 9].entries()) {
      const made = await ingest(first, ward, Array.from({ length: n }, (_, i) => ({ patient: ward.patients[i % 3]!, at: T0 + b * HOUR + i * 1000, i })));
      await first.write((w) => w.anchorBatch(made.treeNo, made.members));
      trees.push(made.treeNo);
    }
    await first.close();
    const { withKv } = await import('../../support/storeTampering');
    const marker = key(T.meta, Buffer.from('patientMembersFrom'));
    const indexOf = (kv: Parameters<Parameters<typeof withKv>[1]>[0]) => kv.keys({ gte: key(T.patientMembers), lt: key(T.patientMembers + 1) });
    const written = await withKv(join(dir, '..', '..'), async (kv) => {
      const index = await indexOf(kv);
      await kv.commit([...index.map((k) => ({ type: 'del' as const, key: k })), { type: 'del', key: marker }]);
      return index.map((k) => Buffer.from(k).toString('hex')).sort();
    });
    expect(written).toHaveLength(25);

    const store = await WardStore.open(dir);
    stores.push(store);
    const patient = ward.patients[0]!.address;
    // Steps of 10: the newest tree (9) and part of the middle one (12) are read, the middle one waits;
    // then the middle one alone (larger than a step: read whole); then the oldest.
    expect(store.membersIndexedFrom).toBe(trees[2]! + 1);
    const markers: number[] = [];
    while (await store.indexOlderMembers(10)) markers.push(store.membersIndexedFrom);
    expect(markers).toEqual([trees[2], trees[1]]);
    expect(store.membersIndexedFrom).toBe(0);
    // Every tree now read from the index: the patient has members in each, none missing.
    expect([...(await store.patientMissingInTrees(patient, trees, new Set()))]).toEqual(trees.map((t) => [t, 0]));
    stores.pop();
    const indexed = async () => withKv(join(dir, '..', '..'), async (kv) => ({ index: (await indexOf(kv)).map((k) => Buffer.from(k).toString('hex')).sort(), marker: await kv.get(marker) }));
    const after = await store.close().then(indexed);
    expect(after.index).toEqual(written);
    expect(Buffer.from(after.marker!).readBigUInt64BE(0)).toBe(0n);

    // The same by the background pass a start runs, from the index removed again.
    await withKv(join(dir, '..', '..'), async (kv) => kv.commit([...(await indexOf(kv)).map((k) => ({ type: 'del' as const, key: k })), { type: 'del', key: marker }]));
    const again = await WardStore.open(dir);
    await new MemberIndexBackfill(() => again).start();
    expect(again.membersIndexedFrom).toBe(0);
    await again.close();
    expect((await indexed()).index).toEqual(written);
  });

  it('reads one patient by measured time in pages, newest first or oldest first, and finds the latest of each kind', async () => {
    const { store } = await open();
    const ward = makeWard(2);
    const [a, b] = ward.patients as [NonNullable<(typeof ward.patients)[0]>, NonNullable<(typeof ward.patients)[0]>];
    // 100 hours of readings for A and B, plus nurse sets for A every 10 hours, written out of time order.
    const readings = Array.from({ length: 200 }, (_, i) => ({ patient: i % 2 ? b : a, at: T0 + Math.floor(i / 2) * HOUR, i }));
    await ingest(store, ward, readings.slice(100));
    await ingest(store, ward, readings.slice(0, 100));
    const sets: StoredRecord[] = [];
    await store.write((w) => {
      for (let h = 5; h < 100; h += 10) {
        const r = nurseRecord(ward, a, nurseVitals(h), { createdAt: T0 + h * HOUR + 1 });
        sets.push(r);
        w.record(r, { vitals: 'complete' });
      }
    });
    const all: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.window(a.address, { limit: 7, cursor, proofs: false });
      all.push(...page.items.map((e) => e.at));
      cursor = page.next;
    } while (cursor);
    expect(all).toHaveLength(110);
    expect(all).toEqual([...all].sort((x, y) => y - x));

    const last72 = await store.window(a.address, { from: T0 + 99 * HOUR - 72 * HOUR, to: T0 + 99 * HOUR + 1, limit: 1000 });
    expect(last72.items).toHaveLength(73 + 7);
    expect(last72.next).toBeNull();
    const asc = await store.window(a.address, { order: 'asc', limit: 3 });
    expect(asc.items.map((e) => e.at)).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR]);

    expect((await store.latest(a.address))!.at).toBe(T0 + 99 * HOUR);
    expect((await store.latest(a.address, 'complete'))!.record.id).toBe(sets[sets.length - 1]!.id);
    expect((await store.latest(b.address, 'complete'))).toBeUndefined();
    expect((await store.latest(b.address, 'vitals'))!.at).toBe(T0 + 99 * HOUR);
    const complete = await store.vitalsWindow(a.address, { complete: true, limit: 4 });
    expect(complete.items.map((e) => e.record.id)).toEqual(sets.slice(-4).reverse().map((r) => r.id));
    expect(await store.countOf(a.address)).toBe(110);
    // A record filed later as a complete set (e.g. a migrated one, once a reader has decrypted it).
    const reading = (await store.window(b.address, { limit: 1 })).items[0]!.record;
    await store.write((w) => w.indexVitals(reading, 'complete'));
    expect((await store.latest(b.address, 'complete'))!.record.id).toBe(reading.id);
    expect(await store.countOf(b.address, { from: T0 + 90 * HOUR })).toBe(10);
  });

  it('indexes amendments, key scopes, consents, the access log, memos, bindings and the outbox', async () => {
    const { store, dir } = await open();
    const ward = makeWard(1);
    const p = ward.patients[0]!;
    const first = nurseRecord(ward, p, nurseVitals(1), { createdAt: T0 });
    const fix = nurseRecord(ward, p, { ...nurseVitals(2), reason: 'typo' }, { createdAt: T0 + 60_000, kind: 'amendment', amends: first.id });
    const { scope } = scopeOf(ward, p);
    const grantee = ward.nurse.address;
    await store.write(async (w) => {
      w.scope(p.address, scope);
      w.record(first, { vitals: 'complete' });
      w.record(fix, { vitals: 'complete' });
      w.consent({ t: 'consent', patient: p.address, grantee, action: 'grant', at: T0 + 1, tx: '0x01' });
      for (let i = 0; i < 25; i++) w.audit({ t: 'audit', actor: grantee, patient: i % 5 ? p.address : null, action: 0, breakGlass: false, reason: null, at: T0 + 100 + i, block: i, tx: `0x${i}` });
      await w.memos([[first, '0x' + '77'.repeat(32)]]);
      w.binding('contec-cms50e\0CMS50E-0001', { driver: 'contec-cms50e', serial: 'CMS50E-0001', model: 'Contec CMS50E', patient: p.address, intervalSeconds: 60, boundBy: 'Florence Nurse', since: T0 });
    });
    expect(await store.amendmentsOf(first.id)).toEqual([fix.id]);
    expect(await store.amendmentsOf(fix.id)).toEqual([]);
    expect(await store.amendmentsOfPatient(p.address)).toEqual(new Map([[first.id, [fix.id]]]));
    expect(await store.amendmentsOfPatient(ward.nurse.address)).toEqual(new Map());
    expect(await store.scopesOf(p.address)).toEqual([scope.scopeId]);
    expect(store.currentScope(p.address)).toBe(scope.scopeId);
    expect(await store.scope(scope.scopeId)).toEqual(scope);
    expect([...(await store.grants(p.address)).keys()]).toEqual([grantee]);
    expect(store.hasGrant(p.address, grantee)).toBe(true);
    expect(await store.grantors(grantee)).toEqual([p.address]);
    expect(store.memo(first.id)).toBe('0x' + '77'.repeat(32));
    expect(store.memo(fix.id)).toBeUndefined();
    expect((await store.bindings()).get('contec-cms50e\0CMS50E-0001')).toMatchObject({ patient: p.address, intervalSeconds: 60 });

    // The access log, newest first, paged: the whole ward, and one patient (audits and the consent change).
    const ward10 = await store.activity({ limit: 10 });
    expect(ward10.items.map((e) => e.at)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + 124 - i));
    const rest = await store.activity({ limit: 100, cursor: ward10.next });
    expect(rest.items).toHaveLength(16);
    expect(rest.next).toBeNull();
    const mine = await store.activity({ patient: p.address, limit: 100 });
    expect(mine.items).toHaveLength(21);
    expect(mine.items[mine.items.length - 1]).toMatchObject({ t: 'consent', action: 'grant' });

    await store.write((w) => {
      w.consent({ t: 'consent', patient: p.address, grantee, action: 'revoke', at: T0 + 2, tx: '0x02' });
      w.scopeEnd(p.address, scope.scopeId);
      w.binding('contec-cms50e\0CMS50E-0001', null);
    });
    expect(store.hasGrant(p.address, grantee)).toBe(false);
    expect(await store.grantors(grantee)).toEqual([]);
    expect((await store.consentHistory(p.address)).map((c) => c.action)).toEqual(['grant', 'revoke']);
    expect(store.currentScope(p.address)).toBeUndefined();
    expect((await store.consentHistory(p.address)).map((c) => c.action)).toEqual(['grant', 'revoke']);
    expect((await store.bindings()).size).toBe(0);

    // No consortium yet: nothing is enqueued until the outbox opens, then the backlog is, in write order.
    expect([store.outboxStatus(), await store.outboxCount()]).toEqual(['closed', 0]);
    await store.openOutbox();
    expect(store.outboxStatus()).toBe('open');
    // The outbox in write order; publishing takes records out.
    const out = await store.outbox();
    expect(out.map((o) => o.record.id)).toEqual([first.id, fix.id]);
    const place = { ward: '0x' + '11'.repeat(20), batchId: '0x' + '22'.repeat(32), root: '0x' + '33'.repeat(32), block: 7, tx: null, shareIndex: 0, index: 0, recordProof: [], shareProof: [], at: T0 };
    await store.write((w) => w.consortiumPlaces([{ record: first, place }]));
    expect((await store.outbox()).map((o) => o.record.id)).toEqual([fix.id]);

    // Everything is still there after a restart, and new numbers continue after the old ones.
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const { store: again } = await open(dir);
    expect((await again.entry(fix.id))!.record).toEqual(fix);
    expect((await again.counts())).toMatchObject({ records: 2, scopes: 1, grants: 0, activity: 27, memos: 1, outbox: 1, unbatched: 2 });
    const later = nurseRecord(ward, p, nurseVitals(3), { createdAt: T0 + 120_000 });
    await again.write((w) => void w.record(later));
    expect((await again.window(p.address, { limit: 1 })).items[0]!.record.id).toBe(later.id);
    expect((await again.outbox()).map((o) => o.record.id)).toEqual([fix.id, later.id]);
  });

  it('shares one commit among concurrent writes, and a failed write changes nothing', async () => {
    const { store } = await open();
    const ward = makeWard(1);
    const p = ward.patients[0]!;
    const records = Array.from({ length: 50 }, (_, i) => nurseRecord(ward, p, nurseVitals(i), { createdAt: T0 + i }));
    await Promise.all(records.map((r) => store.write((w) => void w.record(r))));
    expect(await store.countOf(p.address)).toBe(50);
    await expect(
      store.write((w) => {
        w.record(nurseRecord(ward, p, nurseVitals(99), { createdAt: T0 + 99 }));
        throw new Error('the caller gave up half way');
      }),
    ).rejects.toThrow('half way');
    expect(await store.countOf(p.address)).toBe(50);
  });

  it('refuses a second opener of the same store with a clear error', async () => {
    const { dir } = await open();
    await expect(WardStore.open(dir)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
  });
});
