/**
 * Benchmark "storecheck" — what checking the store against the ward chain adds to a start
 * (records/chainCheck.ts, issue 9 item 5): a ward with BENCH_CHECK_BATCHES anchor batches
 * (default 1,000) of BENCH_CHECK_RECORDS records each (default 30: a 30-bed ward's readings of one
 * anchor window), each anchored by a real transaction on the ward's ganache through the anchor
 * queue. Measured: the first check (no checkpoint: every batch, consent and audit since the ward's
 * setup), a later start's check on the start's path (incremental from the checkpoint), and the
 * sweep over older batches that follows it in the background (up to SWEEP_BUDGET_MS: here it
 * covers every batch if the budget allows).
 */
import { nurseRecord, nurseVitals, makeWard, scopeOf } from '../support/realRecords';
import { openInternals } from '../support/pipelineInternals';
import { removeDir, staffedWard, startCore, tempDir } from '../support/tempCore';
import { makeRow, type BenchRow } from './table';

export async function benchStoreCheck(batches = Number(process.env.BENCH_CHECK_BATCHES ?? 1000), perBatch = Number(process.env.BENCH_CHECK_RECORDS ?? 30)): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const dir = tempDir('wardledger-bench-check-');
  try {
    const core = await startCore(dir);
    await staffedWard(core);
    await core.stop();
    const g = await openInternals(dir);
    try {
      const ward = makeWard(perBatch);
      const seedStart = performance.now();
      for (let b = 0; b < batches; b++) {
        const records = ward.patients.map((p, i) => nurseRecord(ward, p, nurseVitals(b * perBatch + i), { createdAt: Date.UTC(2026, 0, 1) + b * 30_000 + i }));
        await g.store.write((w) => {
          for (const p of ward.patients) {
            const s = scopeOf(ward, p);
            if (s.created) w.scope(p.address, s.scope);
          }
          for (const r of records) w.record(r, { vitals: 'complete' });
        });
        await g.anchorQueue.anchor(records.map((record) => ({ record })));
      }
      const seedSeconds = (performance.now() - seedStart) / 1000;
      const t0 = performance.now();
      const first = await g.chainCheck.atStart();
      const firstMs = performance.now() - t0;
      const t1 = performance.now();
      await g.chainCheck.atStart();
      const laterMs = performance.now() - t1;
      // The sweep over older batches runs after the start, off its path: the report waits for it.
      const later = (await g.chainCheck.report())!;
      const sweepMs = performance.now() - t1 - laterMs;
      if (first.findings.length || later.findings.length) throw new Error(`the check found differences in an untouched store: ${first.findings.concat(later.findings).join(' ')}`);
      const what = `${batches.toLocaleString('en-GB')} batches × ${perBatch} records`;
      return {
        rows: [
          makeRow({ name: `Store check at the first start (${what})`, figure: firstMs, unit: 'ms', target: null, baseline: null, note: `${first.batchesChecked} batches, blocks ${first.fromBlock}–${first.toBlock}` }),
          makeRow({ name: `Store check at a later start (${what}), on the start's path`, figure: laterMs, unit: 'ms', target: null, baseline: null, note: 'incremental from the checkpoint' }),
          makeRow({ name: `Its sweep over older batches, after the start (${what})`, figure: sweepMs, unit: 'ms', target: null, baseline: null, note: `${later.batchesChecked} batches re-checked by the sweep` }),
        ],
        details: { batches, perBatch, seedSeconds, first: { ms: firstMs, batches: first.batchesChecked }, later: { ms: laterMs, sweepMs, batches: later.batchesChecked } },
      };
    } finally {
      await g.close();
    }
  } finally {
    removeDir(dir);
  }
}
