/**
 * `npm run bench`: the WardLedger quality benchmarks (PRODUCT.md "Quality targets").
 * Each benchmark starts its own fresh core (real ganache, real fsync) in a temp dir and stops it.
 * Prints the table and writes the same as JSON to test/bench/results/latest.json.
 *
 * Usage: tsx test/bench/run.ts [save] [history] [throughput] [ingest] [store] [bytes] [start] [storecheck] [consortium] [login] [board] [review] [minute] [growth]   (default: all but growth)
 *   BENCH_GROWTH_INGEST_ONLY=1 BENCH_GROWTH_DIR=DIR tsx test/bench/run.ts growth: the durable ingest alone on a kept grown ward, alternately with a fresh empty ward (test/bench/wardGrowth.ts benchIngestOnly)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setLogLevel } from '../../electron/core/platform/log';
import { benchBoardScan } from './boardScan';
import { benchConsortiumSync } from './consortiumSync';
import { benchHistoryOpen } from './historyOpen';
import { benchIngest } from './ingest';
import { benchLogin } from './login';
import { benchRecordReview } from './recordReview';
import { benchSaveLatency } from './saveLatency';
import { benchStartup } from './startup';
import { benchStoreBytes } from './storeBytes';
import { benchStoreCheck } from './storeCheck';
import { benchStoreGrowth } from './storeGrowth';
import { formatTable, makeRow, type BenchRow } from './table';
import { benchThroughput } from './throughput';
import { benchIngestOnly, benchMinuteRate, benchWardGrowth } from './wardGrowth';

interface BenchOutcome {
  rows: BenchRow[];
  details: Record<string, unknown>;
  boundedBy?: string;
  /** A table of its own, printed after the rows (the growth table). */
  summary?: string;
}

const benchmarks: Record<string, { title: string; run: () => Promise<BenchOutcome> }> = {
  save: { title: 'Save a vitals set until anchored and durable', run: () => benchSaveLatency() },
  history: { title: 'Open a 10,000-record history, decrypted, verified and chart-ready', run: () => benchHistoryOpen() },
  throughput: { title: 'Records per second through the pipeline vs one transaction per record', run: () => benchThroughput() },
  ingest: { title: 'Durable ingest from simulated bedside oximeters, API latency meanwhile', run: () => benchIngest() },
  store: { title: 'The ward store as the records on file grow (100,000 / 300,000 / 1,000,000)', run: () => benchStoreGrowth() },
  storecheck: { title: 'Checking the store against the ward chain at start (issue 9 item 5)', run: () => benchStoreCheck() },
  consortium: { title: 'Consortium sync engine: publish 50,000 records to anvil (1 s blocks) and pull them into a second ward, verified; vs one transaction per record', run: () => benchConsortiumSync() },
  login: { title: 'Login at the recommended keystore strength, API latency during a burst of 24 logins', run: () => benchLogin() },
  board: { title: 'Ward board with a bound monitor since the last full set', run: () => benchBoardScan() },
  review: { title: 'The record page with 10,000 records, rendered in Chromium', run: () => benchRecordReview() },
  start: { title: 'wardledger serve from start to ready (issue 12)', run: () => benchStartup() },
  bytes: { title: 'Where a record\'s bytes on disk go: the store per table, as written and compacted (issue 12)', run: () => benchStoreBytes() },
  minute: { title: 'One reading per bed per minute: store and chain bytes per reading (issue 12; the growth bench\'s part alone)', run: () => benchMinuteRate() },
  growth: { title: 'wardledger serve as the records on file grow (100,000 / 300,000 / 1,000,000)', run: () => (process.env.BENCH_GROWTH_INGEST_ONLY === '1' && process.env.BENCH_GROWTH_DIR ? benchIngestOnly(process.env.BENCH_GROWTH_DIR) : benchWardGrowth()) },
};

const resultsPath = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');

const load = () => loadavg().map((x) => Number(x.toFixed(2)));

async function main(): Promise<void> {
  setLogLevel('warn');
  const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = chosen.filter((c) => !(c in benchmarks));
  if (unknown.length) throw new Error(`Unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(benchmarks).join(', ')}.`);
  // The growth benchmark seeds a million records (tens of minutes) and the minute one runs in real
  // time (its part of growth): run by name only.
  const names = chosen.length ? chosen : Object.keys(benchmarks).filter((n) => n !== 'growth' && n !== 'minute');

  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}`, loadAverageAtStart: load() };
  const startedAt = new Date();
  const rows: BenchRow[] = [];
  const details: Record<string, unknown> = {};
  const boundedBy: string[] = [];
  const summaries: string[] = [];
  for (const name of names) {
    const b = benchmarks[name]!;
    process.stderr.write(`bench: ${b.title} …\n`);
    const start = performance.now();
    try {
      const outcome = await b.run();
      rows.push(...outcome.rows);
      details[name] = { ...outcome.details, seconds: (performance.now() - start) / 1000, loadAverageAfter: load() };
      if (outcome.boundedBy) boundedBy.push(outcome.boundedBy);
      if (outcome.summary) summaries.push(`${b.title}:\n\n${outcome.summary}`);
    } catch (e) {
      // A broken benchmark is reported, and the others still run.
      rows.push({ ...makeRow({ name: b.title, figure: Number.NaN, unit: '—', target: null, baseline: null, note: `error: ${(e as Error).message}` }), verdict: 'FAIL' });
      details[name] = { error: (e as Error).stack ?? String(e) };
    }
    process.stderr.write(`bench: done in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  }

  const finishedAt = new Date();
  console.log(formatTable(rows));
  console.log('');
  for (const r of rows) if (r.note) console.log(`- ${r.name}: ${r.note}`);
  for (const b of boundedBy) console.log(b);
  for (const t of summaries) console.log(`\n${t}\n`);
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.platform}, Node ${machine.node}; load average at start ${machine.loadAverageAtStart.join(' ')}, at end ${load().join(' ')} (other processes may be running)`);
  console.log(`total ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s; JSON: ${resultsPath}`);

  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(
    resultsPath,
    JSON.stringify({ startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), machine: { ...machine, loadAverageAtEnd: load() }, rows, boundedBy, details }, null, 2) + '\n',
  );
}

// A benchmark that waits only on unreferenced handles (a worker's answer, an unref'd timer) lets
// the event loop empty: the process would end with status 0 and no table. Say so, and fail.
process.once('beforeExit', () => {
  console.error('bench: the event loop emptied while a benchmark was still waiting (nothing kept the process alive); no results.');
  process.exit(1);
});

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  },
);
