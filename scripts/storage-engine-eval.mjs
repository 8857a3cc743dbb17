#!/usr/bin/env node
/**
 * How the embedded database for the record store was chosen (issue 12; numbers in docs/storage.md).
 * Not part of the product or of `npm run bench`: it compares candidate engines on this machine with
 * the store's own access pattern and key layout, each step in a fresh process.
 *
 *   mkdir /tmp/dbeval && cd /tmp/dbeval && npm init -y && npm install lmdb@3.5.6 classic-level@3.0.0
 *   cp <repo>/scripts/storage-engine-eval.mjs . && node storage-engine-eval.mjs [records=1000000]
 *   NODE=/path/to/node24 node storage-engine-eval.mjs 100000     # children on another Node
 *
 * Workload (the store's): a record value of ~560 random bytes (ciphertext does not compress) under
 * a key clustered by (patient, time, sequence), so a patient's window is one range scan; an id
 * index (32-byte random key → the record's key). 30 patients, one reading per bed per minute (a record every 2 s overall).
 * Steps: durable batches of 1,000 records (station ingest), durable single-record commits (a nurse
 * saving), seeding to N, then in fresh processes: open time and resident memory, one patient's last
 * 72 h (index range + point reads), a 10,000-record range, bytes on disk per record, and kill -9
 * during durable writes (every acknowledged batch must be there after reopening).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PATIENTS = 30;
const VALUE_BYTES = 560;
const STEP_MS = 2000;
const T0 = Date.UTC(2026, 0, 1);

/** A record's key: clustered by patient and time, then sequence (a stable order). */
function keyRec(patient, time, seq) {
  const k = Buffer.alloc(21);
  k[0] = 0x72;
  k.writeUInt32BE(patient, 1);
  k.writeBigUInt64BE(BigInt(time), 5);
  k.writeBigUInt64BE(BigInt(seq), 13);
  return k;
}
function keyId(id) {
  return Buffer.concat([Buffer.of(0x69), id]);
}
function recordKeyOf(seq) {
  return keyRec(seq % PATIENTS, T0 + seq * STEP_MS, seq);
}
/** Sequential layout: the record under its sequence number (appended), a patient-time index. */
function keySeq(seq) {
  const k = Buffer.alloc(9);
  k[0] = 0x73;
  k.writeBigUInt64BE(BigInt(seq), 1);
  return k;
}
const LAYOUT = process.env.LAYOUT ?? 'clustered';

/** The entries of record `seq` ([key, value, append?]): clustered, or appended by sequence + index. */
function entriesOf(seq) {
  const key = recordKeyOf(seq);
  if (LAYOUT === 'sequential') {
    return [
      [keySeq(seq), randomBytes(VALUE_BYTES), true],
      [keyId(randomBytes(32)), keySeq(seq).subarray(1)],
      [key, Buffer.alloc(0)],
    ];
  }
  return [
    [key, randomBytes(VALUE_BYTES)],
    [keyId(randomBytes(32)), key.subarray(1)],
  ];
}

// ------------------------------------------------------------------------------------ engines

const engines = {
  async lmdb(dir, variant) {
    const { open } = await import('lmdb');
    const overlapping = variant === 'overlap';
    const db = open({ path: join(dir, 'store.mdb'), keyEncoding: 'binary', encoding: 'binary', overlappingSync: overlapping, noSubdir: true, mapSize: 64 * 2 ** 30 });
    const durable = (p) => (overlapping ? p.then(() => db.flushed) : p);
    return {
      writeBatch: (entries) =>
        durable(
          db.transaction(() => {
            for (const [k, v, append] of entries) db.put(k, v, append ? { append: true } : undefined);
          }),
        ),
      get: (k) => db.getBinary(k),
      range: (start, end, reverse, limit) => {
        const out = [];
        for (const { key, value } of db.getRange({ start: reverse ? end : start, end: reverse ? start : end, reverse, limit })) out.push([key, value]);
        return out;
      },
      close: () => db.close(),
    };
  },
  async level(dir) {
    const { ClassicLevel } = await import('classic-level');
    const db = new ClassicLevel(join(dir, 'store.level'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    return {
      writeBatch: (entries) =>
        db.batch(
          entries.map(([key, value]) => ({ type: 'put', key, value })),
          { sync: true },
        ),
      get: (k) => db.get(k),
      range: async (start, end, reverse, limit) => {
        const it = db.iterator({ gte: start, lt: end, reverse, limit });
        const out = [];
        for (;;) {
          const chunk = await it.nextv(1000);
          if (chunk.length === 0) break;
          out.push(...chunk);
        }
        await it.close();
        return out;
      },
      close: () => db.close(),
    };
  },
};

function openEngine(name, dir) {
  const [engine, variant] = name.split(':');
  return engines[engine](dir, variant);
}

// ------------------------------------------------------------------------------------ child steps

function memory() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (f) => Number(new RegExp(`${f}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024 };
}

async function readPatientWindow(db, patient, fromTime, toTime) {
  const rows = await db.range(keyRec(patient, fromTime, 0), keyRec(patient, toTime + 1, 0), true, undefined);
  let bytes = 0;
  if (LAYOUT === 'sequential') for (const [key] of rows) bytes += (await db.get(keySeq(Buffer.from(key).readBigUInt64BE(13)))).length;
  else for (const [, value] of rows) bytes += value.length;
  return { records: rows.length, bytes };
}

const steps = {
  /** Durable 1,000-record batches, then single-record durable commits, from `from`. */
  async write({ engine, dir, from, batches, singles }) {
    const db = await openEngine(engine, dir);
    let seq = from;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let b = 0; b < batches; b++) {
      const entries = [];
      for (let i = 0; i < 1000; i++) entries.push(...entriesOf(seq++));
      await db.writeBatch(entries);
    }
    const batchSeconds = (performance.now() - t0) / 1000;
    // CPU of every thread of the process (the engine's own background threads included).
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPer1000 = batches ? (cpu.user + cpu.system) / 1000 / batches : null;
    const lat = [];
    for (let i = 0; i < singles; i++) {
      const s = performance.now();
      await db.writeBatch(entriesOf(seq++));
      lat.push(performance.now() - s);
    }
    // 64 writers at once: what group commit gives (each engine's own batching of concurrent writes).
    const c0 = performance.now();
    await Promise.all(Array.from({ length: 64 }, () => db.writeBatch(entriesOf(seq++))));
    const concurrentMs = performance.now() - c0;
    await db.close();
    lat.sort((a, b) => a - b);
    return { next: seq, cpuMsPer1000, batchRecordsPerSecond: batches ? (batches * 1000) / batchSeconds : null, singleP50Ms: lat[Math.floor(lat.length / 2)] ?? null, singleP99Ms: lat[Math.floor(lat.length * 0.99)] ?? null, concurrent64Ms: concurrentMs };
  },
  /** Fill up to `to` records quickly (durable batches of 5,000). */
  async seed({ engine, dir, from, to }) {
    const db = await openEngine(engine, dir);
    let seq = from;
    while (seq < to) {
      const entries = [];
      for (let i = 0; i < 5000 && seq < to; i++) entries.push(...entriesOf(seq++));
      await db.writeBatch(entries);
    }
    await db.close();
    return { next: seq };
  },
  /** Open after a restart; memory; the last 72 h of one patient; a 10,000-record range. */
  async read({ engine, dir, total }) {
    const t0 = performance.now();
    const db = await openEngine(engine, dir);
    const openMs = performance.now() - t0;
    const afterOpen = memory();
    const now = T0 + (total - 1) * STEP_MS;
    const w0 = performance.now();
    const window = await readPatientWindow(db, 7, now - 72 * 3600_000, now);
    const windowMs = performance.now() - w0;
    const r0 = performance.now();
    const range = await readPatientWindow(db, 11, now - 10_000 * PATIENTS * STEP_MS, now);
    const rangeMs = performance.now() - r0;
    const afterReads = memory();
    await db.close();
    return { openMs, afterOpen, windowRecords: window.records, windowMs, rangeRecords: range.records, rangeMs, afterReads };
  },
  /** Write durable batches forever, printing each acknowledged batch's last sequence. */
  async crashWriter({ engine, dir, from }) {
    const db = await openEngine(engine, dir);
    let seq = from;
    for (;;) {
      const entries = [];
      for (let i = 0; i < 1000; i++) entries.push(...entriesOf(seq++));
      await db.writeBatch(entries);
      process.stdout.write(`acked ${seq - 1}\n`);
    }
  },
  /** Which of records [0, upTo] are present. */
  async check({ engine, dir, upTo }) {
    const db = await openEngine(engine, dir);
    let missing = 0;
    const bodyKey = (s) => (LAYOUT === 'sequential' ? keySeq(s) : recordKeyOf(s));
    for (let s = 0; s <= upTo; s++) if (!(await db.get(bodyKey(s)))) missing++;
    let extra = 0;
    for (let s = upTo + 1; await db.get(bodyKey(s)); s++) extra++;
    await db.close();
    return { missing, extraUnacked: extra };
  },
};

// ------------------------------------------------------------------------------------ parent

const NODE = process.env.NODE || process.execPath;

function child(step, args) {
  const r = spawnSync(NODE, [process.argv[1], '--step', step, JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 2 ** 24 });
  if (r.status !== 0) throw new Error(`${step} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function dirBytes(dir) {
  let n = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const s = statSync(join(dir, f));
    if (s.isFile()) n += s.blocks * 512; // allocated, not apparent (LMDB's file is sparse until used)
  }
  return n;
}

/** Evict the store's files from the page cache (posix_fadvise DONTNEED), so reads come from disk. */
function evict(dir) {
  spawnSync('python3', ['-c', `import os,sys\nfor r,_,fs in os.walk(sys.argv[1]):\n  for f in fs:\n    fd=os.open(os.path.join(r,f),os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)`, dir]);
}

function crashTest(engine, rounds) {
  const dir = mkdtempSync(join(tmpdir(), 'dbeval-crash-'));
  let from = 0;
  const results = [];
  for (let r = 0; r < rounds; r++) {
    const acked = spawnSyncKill(engine, dir, from, 300 + r * 170);
    const check = child('check', { engine, dir, upTo: acked });
    results.push({ acked, ...check });
    from = acked + 1 + check.extraUnacked;
  }
  rmSync(dir, { recursive: true, force: true });
  return results;
}

function spawnSyncKill(engine, dir, from, afterMs) {
  // Synchronous wrapper around an async kill: run a tiny node script that spawns, waits, kills -9.
  const script = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.argv[1], [process.argv[2], '--step', 'crashWriter', process.argv[3]]);
    let last = -1, buf = '';
    c.stdout.on('data', (d) => { buf += d; const m = buf.match(/acked (\\d+)\\n/g); if (m) last = Number(m[m.length - 1].slice(6)); });
    setTimeout(() => { c.kill('SIGKILL'); }, Number(process.argv[4]));
    c.on('exit', () => console.log(last));`;
  const r = spawnSync(NODE, ['-e', script, NODE, process.argv[1], JSON.stringify({ engine, dir, from }), String(afterMs)], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

async function main() {
  if (process.argv[2] === '--step') {
    const out = await steps[process.argv[3]](JSON.parse(process.argv[4]));
    console.log(JSON.stringify(out));
    process.exit(0);
  }
  const total = Number(process.argv[2] ?? 1_000_000);
  const only = process.env.ENGINES ? process.env.ENGINES.split(',') : ['lmdb', 'lmdb:overlap', 'level'];
  console.log(`node ${spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${total.toLocaleString('en-GB')} records, ${LAYOUT} layout`);
  for (const engine of only) {
    const dir = mkdtempSync(join(tmpdir(), 'dbeval-'));
    const empty = child('write', { engine, dir, from: 0, batches: 30, singles: 200 });
    const seeded = child('seed', { engine, dir, from: empty.next, to: total - 30_200 - 64 });
    const full = child('write', { engine, dir, from: seeded.next, batches: 30, singles: 200 });
    const bytes = dirBytes(dir);
    const warm = child('read', { engine, dir, total: full.next });
    evict(dir);
    const cold = child('read', { engine, dir, total: full.next });
    const crash = crashTest(engine, 5);
    console.log(
      JSON.stringify({
        engine,
        emptyBatchRecordsPerSecond: Math.round(empty.batchRecordsPerSecond),
        fullBatchRecordsPerSecond: Math.round(full.batchRecordsPerSecond),
        cpuMsPer1000Empty: +empty.cpuMsPer1000.toFixed(1),
        cpuMsPer1000Full: +full.cpuMsPer1000.toFixed(1),
        singleP50Ms: +empty.singleP50Ms.toFixed(2),
        singleP99Ms: +empty.singleP99Ms.toFixed(2),
        singleP50MsFull: +full.singleP50Ms.toFixed(2),
        concurrent64Ms: +full.concurrent64Ms.toFixed(1),
        records: full.next,
        bytesPerRecord: Math.round(bytes / full.next),
        openMs: +cold.openMs.toFixed(1),
        rssAfterOpenMb: +cold.afterOpen.rssMb.toFixed(1),
        window72h: { records: cold.windowRecords, coldMs: +cold.windowMs.toFixed(1), warmMs: +warm.windowMs.toFixed(1) },
        range10k: { records: cold.rangeRecords, coldMs: +cold.rangeMs.toFixed(1), warmMs: +warm.rangeMs.toFixed(1) },
        rssAfterReadsMb: { total: +cold.afterReads.rssMb.toFixed(1), anon: +cold.afterReads.anonMb.toFixed(1), file: +cold.afterReads.fileMb.toFixed(1) },
        killDashNine: crash.map((c) => `acked ${c.acked}: missing ${c.missing}, unacked present ${c.extraUnacked}`),
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
