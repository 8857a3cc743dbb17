/**
 * kill -9 while a store written before the member index by patient is being indexed in the
 * background (WardStore.indexOlderMembers, run by storage/memberIndexBackfill.ts after a start):
 * after each crash the reopened store's marker says exactly which trees are indexed — every member
 * of every tree from the marker up, none below it — progress made before the crash is kept, and
 * the next run finishes the same index the writers make at anchor time.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { getUint } from '../../../electron/core/storage/bytes';
import { key, T, WIDTH } from '../../../electron/core/storage/keys';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, putStationBatch, scopeOf, stationBatch } from '../../support/realRecords';
import { withKv } from '../../support/storeTampering';
import { removeDir, tempDir } from '../../support/tempCore';

const TREES = 60;
const MEMBERS = 20;
const T0 = Date.UTC(2026, 10, 1);
const MARKER = key(T.meta, Buffer.from('patientMembersFrom'));
/** The tree of a patientMembers key: table byte, patient address, tree number, rest of the locator. */
const treeOfIndexKey = (k: Uint8Array) => getUint(k, 1 + WIDTH.address, WIDTH.tree);
const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');

/** Run the indexer until `steps` steps are durable, then kill it with SIGKILL after `afterMs`; what it printed. */
function indexThenKill(dataDir: string, steps: number, afterMs: number): Promise<{ lastStep: number | null; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'backfillCrasher.ts'), join(dataDir, 'records', 'store')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const n = [...out.matchAll(/step (\d+)\n/g)].length;
      if (!armed && (n >= steps || out.includes('done\n'))) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), afterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the indexer ended by itself (${signal})`));
      const all = [...out.matchAll(/step (\d+)\n/g)];
      resolve({ lastStep: all.length ? Number(all[all.length - 1]![1]) : null, done: out.includes('done\n') });
    });
  });
}

describe('the member index backfill survives kill -9', () => {
  let dataDir: string;
  /** The index as the writers made it at anchor time (hex keys), by tree. */
  const written = new Map<number, string[]>();
  const allTrees: number[] = [];

  beforeAll(async () => {
    await useFastKeccak();
    dataDir = tempDir('wardledger-backfill-crash-');
    const store = await WardStore.open(join(dataDir, 'records', 'store'));
    const ward = makeWard(3);
    for (let b = 0; b < TREES; b++) {
      const made = stationBatch(ward, Array.from({ length: MEMBERS }, (_, i) => ({ patient: ward.patients[i % 3]!, at: T0 + b * 60_000 + i * 1000, i })));
      let put!: ReturnType<typeof putStationBatch>;
      await store.write((w) => {
        for (const p of ward.patients) {
          const s = scopeOf(ward, p);
          if (s.created) w.scope(p.address, s.scope);
        }
        put = putStationBatch(w, made);
      });
      await store.write((w) => w.anchorBatch(put.treeNo, put.members));
      allTrees.push(put.treeNo);
    }
    await store.close();
    // As a version before the index left it: no index entries, no marker.
    await withKv(dataDir, async (kv) => {
      const index = await kv.keys({ gte: key(T.patientMembers), lt: key(T.patientMembers + 1) });
      for (const k of index) written.set(treeOfIndexKey(k), [...(written.get(treeOfIndexKey(k)) ?? []), hex(k)]);
      await kv.commit([...index.map((k) => ({ type: 'del' as const, key: k })), { type: 'del', key: MARKER }]);
    });
  });
  afterAll(() => removeDir(dataDir));

  /** The marker and the index entries as stored now, checked against each other. */
  const storedState = async () => {
    const store = await WardStore.open(join(dataDir, 'records', 'store'));
    const marker = store.membersIndexedFrom;
    await store.close();
    const index = await withKv(dataDir, async (kv) => (await kv.keys({ gte: key(T.patientMembers), lt: key(T.patientMembers + 1) })).map(hex).sort());
    // Exactly the members of the trees from the marker up: a tree is indexed whole or not at all, and its marker with it.
    const expected = allTrees.filter((t) => t >= marker).flatMap((t) => written.get(t) ?? []).sort();
    return { marker, index, expected };
  };

  it('keeps a marker that names exactly the trees indexed, over three crashes, and the next run finishes the same index', async () => {
    expect(written.size).toBe(TREES);
    expect([...written.values()].every((keys) => keys.length === MEMBERS)).toBe(true);
    const markers: number[] = [];
    for (const [steps, afterMs] of [
      [3, 0],
      [5, 2],
      [4, 1],
    ] as const) {
      const killed = await indexThenKill(dataDir, steps, afterMs);
      expect(killed.done).toBe(false); // killed while indexing, not after it
      const { marker, index, expected } = await storedState();
      expect(index).toEqual(expected);
      // Every step it reported durable is kept (its marker or lower).
      expect(marker).toBeLessThanOrEqual(killed.lastStep!);
      if (markers.length) expect(marker).toBeLessThan(markers[markers.length - 1]!);
      markers.push(marker);
    }
    expect(markers[markers.length - 1]).toBeGreaterThan(allTrees[0]!); // older trees are left for the next run

    const store = await WardStore.open(join(dataDir, 'records', 'store'));
    while (await store.indexOlderMembers()) {
      // until every tree is indexed
    }
    expect(store.membersIndexedFrom).toBe(0);
    await store.close();
    const { index } = await storedState();
    expect(index).toEqual([...written.values()].flat().sort());
  });
});
