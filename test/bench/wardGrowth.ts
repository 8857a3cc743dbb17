/**
 * Benchmark "growth" — the whole core as the records on file grow (issue 12, "Benchmarks"):
 * 100,000, 300,000 and 1,000,000 records (BENCH_GROWTH_SIZES to change), grown in one data
 * directory (BENCH_GROWTH_DIR keeps it between runs: each size seeds only what it lacks).
 *
 * The ward: 30 admitted patients under one responsible doctor; one reading per bed per minute on
 * the timeline (record i is measured at T0 + 2 s·i, ending about when the run started); 1 record
 * in 50 a nurse's complete NEWS2 set, 1 in 500 a note, the rest station oximeter readings.
 * Seeding uses the internal write paths while no `serve` runs (openInternals): station readings
 * through StationWriter.ingest in batches of about 980 (durable, then anchored by the anchor queue
 * on the real ganache chain), nurse sets and notes through RecordWriter.create, 20 at once (one
 * anchor transaction takes the waiting station readings along).
 * Each size has its own never-opened patients: one that receives 40,000 of the size's new records
 * and one 10,000; ordinary patients take the rest round robin. Once a size is seeded, the station
 * seals every ended hour of the readings it recorded as a running ward's would have
 * (records/stationBlocks.ts; BENCH_GROWTH_SEAL=0: not, as wards were before it).
 *
 * Measured with the real `wardledger serve` (built CLI) after each size, the store's and chain's
 * files evicted from the page cache before each start (as after a reboot):
 * - start to ready: spawn until the launch URL is printed; resident memory (VmRSS) 1 s after start
 *   and idle after the opens (IDLE_SETTLE_MS and IDLE_REDUCED_MS without a call; with its anonymous and
 *   file-mapped parts);
 * - first open of an ordinary patient's last 72 hours (records/history, one page), of the size's
 *   10,000-record patient (every page of records/history) — never opened, their persistent
 *   verification memos written by the writers with their anchors —, and after another restart the size's
 *   40,000-record patient's whole history — every page of records/history (decrypted, verified) —
 *   then after a third restart the same history again (opened before: persistent memos) and its
 *   records/chart over the whole period;
 * - durable ingest with N on file (StationIngestQueue, 20 × 1,000 readings, acknowledged once
 *   durable) against the same on a fresh empty ward right after (the same load), with the process's
 *   CPU; alone on a kept ward: BENCH_GROWTH_INGEST_ONLY=1 (benchIngestOnly);
 * - bytes on disk per record: the store directory and the chain directory, each / records on file.
 * Chain and store bytes per reading at one reading per bed per minute: `rateRun` (a real-time run
 * of RATE_MINUTES minutes, 30 beds, anchors gathered by the 30 s window) on a fresh ward.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { ChainMember } from '../../electron/core/chain/registryClient';
import { observationContent } from '../../electron/core/clinical/vitalsAssessment';
import type { RecordContent, RecordView } from '../../electron/core/model/records';
import { hourOf } from '../../electron/core/records/openedBlocks';
import { openInternals, type PipelineInternals } from '../support/pipelineInternals';
import { serveChild, type ServeChild } from '../support/serveChild';
import { hexKey, key, prefixEnd, T, WIDTH } from '../../electron/core/storage/keys';
import { LevelKv } from '../../electron/core/storage/levelKv';
import { storePath, WardStore } from '../../electron/core/storage/wardStore';
import { removeDir, staffedWard, startCore, tempDir } from '../support/tempCore';
import { admitPatients, vitalsSet } from './fixture';
import { startCpuProfile } from './ingest';
import { dirBytes, tableBytes, type TableBytes } from './storeGrowth';
import { makeRow, type BenchRow } from './table';

const PATIENTS = 30;
/** One reading per bed per minute over 30 beds: the ward's records are 2 s apart. */
const STEP_MS = 2000;
const STRETCH = 1000;
const TIMED_INGEST = { batches: 20, size: Number(process.env.BENCH_GROWTH_TIMED_BATCH ?? 1000) };
/** Each size's heavy patients: this many of its new records, and a quarter of it (smaller for a quick trial run). */
const HEAVY = Number(process.env.BENCH_GROWTH_HEAVY ?? 40_000);
const RATE_MINUTES = Number(process.env.BENCH_GROWTH_RATE_MINUTES ?? 5);
const MAX_SIZE = 1_000_000;

/** The issue's table (wardledger serve on the log store), per size: start to URL (s) and RSS after start (MB). */
const BEFORE: Record<number, { startMs: number; rssMb: number } | undefined> = {
  100_000: { startMs: 3600, rssMb: 820 },
  300_000: { startMs: 10_400, rssMb: 2168 },
};

export interface GrowthWard {
  /** Set up at (ms): the timeline ends here at 1,000,000 records. */
  setupAt: number;
  doctor: { name: string; password: string };
  nurse: { name: string; password: string };
  patients: string[];
  onFile: number;
  emptyIngest?: IngestFigures;
  stages: Record<string, { heavy40: string; heavy10: string }>;
  /** Figures of earlier runs on this directory (BENCH_GROWTH_DIR), by size: the table shows the whole curve. */
  points?: Record<string, GrowthPoint>;
  ingestAt?: Record<string, IngestFigures>;
}

interface IngestFigures {
  readingsPerSecond: number;
  storeBytesPerReading: number;
  chainBytesPerReading: number;
  /** CPU of the whole process (every thread) during the timed part, ms; absent in figures taken before it was added. */
  cpuMs?: number;
  seconds?: number;
  /** LevelDB commits (each one fsync) and the wall time spent in them. */
  commits?: number;
  commitWaitMs?: number;
  threadsCpuMs?: Record<string, number>;
  /**
   * The same ingest on a fresh empty ward right after (readings/s): taken under the same load, it
   * is what the ratio is computed against (the first empty-ward figure was taken hours before,
   * and the grown ward's own right after seeding, with LevelDB compacting what was seeded).
   */
  emptyBeside?: number;
  /** Bytes written to and read from the disk by the process per reading (LevelDB's log and compactions, the chain). */
  diskWrittenPerReading?: number;
  diskReadPerReading?: number;
  loadAverage?: number[];
}

const stateFile = (dir: string) => join(dir, 'growth-bench.json');
const saveState = (dir: string, s: GrowthWard) => writeFileSync(stateFile(dir), JSON.stringify(s, null, 2));

/** A fresh ward: IT admin, doctor, nurse, 30 patients admitted under the doctor. */
export async function setUp(dir: string): Promise<GrowthWard> {
  const core = await startCore(dir);
  try {
    const ward = await staffedWard(core);
    await ward.callers.nurse.ok('ward/admit', { patient: ward.addresses.patient, bed: '1A', responsibleDoctor: ward.addresses.doctor });
    const patients = await admitPatients(ward, PATIENTS, 'Growth', 'GB');
    return { setupAt: Date.now(), doctor: ward.people.doctor, nurse: ward.people.nurse, patients, onFile: 0, stages: {} };
  } finally {
    await core.stop();
  }
}

/**
 * Patients 0–5 are each size's heavy patients (40,000 and 10,000 of its new records); 6–28
 * ordinary; the last one takes the timed ingest runs (their readings are stamped "now", after the
 * timeline, and would move an ordinary patient's last 72 hours).
 */
const ORDINARY_FROM = 6;
const ingestPatient = (g: GrowthWard) => g.patients[PATIENTS - 1]!;

export function stageOf(g: GrowthWard, sizeIndex: number): { heavy40: string; heavy10: string } {
  return { heavy40: g.patients[2 * sizeIndex]!, heavy10: g.patients[2 * sizeIndex + 1]! };
}

/** Which patient record i (of the stage [from, to)) belongs to: a low-discrepancy split by share. */
function patientOf(g: GrowthWard, stage: { heavy40: string; heavy10: string }, i: number, from: number, to: number): string {
  const span = to - from;
  const u = (i * 0.6180339887498949) % 1;
  if (u < HEAVY / span) return stage.heavy40;
  if (u < (1.25 * HEAVY) / span) return stage.heavy10;
  const ordinary = PATIENTS - 1 - ORDINARY_FROM;
  return g.patients[ORDINARY_FROM + (i % ordinary)]!;
}

const measuredAt = (g: GrowthWard, i: number) => g.setupAt - (MAX_SIZE - i) * STEP_MS;

function stationItem(patient: string, at: number, i: number) {
  const when = new Date(at).toISOString();
  const device = { driver: 'contec-cms50e', model: 'CMS50E', serial: `GROWTH-${patient.slice(2, 8)}`, deviceRecordId: String(i), receivedAt: when };
  const spo2 = 95 + (i % 5);
  const pulse = 64 + (i % 31);
  return { patient, createdAt: at, authorName: 'CMS50E (bound by bench)', content: observationContent({ vitals: { spo2, pulse } }, 1, { kind: 'device', measuredAt: when, device }) as RecordContent };
}

/** Seed records [from, to) on a stopped ward through the internal write paths. */
export async function seed(dir: string, g: GrowthWard, stage: { heavy40: string; heavy10: string }, from: number, to: number): Promise<number> {
  const internals = await openInternals(dir);
  const t0 = performance.now();
  try {
    const actor = await internals.actor(g.nurse.name, g.nurse.password);
    memoiseMembers(internals);
    const anchoring: Array<Promise<void>> = [];
    for (let start = from; start < to; start += STRETCH) {
      const end = Math.min(to, start + STRETCH);
      const station: ReturnType<typeof stationItem>[] = [];
      const nurse: Array<Promise<unknown>> = [];
      for (let i = start; i < end; i++) {
        const patient = patientOf(g, stage, i, from, to);
        const at = measuredAt(g, i);
        if (i % 500 === 0) nurse.push(internals.writer.create(actor, patient, 'note', { note: 'Reviewed on the round; comfortable, observations stable.' }, { createdAt: at }));
        else if (i % 50 === 0) nurse.push(internals.writer.create(actor, patient, 'vitals', observationContent({ vitals: vitalsSet(i) }, 1, { kind: 'entered', now: at }), { createdAt: at }));
        else station.push(stationItem(patient, at, i));
      }
      const { anchored } = await internals.stationWriter.ingest(internals.stationWallet, station);
      anchoring.push(anchored);
      await Promise.all(nurse);
      if (anchoring.length > 8) await anchoring.shift();
      if ((start - from) % 20_000 === 0) process.stderr.write(`bench: growth seeded ${start.toLocaleString('en-GB')} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
    // The anchor queue's window timer does not keep the process alive: anchor what waits now.
    await internals.anchorQueue.flush();
    await Promise.all(anchoring);
    // A running ward's station seals each hour of its readings once it ended (records/
    // stationBlocks.ts): seeded as one would have, every ended hour of this stage's period
    // (BENCH_GROWTH_SEAL=0: not, as seeded before station blocks existed).
    if (process.env.BENCH_GROWTH_SEAL !== '0') {
      const sealing = performance.now();
      const [first, last] = [hourOf(measuredAt(g, from)), hourOf(measuredAt(g, to - 1))];
      let hours = 0;
      for (const patient of new Set([...g.patients, stage.heavy40, stage.heavy10])) hours += (await internals.stationBlocks.sealHours(patient, first, last)).sealed.length;
      process.stderr.write(`bench: growth sealed ${hours.toLocaleString('en-GB')} station hours in ${((performance.now() - sealing) / 1000).toFixed(0)} s\n`);
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await internals.close();
  }
}

/** The registry lookup of a patient is one chain read per record; seeding memoises it (as seedVitals does). */
function memoiseMembers(internals: PipelineInternals): void {
  const member = internals.identity.member.bind(internals.identity);
  const members = new Map<string, Promise<ChainMember | null>>();
  internals.identity.member = (a: string) => members.get(a) ?? (members.set(a, member(a)), members.get(a)!);
}

const storeDir = (dir: string) => join(dir, 'records', 'store');
const chainDir = (dir: string) => join(dir, 'chain');

/** Durable ingest rate with what is on file: 20 × 1,000 readings through the ingest queue (acknowledged when durable). */
async function timedIngest(dir: string, g: GrowthWard, patient: string, from: number, profile?: string): Promise<IngestFigures> {
  const internals = await openInternals(dir);
  try {
    memoiseMembers(internals);
    const store0 = dirBytes(storeDir(dir));
    const chain0 = dirBytes(chainDir(dir));
    const n = TIMED_INGEST.batches * TIMED_INGEST.size;
    const profiler = await startCpuProfile(profile);
    const threads0 = threadCpuMs();
    const io0 = ioBytes();
    const writes0 = { ...internals.store.writeStats };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const acked = await Promise.all(
      Array.from({ length: n }, (_, k) => {
        const { createdAt: _at, ...item } = stationItem(patient, measuredAt(g, from + k), from + k);
        return internals.ingest.submit(item);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const threads = threadCpuMs(threads0);
    const io = ioBytes();
    const writes = internals.store.writeStats;
    await profiler?.stop();
    await internals.anchorQueue.flush();
    await Promise.all(acked.map((a) => a.anchored));
    return {
      readingsPerSecond: n / seconds,
      storeBytesPerReading: (dirBytes(storeDir(dir)) - store0) / n,
      chainBytesPerReading: (dirBytes(chainDir(dir)) - chain0) / n,
      cpuMs: (cpu.user + cpu.system) / 1000,
      seconds,
      commits: writes.commits - writes0.commits,
      commitWaitMs: writes.batchMs - writes0.batchMs,
      threadsCpuMs: threads,
      diskWrittenPerReading: (io.written - io0.written) / n,
      diskReadPerReading: (io.read - io0.read) / n,
      loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
    };
  } finally {
    await internals.close();
  }
}

/**
 * CPU time of this process's threads (ms; clock ticks of 10 ms), since `since` if given: the main
 * thread, and the others by name and thread id (the chain worker, LevelDB's compaction thread and
 * libuv's pool all call themselves "node"; tell them apart by their ids' order of creation).
 */
function threadCpuMs(since?: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = Number(tid) === process.pid ? 'main' : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}#${tid}`;
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    out[name] = (Number(fields[11]) + Number(fields[12])) * 10 - (since?.[name] ?? 0);
  }
  return out;
}

/** Bytes this process has made the kernel write to and read from the disk (LevelDB's log and compactions, the chain). */
function ioBytes(): { written: number; read: number } {
  const io = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? Number.NaN);
  return { written: field('write_bytes'), read: field('read_bytes') };
}

/** The timed ingest on a fresh empty ward (set up, measured, removed). */
async function emptyWardIngest(profile?: string): Promise<IngestFigures> {
  const fresh = tempDir('wardledger-bench-ingest-');
  try {
    const e = await setUp(fresh);
    return await timedIngest(fresh, e, ingestPatient(e), 0, profile);
  } finally {
    removeDir(fresh);
  }
}

/**
 * The durable ingest alone (BENCH_GROWTH_INGEST_ONLY=1 with BENCH_GROWTH_DIR, a ward this bench
 * grew): the timed ingest on the kept ward and on a fresh empty ward, alternately,
 * BENCH_GROWTH_INGEST_ROUNDS times (default 2; each goes first every other round), so both are
 * taken under the same load. Each run
 * adds 20,000 readings to the kept ward. BENCH_GROWTH_INGEST_PROFILE=DIR writes a CPU profile of
 * the main thread's timed part per run (empty-N.cpuprofile, full-N.cpuprofile).
 */
export async function benchIngestOnly(dir: string): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  if (!existsSync(stateFile(dir))) throw new Error(`${dir} holds no ward grown by this bench (growth-bench.json).`);
  const g = JSON.parse(readFileSync(stateFile(dir), 'utf8')) as GrowthWard;
  const rounds = Number(process.env.BENCH_GROWTH_INGEST_ROUNDS ?? 2);
  const profileDir = process.env.BENCH_GROWTH_INGEST_PROFILE;
  const runs: Array<{ ward: 'empty' | 'full'; onFile: number } & IngestFigures> = [];
  for (let round = 1; round <= rounds; round++) {
    const empty = async () => runs.push({ ward: 'empty', onFile: 0, ...(await emptyWardIngest(profileDir && join(profileDir, `empty-${round}.cpuprofile`))) });
    const full = async () => {
      const onFile = g.onFile;
      runs.push({ ward: 'full', onFile, ...(await timedIngest(dir, g, ingestPatient(g), onFile, profileDir && join(profileDir, `full-${round}.cpuprofile`))) });
      g.onFile += TIMED_INGEST.batches * TIMED_INGEST.size;
      saveState(dir, g);
    };
    // Each ward goes first every other round: the first run of the process carries the JIT's warm-up.
    if (round % 2) await empty().then(full);
    else await full().then(empty);
    for (const r of runs.slice(-2)) process.stderr.write(`bench: ingest ${r.ward} (${f0(r.onFile)} on file): ${ingestLine(r)}\n`);
  }
  const mean = (ward: 'empty' | 'full', f: (r: IngestFigures) => number) => {
    const xs = runs.filter((r) => r.ward === ward).map(f);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const empty = mean('empty', (r) => r.readingsPerSecond);
  const full = mean('full', (r) => r.readingsPerSecond);
  const cpuPer1000 = (ward: 'empty' | 'full') => mean(ward, (r) => (r.cpuMs ?? Number.NaN) / ((r.readingsPerSecond * r.seconds!) / 1000));
  return {
    rows: [
      makeRow({ name: `Durable ingest with ${f0(g.onFile)} records on file`, figure: full, unit: 'readings/s', target: { cmp: '>=', value: 0, minRatio: 1 }, baseline: empty, note: `${rounds} runs each, alternately with a fresh empty ward; CPU per 1,000 readings ${f0(cpuPer1000('full'))} ms (empty ward ${f0(cpuPer1000('empty'))} ms); load ${loadavg().map((x) => x.toFixed(1)).join(' ')}` }),
    ],
    details: { runs },
  };
}

function ingestLine(r: IngestFigures): string {
  const threads = Object.entries(r.threadsCpuMs ?? {}).filter(([, ms]) => ms >= 100).map(([name, ms]) => `${name} ${f0(ms)}`).join(', ');
  return `${f0(r.readingsPerSecond)} readings/s, ${f0(r.cpuMs)} ms CPU in ${(r.seconds ?? 0).toFixed(1)} s (threads: ${threads}), ${r.commits} commits waiting ${f0(r.commitWaitMs)} ms on LevelDB, disk ${f0(r.diskWrittenPerReading)} B written and ${f0(r.diskReadPerReading)} B read per reading, load ${r.loadAverage?.join(' ')}`;
}

/** Drop the data directory's files from the page cache (fsync, then posix_fadvise DONTNEED), as after a reboot. */
function evict(dir: string): void {
  const r = spawnSync('python3', ['-c', 'import os,sys\nfor r,_,fs in os.walk(sys.argv[1]):\n  for f in fs:\n    p=os.path.join(r,f)\n    if os.path.isfile(p):\n      fd=os.open(p,os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)', dir]);
  if (r.status !== 0) throw new Error(`evicting the page cache failed: ${r.stderr}`);
}

/** CPU time (user + system) the process has used so far, in ms (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function rssMb(pid: number, field: 'VmRSS' | 'RssAnon' | 'RssFile' = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/**
 * Forget every persistent verification memo and opened block (no serve running): with
 * BENCH_GROWTH_FORGET_MEMOS=1 a size is measured as records without memos open (written before
 * the writers stored them with their anchors). Otherwise a re-measure opens what a ward has: the
 * writers' memos (an earlier run's opens left the same tags) and the opened blocks the station
 * sealed or an earlier run's opens kept (counted per patient before the measure: `blocksBefore`).
 */
export async function forgetMemos(dir: string): Promise<void> {
  const kv = await LevelKv.open(storeDir(dir), { createIfMissing: false });
  try {
    // Both memo tables (under records' locators, and by record id: stores written before), and the blocks.
    const rows = (await Promise.all([T.recordMemo, T.verifyMemo, T.openedBlock].map((t) => kv.range({ gte: key(t), lt: key(t + 1) })))).flat();
    await kv.commit(rows.map(([k]) => ({ type: 'del' as const, key: k })));
  } finally {
    await kv.close();
  }
}

/** Opened blocks kept for each patient (records/openedBlocks.ts; no serve running), in the order given. */
async function openedBlocksOf(dir: string, patients: string[]): Promise<number[]> {
  const kv = await LevelKv.open(storeDir(dir), { createIfMissing: false });
  try {
    return await Promise.all(patients.map((p) => kv.count({ gte: key(T.openedBlock, hexKey(p, WIDTH.address)), lt: prefixEnd(key(T.openedBlock, hexKey(p, WIDTH.address))) })));
  } finally {
    await kv.close();
  }
}

/** How a patient's history had been opened before a measure, in a row's note. */
function openedBefore(blocks: number | undefined): string {
  if (blocks === undefined) return 'memos from the writers';
  return blocks ? `${f0(blocks)} opened blocks kept (the station's sealed hours, hours an earlier run opened; of the form this build reads or not), the rest from memos` : 'no opened block: memos from the writers and earlier runs';
}

interface Started {
  serve: ServeChild;
  readyMs: number;
  /** CPU time of the serve process until the URL was printed (moves less with other processes' load). */
  readyCpuMs: number;
  rssAfterStartMb: number;
  session: string;
}

export async function start(dir: string, doctor: { name: string; password: string }): Promise<Started> {
  evict(dir);
  const t0 = performance.now();
  const serve = await serveChild(dir);
  const readyMs = performance.now() - t0;
  const readyCpuMs = cpuMs(serve.pid);
  await new Promise((r) => setTimeout(r, 1000));
  const rssAfterStartMb = rssMb(serve.pid);
  return { serve, readyMs, readyCpuMs, rssAfterStartMb, session: await serve.login(doctor.name, doctor.password) };
}

/**
 * When "memory after opens" is read, twice, without a call in between:
 * - IDLE_SETTLE_MS (8 s): the core's idle collector (platform/idleCollector.ts) looks every 2 s and
 *   collects after an interval in which the event loop was idle, so 8 s covers the interval the
 *   open ended in, one idle interval and the collection's unmapping of freed pages;
 * - IDLE_REDUCED_MS (30 s): V8's memory reducer starts 8 s after a full collection and, once it
 *   sees the process idle, shrinks each thread's young generation (32 MB committed on the core's
 *   thread and on the chain's after an open, 1 MB after): measured 18-28 s after the opens on this
 *   machine. A workstation left idle is in this state; it is the figure the target is read against.
 */
export const IDLE_SETTLE_MS = 8000;
export const IDLE_REDUCED_MS = 30_000;

export interface IdleMemory {
  rssMb: number;
  anonMb: number;
  fileMb: number;
}

/** Resident memory of an idle serve process: VmRSS, and its anonymous (heap, native) and file-mapped (LevelDB tables, binaries) parts. */
function memoryOf(pid: number): IdleMemory {
  return { rssMb: rssMb(pid), anonMb: rssMb(pid, 'RssAnon'), fileMb: rssMb(pid, 'RssFile') };
}

/** Resident memory IDLE_SETTLE_MS and IDLE_REDUCED_MS after the last call. */
export async function idleMemory(pid: number): Promise<{ early: IdleMemory; reduced: IdleMemory }> {
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  const early = memoryOf(pid);
  await new Promise((r) => setTimeout(r, IDLE_REDUCED_MS - IDLE_SETTLE_MS));
  return { early, reduced: memoryOf(pid) };
}

async function call<T>(s: Started, operation: string, input: unknown): Promise<T> {
  const r = await s.serve.call(operation, input, s.session);
  if (!r.ok) throw new Error(`${operation}: ${r.error.message}`);
  return r.result as T;
}

interface HistoryPage {
  records: RecordView[];
  window: { earlier: string | null };
}

/** Every page of records/history, timed; every record must be verified and readable. */
export async function openHistory(s: Started, patient: string, pages = Infinity): Promise<{ ms: number; cpuMs: number; records: number; pages: number }> {
  const t0 = performance.now();
  const c0 = cpuMs(s.serve.pid);
  let records = 0;
  let n = 0;
  let before: string | null = null;
  do {
    const page: HistoryPage = await call<HistoryPage>(s, 'records/history', { patient, before });
    n++;
    records += page.records.length;
    const bad = page.records.filter((r) => r.provenance.status !== 'verified' || r.content === null).length;
    if (bad) throw new Error(`${bad} records of the history are not verified and readable.`);
    before = page.window.earlier;
  } while (before && n < pages);
  return { ms: performance.now() - t0, cpuMs: cpuMs(s.serve.pid) - c0, records, pages: n };
}

export interface GrowthPoint {
  records: number;
  seedSeconds: number;
  readyMs: number;
  readyCpuMs: number;
  rssAfterStartMb: number;
  /**
   * After the 72 h and 10,000-record opens, idle IDLE_REDUCED_MS (points before 2026-11-28 11:25:
   * IDLE_SETTLE_MS; before 2026-11-28: read at once).
   */
  rssAfterOpensMb: number;
  /** After the 40,000-record history was opened, idle IDLE_REDUCED_MS (before 2026-11-28 11:25: IDLE_SETTLE_MS; before that 5 s). */
  rssAfterWholeMb: number;
  /** The same two, idle IDLE_SETTLE_MS (before V8's memory reducer ran). */
  earlyRssAfterOpensMb?: number;
  earlyRssAfterWholeMb?: number;
  /** Anonymous memory (RssAnon: the heap and native allocations, without mapped files) at the same two moments. */
  anonAfterOpensMb?: number;
  anonAfterWholeMb?: number;
  /** File-mapped memory (RssFile: LevelDB's table files LevelDB maps while it holds them open, the binaries) at the same two moments. */
  fileAfterOpensMb?: number;
  fileAfterWholeMb?: number;
  restartReadyMs: number[];
  /**
   * The first start after seeding (not the measured one): the records were seeded while the ward
   * was stopped, so that start checks all their anchor batches against the chain, as after a crash
   * that followed a long run. A ward that wrote them while running and stopped cleanly moved its
   * checkpoint past them (records/chainCheck.ts advance): the measured start is that one.
   */
  afterSeedReadyMs?: number;
  afterSeedCpuMs?: number;
  /** Wall time and the serve process's CPU time (absent in points measured before it was added). */
  last72h: { ms: number; cpuMs?: number; records: number };
  tenK: { ms: number; cpuMs?: number; records: number; pages: number };
  whole40k: { ms: number; cpuMs?: number; records: number; pages: number };
  /** The 40,000-record history again after another restart (persistent memos from the first open). */
  reopened40k?: { ms: number; cpuMs?: number; records: number; pages: number };
  chart40k: { ms: number; cpuMs?: number; points: number };
  /**
   * Opened blocks an earlier run's opens kept for the 72 h patient, the 10,000- and the
   * 40,000-record patient when this point was measured (absent in points measured before blocks).
   */
  blocksBefore?: { last72h: number; tenK: number; whole40k: number };
  ingest: IngestFigures;
  storeBytes: number;
  chainBytes: number;
}

async function measure(dir: string, g: GrowthWard, stage: { heavy40: string; heavy10: string }, ordinary: string): Promise<Omit<GrowthPoint, 'records' | 'seedSeconds' | 'ingest'>> {
  const [last72hBlocks, tenKBlocks, whole40kBlocks] = await openedBlocksOf(dir, [ordinary, stage.heavy10, stage.heavy40]);
  const blocksBefore = { last72h: last72hBlocks!, tenK: tenKBlocks!, whole40k: whole40kBlocks! };
  let s = await start(dir, g.doctor);
  const afterSeed = { afterSeedReadyMs: s.readyMs, afterSeedCpuMs: s.readyCpuMs };
  await s.serve.stop();
  s = await start(dir, g.doctor);
  const first = { ...afterSeed, blocksBefore, readyMs: s.readyMs, readyCpuMs: s.readyCpuMs, rssAfterStartMb: s.rssAfterStartMb };
  const restartReadyMs: number[] = [];
  try {
    const last72h = await openHistory(s, ordinary, 1);
    const tenK = await openHistory(s, stage.heavy10);
    const afterOpens = await idleMemory(s.serve.pid);
    await s.serve.stop();
    s = await start(dir, g.doctor);
    restartReadyMs.push(s.readyMs);
    const whole40k = await openHistory(s, stage.heavy40);
    const afterWhole = await idleMemory(s.serve.pid);
    await s.serve.stop();
    s = await start(dir, g.doctor);
    restartReadyMs.push(s.readyMs);
    // The same history again after a restart: opened before, so the persistent verification
    // memos vouch for its records (decrypted, memo checked; nothing re-verified).
    const reopened40k = await openHistory(s, stage.heavy40);
    const t0 = performance.now();
    const c0 = cpuMs(s.serve.pid);
    const chart = await call<{ series: Array<{ datasets: Array<{ points: unknown[] }> }> }>(s, 'records/chart', { patient: stage.heavy40 });
    const chart40k = { ms: performance.now() - t0, cpuMs: cpuMs(s.serve.pid) - c0, points: chart.series.reduce((n, x) => n + x.datasets.reduce((m, d) => m + d.points.length, 0), 0) };
    return {
      ...first,
      rssAfterOpensMb: afterOpens.reduced.rssMb,
      rssAfterWholeMb: afterWhole.reduced.rssMb,
      anonAfterOpensMb: afterOpens.reduced.anonMb,
      anonAfterWholeMb: afterWhole.reduced.anonMb,
      fileAfterOpensMb: afterOpens.reduced.fileMb,
      fileAfterWholeMb: afterWhole.reduced.fileMb,
      earlyRssAfterOpensMb: afterOpens.early.rssMb,
      earlyRssAfterWholeMb: afterWhole.early.rssMb,
      restartReadyMs,
      last72h,
      tenK,
      whole40k,
      reopened40k,
      chart40k,
      storeBytes: dirBytes(storeDir(dir)),
      chainBytes: dirBytes(chainDir(dir)),
    };
  } finally {
    await s.serve.stop();
  }
}

export interface RateFigures {
  realSeconds: number;
  anchorWindowMs: number;
  readings: number;
  anchors: number;
  storeBytesPerReading: number;
  chainBytesPerReading: number;
  /** The store's entries (keys + values, before LevelDB's own overhead) per reading, by table. */
  entryBytesPerReading: Record<string, number>;
  /** Submit until acknowledged (durable), ms. */
  ackMs: { p50: number; p99: number; max: number };
  /** CPU of this process (it runs the core and the chain) during the timed part, and the load average after. */
  cpuMs: number;
  loadAverage: number[];
}

/**
 * Bytes per reading at a real ward's rate: a fresh ward, one reading per bed per minute (30 beds:
 * one every 2 s, each its own durable batch) for `seconds` of real time; anchors are gathered by
 * the station window (`anchorWindowMs`, the core's default unless given). Runnable alone:
 * `npx tsx test/bench/run.ts minute`.
 *
 * Steady state, as a ward that has been running: the run's process first records one reading per
 * patient (the station opens a key scope per patient per start — it is not a reader of its scopes,
 * so it cannot reopen them after a restart: ~900 B a patient once per start) and anchors them;
 * then the store is compacted and measured (directory and entries per table), the run goes, and
 * the store is compacted and measured again before the process stops. The chain (on its own
 * thread: compacted only while stopped) is measured compacted before the process and after it;
 * the warm-up's transaction is taken out as its share of the transactions (every anchor
 * transaction writes about as many chain bytes: a root and a count, whatever the leaves).
 */
export async function rateRun(seconds = RATE_MINUTES * 60, anchorWindowMs?: number): Promise<RateFigures> {
  const dir = tempDir('wardledger-bench-rate-');
  const options = anchorWindowMs === undefined ? {} : { anchorWindowMs };
  try {
    const g = await setUp(dir);
    await compactAll(dir);
    const chain0 = dirBytes(chainDir(dir));
    const internals = await openInternals(dir, options);
    const acks: number[] = [];
    let store0 = 0;
    let store1 = 0;
    let tables0: TableBytes[] = [];
    let tables1: TableBytes[] = [];
    let warmAnchors = 0;
    let anchors = 0;
    let cpu = { user: 0, system: 0 };
    try {
      memoiseMembers(internals);
      const first = await Promise.all(g.patients.map((p, i) => internals.ingest.submit(strip(stationItem(p, Date.now(), i)))));
      await internals.anchorQueue.flush();
      await Promise.all(first.map((a) => a.anchored));
      warmAnchors = internals.anchorQueue.stats.batches;
      await internals.store.compact();
      store0 = dirBytes(storeDir(dir));
      tables0 = await tableBytes(internals.store);
      const cpu0 = process.cpuUsage();
      const pending: Array<Promise<void>> = [];
      const end = Date.now() + seconds * 1000;
      for (let i = 0; Date.now() < end; i++) {
        const t0 = performance.now();
        const acked = await internals.ingest.submit(strip(stationItem(g.patients[i % PATIENTS]!, Date.now(), 1000 + i)));
        acks.push(performance.now() - t0);
        pending.push(acked.anchored);
        await new Promise((r) => setTimeout(r, STEP_MS));
      }
      await internals.anchorQueue.flush();
      await Promise.all(pending);
      cpu = process.cpuUsage(cpu0);
      anchors = internals.anchorQueue.stats.batches - warmAnchors;
      await internals.store.compact();
      store1 = dirBytes(storeDir(dir));
      tables1 = await tableBytes(internals.store);
    } finally {
      await internals.close();
    }
    await compactAll(dir);
    const chainPerAnchor = (dirBytes(chainDir(dir)) - chain0) / (anchors + warmAnchors);
    const readings = acks.length;
    const entryBytesPerReading: Record<string, number> = {};
    for (const t of tables1) {
      const before = tables0.find((b) => b.table === t.table);
      const delta = t.keyBytes + t.valueBytes - (before ? before.keyBytes + before.valueBytes : 0);
      if (delta !== 0) entryBytesPerReading[t.table] = Number((delta / readings).toFixed(1));
    }
    const sorted = [...acks].sort((a, b) => a - b);
    return {
      realSeconds: seconds,
      anchorWindowMs: anchorWindowMs ?? internals.anchorQueue.stationWindowMs,
      readings,
      anchors,
      storeBytesPerReading: (store1 - store0) / readings,
      chainBytesPerReading: (chainPerAnchor * anchors) / readings,
      entryBytesPerReading,
      ackMs: { p50: sorted[Math.floor(readings * 0.5)]!, p99: sorted[Math.min(readings - 1, Math.floor(readings * 0.99))]!, max: sorted[readings - 1]! },
      cpuMs: (cpu.user + cpu.system) / 1000,
      loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
    };
  } finally {
    removeDir(dir);
  }
}

/** The one-reading-per-bed-per-minute part alone (BENCH_MINUTE_SECONDS, default 60; BENCH_MINUTE_WINDOW_MS: the anchor window). */
export async function benchMinuteRate(): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const windowMs = process.env.BENCH_MINUTE_WINDOW_MS;
  const rate = await rateRun(Number(process.env.BENCH_MINUTE_SECONDS ?? 60), windowMs ? Number(windowMs) : undefined);
  return { rows: rateRows(rate), details: { ...rate } };
}

function rateRows(rate: RateFigures): BenchRow[] {
  const over = `${rate.readings} readings over ${f0(rate.realSeconds)} s of real time, ${rate.anchors} anchor transactions (${f0(rate.anchorWindowMs / 1000)} s window)`;
  return [
    makeRow({ name: 'One reading per bed per minute — chain bytes per reading', figure: rate.chainBytesPerReading, unit: 'B', target: null, baseline: 14_300, note: `${over}; baseline: the issue's one transaction per reading` }),
    makeRow({ name: 'One reading per bed per minute — store bytes per reading', figure: rate.storeBytesPerReading, unit: 'B', target: { cmp: '<=', value: 1200 }, baseline: null, note: `${over}; each reading its own durable batch; entries per reading: ${Object.entries(rate.entryBytesPerReading).map(([t, n]) => `${t} ${n}`).join(', ')}; acknowledged p50 ${rate.ackMs.p50.toFixed(1)} ms, p99 ${rate.ackMs.p99.toFixed(1)} ms` }),
  ];
}

/**
 * Compact the store's and the chain's LevelDB (the ward stopped): a few hundred readings move the
 * directories' sizes less than LevelDB's own compactions do, so the rate run measures both before
 * and after a full compaction. The chain's is compacted with the LevelDB binding ganache ships.
 */
export async function compactAll(dir: string): Promise<void> {
  const store = await WardStore.open(storePath(dir), { create: false });
  await store.compact();
  await store.close();
  const leveldown = createRequire(createRequire(import.meta.url).resolve('ganache'))('leveldown') as (path: string) => {
    open(o: object, cb: (e: Error | null) => void): void;
    compactRange(start: Buffer, end: Buffer, cb: (e: Error | null) => void): void;
    close(cb: (e: Error | null) => void): void;
  };
  const db = leveldown(join(chainDir(dir), 'db'));
  const done = (resolve: () => void, reject: (e: Error) => void) => (e: Error | null) => (e ? reject(e) : resolve());
  await new Promise<void>((resolve, reject) => db.open({ createIfMissing: false }, done(resolve, reject)));
  await new Promise<void>((resolve, reject) => db.compactRange(Buffer.alloc(0), Buffer.alloc(64, 0xff), done(resolve, reject)));
  await new Promise<void>((resolve, reject) => db.close(done(resolve, reject)));
}

function strip<T extends { createdAt?: number }>(item: T): Omit<T, 'createdAt'> {
  const { createdAt: _unused, ...rest } = item;
  return rest;
}

/** Least-squares line through the points, evaluated at x. */
function extrapolate(points: Array<[number, number]>, x: number): number {
  const n = points.length;
  const mx = points.reduce((a, [px]) => a + px, 0) / n;
  const my = points.reduce((a, [, py]) => a + py, 0) / n;
  const sxx = points.reduce((a, [px]) => a + (px - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : points.reduce((a, [px, py]) => a + (px - mx) * (py - my), 0) / sxx;
  return my + slope * (x - mx);
}

/** A whole number for the table; '—' for a figure an earlier run of the bench did not take. */
const f0 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : Math.round(x).toLocaleString('en-GB'));

/** The growth table (Markdown), one line per size, and the least-squares extrapolation to 16 million. */
export function growthTable(points: GrowthPoint[], empty: IngestFigures): string {
  const head = '| records on file | start to URL (CPU; restarts) | RSS after start / idle (' + IDLE_REDUCED_MS / 1000 + ' s) after opens / after the 40,000 | 72 h of a patient, first open (serve CPU; records) | 10,000-record history, first open (serve CPU; records) | 40,000-record history: first open (serve CPU; pages) / reopened after a restart / chart (each: wall, serve CPU) | durable ingest (× an empty ward beside it; first empty ward: ' + f0(empty.readingsPerSecond) + '/s) | store / chain bytes per record |';
  const lines = points.map(
    (p) =>
      `| ${f0(p.records)} | ${f0(p.readyMs)} ms (${f0(p.readyCpuMs)}; ${p.restartReadyMs.map(f0).join(', ')}) | ${f0(p.rssAfterStartMb)} / ${f0(p.rssAfterOpensMb)} / ${f0(p.rssAfterWholeMb)} MB (anon ${f0(p.anonAfterOpensMb)} / ${f0(p.anonAfterWholeMb)}, file ${f0(p.fileAfterOpensMb)} / ${f0(p.fileAfterWholeMb)}; at ${IDLE_SETTLE_MS / 1000} s ${f0(p.earlyRssAfterOpensMb)} / ${f0(p.earlyRssAfterWholeMb)}) | ${f0(p.last72h.ms)} ms (${f0(p.last72h.cpuMs)}; ${f0(p.last72h.records)}) | ${f0(p.tenK.ms)} ms (${f0(p.tenK.cpuMs)}; ${f0(p.tenK.records)}, ${p.tenK.pages} pages) | ${f0(p.whole40k.ms)} ms (${f0(p.whole40k.cpuMs)}; ${f0(p.whole40k.records)}, ${p.whole40k.pages} pages) / ${f0(p.reopened40k?.ms)} (${f0(p.reopened40k?.cpuMs)}) / ${f0(p.chart40k.ms)} (${f0(p.chart40k.cpuMs)}) ms | ${f0(p.ingest.readingsPerSecond)}/s (${(p.ingest.readingsPerSecond / (p.ingest.emptyBeside ?? empty.readingsPerSecond)).toFixed(2)}×${p.ingest.emptyBeside ? ` of ${f0(p.ingest.emptyBeside)}/s beside it` : ''}) | ${f0(p.storeBytes / p.records)} / ${f0(p.chainBytes / p.records)} B |`,
  );
  // Only what can be fitted over a ward: wall times on a shared machine are mostly its load (a
  // straight line through them says nothing), and opens depend on the history opened, not on the
  // ward. Bytes are fitted as totals (per record at 16 million); start CPU and memory after start
  // read nothing per record, so their measured range is carried over (a line through two or three
  // noisy points would slope either way).
  const fitted = (f: (p: GrowthPoint) => number) => {
    const known = points.map((p): [number, number] => [p.records, f(p)]).filter(([, y]) => Number.isFinite(y));
    return known.length > 1 ? extrapolate(known, 16_000_000) : Number.NaN;
  };
  const perRecord = (f: (p: GrowthPoint) => number) => f0(fitted((p) => f(p)) / 16_000_000);
  const range = (f: (p: GrowthPoint) => number) => {
    const ys = points.map(f).filter(Number.isFinite);
    return ys.length ? `${f0(Math.min(...ys))}–${f0(Math.max(...ys))}` : '—';
  };
  const fit =
    points.length > 1
      ? `| 16,000,000 (extrapolated) | CPU ${range((p) => p.readyCpuMs)} ms (flat) | ${range((p) => p.rssAfterStartMb)} MB after start (flat) | per history | per history | per history | — | ${perRecord((p) => p.storeBytes)} / ${perRecord((p) => p.chainBytes)} B |`
      : null;
  return [head, '|' + '---:|'.repeat(8), ...lines, ...(fit ? [fit] : [])].join('\n');
}

export async function benchWardGrowth(
  sizes = (process.env.BENCH_GROWTH_SIZES ?? '100000,300000,1000000').split(',').map(Number),
): Promise<{ rows: BenchRow[]; details: Record<string, unknown>; summary: string }> {
  const kept = process.env.BENCH_GROWTH_DIR;
  const dir = kept ?? tempDir('wardledger-bench-growth-');
  try {
    const g: GrowthWard = existsSync(stateFile(dir)) ? (JSON.parse(readFileSync(stateFile(dir), 'utf8')) as GrowthWard) : await setUp(dir);
    saveState(dir, g);
    if (!g.emptyIngest) {
      g.emptyIngest = await timedIngest(dir, g, ingestPatient(g), g.onFile);
      g.onFile += TIMED_INGEST.batches * TIMED_INGEST.size;
      saveState(dir, g);
      process.stderr.write(`bench: growth empty ward: ${f0(g.emptyIngest.readingsPerSecond)} readings/s durable\n`);
    }
    const empty = g.emptyIngest;
    const rows: BenchRow[] = [];
    const points: GrowthPoint[] = [];
    const ordinary = g.patients[ORDINARY_FROM + 1]!;
    for (const size of sizes) {
      // A size already seeded in a kept directory is measured again (only the last one: later
      // sizes have changed what is on file).
      const remeasure = size === g.onFile && g.stages[String(size)] !== undefined;
      if (size < g.onFile || (size === g.onFile && !remeasure)) throw new Error(`${f0(size)} records: the ward in ${dir} already has ${f0(g.onFile)}.`);
      const stage = (g.stages[String(size)] ??= stageOf(g, Object.keys(g.stages).length));
      saveState(dir, g);
      let seedSeconds = g.points?.[String(size)]?.seedSeconds ?? Number.NaN;
      if (!remeasure) {
        seedSeconds = await seed(dir, g, stage, g.onFile, size - TIMED_INGEST.batches * TIMED_INGEST.size);
        const ingest = await timedIngest(dir, g, ingestPatient(g), size - TIMED_INGEST.batches * TIMED_INGEST.size);
        (g.ingestAt ??= {})[String(size)] = { ...ingest, emptyBeside: (await emptyWardIngest()).readingsPerSecond };
        g.onFile = size;
        saveState(dir, g);
      }
      const ingest = g.ingestAt![String(size)]!;
      if (process.env.BENCH_GROWTH_FORGET_MEMOS === '1') await forgetMemos(dir);
      const m = await measure(dir, g, stage, ordinary);
      const p: GrowthPoint = { records: size, seedSeconds, ingest, ...m };
      (g.points ??= {})[String(size)] = p;
      saveState(dir, g);
      points.push(p);
      process.stderr.write(`bench: growth ${f0(size)}: seeded in ${f0(seedSeconds)} s\n${growthTable([p], empty)}\n`);
      const label = `Ward with ${f0(size)} records`;
      const before = BEFORE[size];
      rows.push(
        makeRow({ name: `${label} — wardledger serve start to URL`, figure: p.readyMs, unit: 'ms', target: { cmp: '<=', value: 2000 }, baseline: before?.startMs ?? null, note: `page cache evicted before the start; CPU ${f0(p.readyCpuMs)} ms; the start right after seeding (it checks every batch seeded while stopped, as after a crash following a long run) ${f0(p.afterSeedReadyMs)} ms, CPU ${f0(p.afterSeedCpuMs)} ms; restarts ${p.restartReadyMs.map(f0).join(', ')} ms; baseline: the issue's log store${before ? '' : ' (did not start at all past 690,000)'}` }),
        makeRow({ name: `${label} — resident memory idle`, figure: Math.max(p.rssAfterStartMb, p.rssAfterOpensMb, p.rssAfterWholeMb), unit: 'MB', target: { cmp: '<=', value: 300 }, baseline: before?.rssMb ?? null, note: `VmRSS of the serve process: ${f0(p.rssAfterStartMb)} MB 1 s after start, ${f0(p.rssAfterOpensMb)} MB idle ${IDLE_REDUCED_MS / 1000} s after the 72 h and 10,000-record opens, ${f0(p.rssAfterWholeMb)} MB idle ${IDLE_REDUCED_MS / 1000} s after the 40,000-record open (anonymous ${f0(p.anonAfterOpensMb)} / ${f0(p.anonAfterWholeMb)} MB, file-mapped ${f0(p.fileAfterOpensMb)} / ${f0(p.fileAfterWholeMb)} MB; ${IDLE_SETTLE_MS / 1000} s after: ${f0(p.earlyRssAfterOpensMb)} / ${f0(p.earlyRssAfterWholeMb)} MB, before V8's memory reducer)` }),
        makeRow({ name: `${label} — first open of a patient's last 72 h`, figure: p.last72h.ms, unit: 'ms', target: { cmp: '<=', value: 300 }, baseline: null, note: `doctor's records/history over HTTP after a restart: ${f0(p.last72h.records)} records decrypted and verified (${openedBefore(p.blocksBefore?.last72h)}${process.env.BENCH_GROWTH_FORGET_MEMOS === '1' ? '; memos and blocks forgotten' : ''})` }),
        makeRow({ name: `${label} — first open of a 10,000-record history`, figure: p.tenK.ms, unit: 'ms', target: { cmp: '<=', value: 300 }, baseline: null, note: `every page of records/history: ${f0(p.tenK.records)} records in ${p.tenK.pages} pages (${openedBefore(p.blocksBefore?.tenK)})` }),
        makeRow({ name: `${label} — first open of a 40,000-record whole history after a restart`, figure: p.whole40k.ms, unit: 'ms', target: { cmp: '<=', value: 1000 }, baseline: null, note: `every page of records/history (${f0(p.whole40k.records)} records, ${p.whole40k.pages} pages, decrypted and verified; ${openedBefore(p.blocksBefore?.whole40k)}); after another restart (opened before: persistent memos and opened blocks) ${f0(p.reopened40k?.ms)} ms, then records/chart of the whole period ${f0(p.chart40k.ms)} ms (${f0(p.chart40k.points)} points)` }),
        makeRow({ name: `${label} — durable ingest`, figure: p.ingest.readingsPerSecond, unit: 'readings/s', target: { cmp: '>=', value: 0, minRatio: 1 }, baseline: p.ingest.emptyBeside ?? empty.readingsPerSecond, note: `StationIngestQueue, ${f0(TIMED_INGEST.batches * TIMED_INGEST.size)} readings acknowledged when durable${p.ingest.cpuMs ? ` (${f0(p.ingest.cpuMs)} ms CPU)` : ''}; baseline: the same on a fresh empty ward ${p.ingest.emptyBeside ? 'right after, under the same load' : `at the start of the run`}` }),
        makeRow({ name: `${label} — store bytes on disk per record`, figure: p.storeBytes / size, unit: 'B', target: { cmp: '<=', value: 1200 }, baseline: 2900, ratio: null, note: `records/store / records on file, the opened blocks of the histories opened included; full ingest speed (batches of about 1,000); baseline: records/log.jsonl per station reading` }),
        makeRow({ name: `${label} — chain bytes on disk per record`, figure: p.chainBytes / size, unit: 'B', target: null, baseline: null, note: `chain/ / records on file; last 20,000 readings alone: ${f0(p.ingest.chainBytesPerReading)} B chain, ${f0(p.ingest.storeBytesPerReading)} B store each` }),
      );
    }
    const rate = RATE_MINUTES > 0 ? await rateRun() : null;
    if (rate) rows.push(...rateRows(rate));
    const curve = Object.values(g.points ?? {}).sort((a, b) => a.records - b.records);
    return { rows, details: { dir: kept ?? null, emptyIngest: empty, points, rate }, summary: curve.length ? growthTable(curve, empty) : '' };
  } finally {
    if (!kept) removeDir(dir);
  }
}
