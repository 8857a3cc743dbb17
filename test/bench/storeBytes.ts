/**
 * Where a record's bytes on disk go (issue 12, "bytes per record ≤ 1.2 KB"): a ward seeded as the
 * growth benchmark seeds it (wardGrowth.ts: station readings in batches of about 980, 1 in 50 a
 * nurse's complete set, 1 in 500 a note, anchored on the real chain), the store's directory
 * measured as written and again after a full compaction (LevelDB keeps overwritten and deleted
 * entries until it compacts), and every entry of the store counted per table (key and value bytes).
 *
 * Usage: `BENCH_BYTES_RECORDS=10000 npx tsx test/bench/run.ts bytes`
 */
import { join } from 'node:path';
import { removeDir, tempDir } from '../support/tempCore';
import { dirBytes, tableBytes } from './storeGrowth';
import { makeRow, type BenchRow } from './table';
import { compactAll, seed, setUp, stageOf } from './wardGrowth';

export async function benchStoreBytes(records = Number(process.env.BENCH_BYTES_RECORDS ?? 10_000)): Promise<{ rows: BenchRow[]; details: Record<string, unknown>; summary: string }> {
  const dir = tempDir('wardledger-bench-bytes-');
  try {
    const g = await setUp(dir);
    const storeDir = join(dir, 'records', 'store');
    const empty = dirBytes(storeDir);
    await seed(dir, g, stageOf(g, 0), 0, records);
    const written = dirBytes(storeDir);
    await compactAll(dir);
    const compacted = dirBytes(storeDir);
    const byTable = await tableBytes(dir);
    const per = (n: number) => n / records;
    const summary = [
      `| table | entries | bytes per record (keys + values) | key / value per entry |`,
      `|---|---:|---:|---:|`,
      ...byTable.map((t) => `| ${t.table} | ${t.entries.toLocaleString('en-GB')} | ${per(t.keyBytes + t.valueBytes).toFixed(1)} | ${(t.keyBytes / t.entries).toFixed(0)} / ${(t.valueBytes / t.entries).toFixed(0)} |`),
    ].join('\n');
    const rows = [
      makeRow({ name: `Store bytes per record as written (${records.toLocaleString('en-GB')} records)`, figure: per(written - empty), unit: 'B', target: { cmp: '<=', value: 1200 }, baseline: null, note: 'records/store directory, uncompacted' }),
      makeRow({ name: 'Store bytes per record after a full compaction', figure: per(compacted - empty), unit: 'B', target: { cmp: '<=', value: 1200 }, baseline: null, note: `entries: ${per(byTable.reduce((n, t) => n + t.keyBytes + t.valueBytes, 0)).toFixed(0)} B a record before LevelDB's block overhead` }),
    ];
    return { rows, details: { records, emptyBytes: empty, writtenBytes: written, compactedBytes: compacted, tables: byTable }, summary };
  } finally {
    removeDir(dir);
  }
}
