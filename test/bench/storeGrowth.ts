/**
 * Benchmark "store" — the ward store (electron/core/storage) as the records on file grow:
 * 100,000, 300,000 and 1,000,000 records (BENCH_STORE_SIZES to change), 30 patients, 98 % station
 * oximeter readings in signed batches of 1,000, the rest nurse vitals sets (1 in 50) and notes.
 *
 * Records: each patient's kinds of record are encoded once by the real write path (canonical
 * plaintext, content hash, salted commitment, AES-GCM under the patient's key scope, signatures),
 * and written as those templates with fresh random ids, hashes, salts, nonces and ciphertexts of
 * the same lengths under real Merkle trees and batch signatures (RecordFactory) — the pipeline's
 * sizes and byte patterns at seeding speed. They go straight
 * into the store (no chain): per station batch one durable commit of its records, then its anchor
 * batch and its anchor as the station writes them (nurse records in anchor trees of their own). The store is not wired into the
 * core yet (issue 12 phase A), so these rows are the store's share of the product targets: a
 * history open adds decryption and verification.
 *
 * After each size the store is compacted (as a running ward's background compaction would have
 * done), then a fresh process (storeProbe.ts) opens the store and reports: open to ready,
 * resident memory idle, a patient's last 72 hours and a 10,000-record range (proofs included),
 * first with the store's files evicted from the page cache (as after a reboot; python3's
 * posix_fadvise) and again warm. Bytes on disk per record and durable commit rate are measured here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Wallet } from 'ethers';
import { useFastKeccak } from '../../electron/core/crypto/keccak';
import { commitToHash } from '../../electron/core/crypto/commitment';
import { buildBatch } from '../../electron/core/crypto/merkle';
import { signBatchRoot } from '../../electron/core/crypto/recordSignature';
import { leafOf } from '../../electron/core/storage/storedRecord';
import type { StoredRecord } from '../../electron/core/storage/storedRecord';
import { leafIndexes } from '../../electron/core/storage/merkleTrees';
import { T } from '../../electron/core/storage/keys';
import { storePath, WardStore } from '../../electron/core/storage/wardStore';
import { makeWard, nurseRecord, nurseVitals, putStationBatch, scopeOf, stationBatch, type Ward } from '../support/realRecords';
import { removeDir, tempDir } from '../support/tempCore';
import { STEP_MS, STORE_PATIENTS, T0 } from './storeTimeline';
import { makeRow, type BenchRow } from './table';

const BATCH = 1000;

interface ReadResult {
  records: number;
  coldMs: number;
  warmMs: number;
  /** CPU time of the reading process (does not grow with other processes' load). */
  coldCpuMs: number;
  warmCpuMs: number;
}

export interface ProbeResult {
  openMs: number;
  openCpuMs: number;
  rssIdleMb: number;
  window72h: ReadResult;
  window72hWithoutProofs: { ms: number; cpuMs: number };
  range10k: ReadResult;
}

/**
 * Records at full seeding speed: each patient's station reading, nurse vitals set and note is
 * encoded once by the real write path (templates); every record written is a template with fresh
 * random id, content hash, salt, nonce and ciphertext of the template's length, its commitment
 * recomputed, and station readings under a real Merkle tree and batch signature. Byte for byte the
 * store holds what the pipeline would write (the store does not decrypt or verify).
 */
class RecordFactory {
  private readonly templates = new Map<string, { station: StoredRecord; vitals: StoredRecord; note: StoredRecord }>();

  constructor(private readonly ward: Ward) {
    for (const [i, p] of ward.patients.entries()) {
      this.templates.set(p.address, {
        station: stationBatch(ward, [{ patient: p, at: T0, i }]).records[0]!,
        vitals: nurseRecord(ward, p, nurseVitals(i), { createdAt: T0 }),
        note: nurseRecord(ward, p, { note: 'Reviewed on the round; comfortable, observations stable.' }, { createdAt: T0, kind: 'note' }),
      });
    }
  }

  private fresh(t: StoredRecord, at: number, random: Buffer): StoredRecord {
    const hex = (from: number, n: number) => '0x' + random.toString('hex', from, from + n);
    const ctBytes = (t.cipher.ct.length - 2) / 2;
    const contentHash = hex(32, 32);
    const salt = hex(64, 32);
    return {
      ...t,
      id: hex(0, 32),
      createdAt: at,
      contentHash,
      salt,
      commitment: commitToHash(contentHash, salt).commitment,
      signature: t.signature ? hex(96, 64) + '1b' : '',
      cipher: { ...t.cipher, iv: hex(160, 12), ct: hex(172, ctBytes) },
    };
  }

  nurse(patient: Wallet, at: number, kind: 'vitals' | 'note'): StoredRecord {
    return this.fresh(this.templates.get(patient.address)![kind], at, randomBytes(172 + 2048));
  }

  stationBatch(readings: Array<{ patient: Wallet; at: number }>): ReturnType<typeof stationBatch> {
    const random = randomBytes(readings.length * (172 + 1024));
    const plain = readings.map(({ patient, at }, i) => {
      const { batchSignature: _unused, ...t } = this.templates.get(patient.address)!.station;
      return this.fresh(t as StoredRecord, at, random.subarray(i * (172 + 1024)));
    });
    const batch = buildBatch(plain.map(leafOf));
    const signedAt = readings[readings.length - 1]!.at + 1;
    const { signature } = signBatchRoot(this.ward.station, batch.root, plain.length, signedAt, 'station');
    const records = plain.map((r) => ({ ...r, batchSignature: { root: batch.root, count: plain.length, createdAt: signedAt, signature, proof: batch.proofs.get(r.id)! } }));
    return { records, batch, signedAt, signature };
  }
}

/** Write records [from, to) of the synthetic ward's timeline: station batches, nurse sets and notes. */
async function seed(store: WardStore, ward: Ward, factory: RecordFactory, from: number, to: number): Promise<{ ms: number; records: number }> {
  const t0 = performance.now();
  for (let start = from; start < to; start += BATCH) {
    const end = Math.min(to, start + BATCH);
    const readings: Array<{ patient: Wallet; at: number }> = [];
    const nurse: Array<{ r: StoredRecord; complete: boolean }> = [];
    for (let i = start; i < end; i++) {
      const patient = ward.patients[i % STORE_PATIENTS]!;
      const at = T0 + i * STEP_MS;
      if (i % 500 === 0) nurse.push({ r: factory.nurse(patient, at, 'note'), complete: false });
      else if (i % 50 === 0) nurse.push({ r: factory.nurse(patient, at, 'vitals'), complete: true });
      else readings.push({ patient, at });
    }
    const made = factory.stationBatch(readings);
    let station = { treeNo: 0, members: [] as Array<{ record: StoredRecord; leafIndex: number }> };
    await store.write((w) => {
      for (const p of ward.patients) {
        const s = scopeOf(ward, p);
        if (s.created) w.scope(p.address, s.scope);
      }
      station = putStationBatch(w, made);
      for (const { r, complete } of nurse) w.record(r, complete ? { vitals: 'complete' } : {});
      // Every streamed reading carries a device dedupe key (a SHA-256, as DeviceService makes them).
      w.deviceKeys(made.records.map((r) => r.contentHash));
    });
    // Anchored as the station does it: the batch's own tree, then its transaction (two more
    // commits); the nurse records of the stretch in an anchor tree of their own.
    const nurseTree = nurse.length ? buildBatch(nurse.map(({ r }) => leafOf(r))) : null;
    let nurseTreeNo = 0;
    await store.write(async (w) => {
      await w.anchorBatch(station.treeNo, station.members);
      if (nurseTree) {
        nurseTreeNo = w.tree({ root: nurseTree.root, nodes: nurseTree.toStandardTreeData().tree });
        const places = leafIndexes(nurseTree.toStandardTreeData());
        await w.anchorBatch(nurseTreeNo, nurse.map(({ r }) => ({ record: r, leafIndex: places.get(r.id)! })));
      }
    });
    await store.write(async (w) => {
      for (const t of nurseTree ? [station.treeNo, nurseTreeNo] : [station.treeNo]) await w.anchored(t, { batchId: t, block: t, tx: '0x' + t.toString(16).padStart(64, '0') });
    });
  }
  return { ms: performance.now() - t0, records: to - from };
}

export interface TableBytes {
  table: string;
  entries: number;
  keyBytes: number;
  valueBytes: number;
}

/**
 * Every entry of a ward's store counted per table (key and value bytes), largest first: an open
 * store, or the store of a stopped ward's data directory.
 */
export async function tableBytes(of: string | WardStore): Promise<TableBytes[]> {
  const names = new Map(Object.entries(T).map(([name, prefix]) => [prefix as number, name]));
  const tables = new Map<string, TableBytes>();
  const store = typeof of === 'string' ? await WardStore.open(storePath(of)) : of;
  try {
    for await (const chunk of store.snapshot()) {
      for (const [k, v] of chunk) {
        const table = names.get(k[0]!) ?? `0x${k[0]!.toString(16)}`;
        const t = tables.get(table) ?? { table, entries: 0, keyBytes: 0, valueBytes: 0 };
        t.entries++;
        t.keyBytes += k.length;
        t.valueBytes += v.length;
        tables.set(table, t);
      }
    }
  } finally {
    if (typeof of === 'string') await store.close();
  }
  return [...tables.values()].sort((a, b) => b.keyBytes + b.valueBytes - (a.keyBytes + a.valueBytes));
}

/** Bytes of every file below a directory (the growth benchmark measures the data directory's parts with it too). */
export function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    // A running store's compaction deletes tables while the walk goes on: a file gone is not counted.
    const s = statSync(join(dir, f), { throwIfNoEntry: false });
    if (s?.isFile()) n += s.size;
  }
  return n;
}

/** A fresh process opens the store and reads (storeProbe.ts). */
function probe(dir: string, total: number, patient: string, other: string): ProbeResult {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'storeProbe.ts'), storePath(dir), String(total), patient, other], { encoding: 'utf8', maxBuffer: 2 ** 24 });
  if (r.status !== 0) throw new Error(`store probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ProbeResult;
}

export async function benchStoreGrowth(sizes = (process.env.BENCH_STORE_SIZES ?? '100000,300000,1000000').split(',').map(Number)): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  await useFastKeccak();
  const dir = tempDir('wardledger-bench-store-');
  const ward = makeWard(STORE_PATIENTS);
  const factory = new RecordFactory(ward);
  const rows: BenchRow[] = [];
  const growth: Array<Record<string, unknown>> = [];
  try {
    let onFile = 0;
    for (const size of sizes) {
      const store = await WardStore.open(storePath(dir));
      const seeded = await seed(store, ward, factory, onFile, size - 20 * BATCH);
      // The durable commit rate with this many on file: 20 more station batches, timed alone.
      const timedSeed = await seed(store, ward, factory, size - 20 * BATCH, size);
      // A ward that has been running has compacted in the background; seeding at full speed has
      // not caught up, and the probe's CPU figures would include that catching up.
      const c0 = performance.now();
      await store.compact();
      const compactSeconds = (performance.now() - c0) / 1000;
      await store.close();
      onFile = size;
      const bytes = dirBytes(storePath(dir));
      const p = probe(dir, size, ward.patients[7]!.address, ward.patients[11]!.address);
      const label = size.toLocaleString('en-GB');
      const note = 'store only (no decryption or verification); fresh process';
      rows.push(
        makeRow({ name: `Store with ${label} records — open to ready`, figure: p.openMs, unit: 'ms', target: { cmp: '<=', value: 2000 }, baseline: null, note }),
        makeRow({ name: `Store with ${label} records — resident memory idle`, figure: p.rssIdleMb, unit: 'MB', target: { cmp: '<=', value: 300 }, baseline: null, note: 'whole Node process after open and a GC' }),
        makeRow({ name: `Store with ${label} records — one patient's last 72 h, first read`, figure: p.window72h.coldMs, unit: 'ms', target: { cmp: '<=', value: 300 }, baseline: null, note: `${p.window72h.records} records with proofs; page cache evicted; warm ${p.window72h.warmMs.toFixed(1)} ms; CPU ${p.window72h.coldCpuMs.toFixed(0)} / ${p.window72h.warmCpuMs.toFixed(0)} ms; without proofs ${p.window72hWithoutProofs.ms.toFixed(0)} ms (CPU ${p.window72hWithoutProofs.cpuMs.toFixed(0)})` }),
        makeRow({ name: `Store with ${label} records — 10,000-record range, first read`, figure: p.range10k.coldMs, unit: 'ms', target: { cmp: '<=', value: 300 }, baseline: null, note: `${p.range10k.records} records with proofs; page cache evicted; warm ${p.range10k.warmMs.toFixed(1)} ms; CPU ${p.range10k.coldCpuMs.toFixed(0)} / ${p.range10k.warmCpuMs.toFixed(0)} ms` }),
        makeRow({ name: `Store with ${label} records — bytes on disk per record`, figure: bytes / size, unit: 'B', target: { cmp: '<=', value: 1200 }, baseline: 2900, ratio: null, note: 'whole store directory / records (98 % station readings); baseline: records/log.jsonl per station reading' }),
        makeRow({ name: `Store with ${label} records — durable commit rate`, figure: (timedSeed.records / timedSeed.ms) * 1000, unit: 'records/s', target: null, baseline: null, note: '20 stretches of 1,000 records: their writes, trees and anchors (three fsyncs each), record generation included' }),
      );
      growth.push({ records: size, bytes, seedSeconds: seeded.ms / 1000, compactSeconds, ...p });
      const r = (x: ReadResult) => `${x.coldMs.toFixed(0)}/${x.warmMs.toFixed(0)} ms (CPU ${x.coldCpuMs.toFixed(0)}/${x.warmCpuMs.toFixed(0)})`;
      process.stderr.write(`bench: store ${label}: open ${p.openMs.toFixed(0)} ms, RSS ${p.rssIdleMb.toFixed(0)} MB, 72 h ${r(p.window72h)}, 10k ${r(p.range10k)}, ${(bytes / size).toFixed(0)} B/record, ${((timedSeed.records / timedSeed.ms) * 1000).toFixed(0)} records/s\n`);
    }
    return { rows, details: { growth, python3: hasPython() } };
  } finally {
    if (process.env.BENCH_STORE_KEEP) process.stderr.write(`bench: store kept in ${dir}\n`);
    else removeDir(dir);
  }
}

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
}
