/**
 * Benchmark "storecheck" — what checking the store against the ward chain adds to a start
 * (records/chainCheck.ts, issue 9 item 5): a ward with BENCH_CHECK_BATCHES anchor batches
 * (default 1,000) of BENCH_CHECK_RECORDS records each (default 30: a 30-bed ward's readings of one
 * anchor window), each anchored by a real transaction on the ward's ganache through the anchor
 * queue. Measured: the first check (no checkpoint: every batch, consent and audit since the ward's
 * setup), a later start's check on the start's path (incremental from the checkpoint), and the
 * sweep over older batches that follows it in the background (up to SWEEP_BUDGET_MS: here it
 * covers every batch if the budget allows). Then the chain made long (BENCH_CHECK_EXTRA_BLOCKS
 * empty blocks, default 100,000: a node reads every block of a log query, empty or not) and a
 * patient's first check after a start, timed whole, against the two log queries from the ward's
 * setup it made before their events were kept (the baseline).
 */
import { ChainCheck } from '../../electron/core/records/chainCheck';
import { nurseRecord, nurseVitals, makeWard, scopeOf } from '../support/realRecords';
import { openInternals, type PipelineInternals } from '../support/pipelineInternals';
import { removeDir, staffedWard, startCore, tempDir } from '../support/tempCore';
import { makeRow, type BenchRow } from './table';

export async function benchStoreCheck(batches = Number(process.env.BENCH_CHECK_BATCHES ?? 1000), perBatch = Number(process.env.BENCH_CHECK_RECORDS ?? 30), extraBlocks = Number(process.env.BENCH_CHECK_EXTRA_BLOCKS ?? 100_000)): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
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
      const long = await firstCheckOnALongChain(g, ward.patients[0]!.address, extraBlocks);
      const what = `${batches.toLocaleString('en-GB')} batches × ${perBatch} records`;
      return {
        rows: [
          makeRow({ name: `Store check at the first start (${what})`, figure: firstMs, unit: 'ms', target: null, baseline: null, note: `${first.batchesChecked} batches, blocks ${first.fromBlock}–${first.toBlock}` }),
          makeRow({ name: `Store check at a later start (${what}), on the start's path`, figure: laterMs, unit: 'ms', target: null, baseline: null, note: 'incremental from the checkpoint' }),
          makeRow({ name: `Its sweep over older batches, after the start (${what})`, figure: sweepMs, unit: 'ms', target: null, baseline: null, note: `${later.batchesChecked} batches re-checked by the sweep` }),
          makeRow({
            name: `A patient's first check after a start, chain of ${long.blocks.toLocaleString('en-GB')} blocks`,
            figure: long.checkMs,
            unit: 'ms',
            target: null,
            baseline: long.fromSetupMs,
            note: `${extraBlocks.toLocaleString('en-GB')} empty blocks mined after the batches (a ward's anchors every 30 s and audits: about ${Math.round(extraBlocks / 3000)} days); the whole check, the patient's consent and audit events kept (patientChainEvents.ts), against the baseline: its two log queries from the ward's setup alone, as the check read them before`,
          }),
        ],
        details: { batches, perBatch, seedSeconds, first: { ms: firstMs, batches: first.batchesChecked }, later: { ms: laterMs, sweepMs, batches: later.batchesChecked }, longChain: { extraBlocks, ...long } },
      };
    } finally {
      await g.close();
    }
  } finally {
    removeDir(dir);
  }
}

/**
 * The chain made `extra` blocks longer, the start's check and the kept events' refresh run (as at a
 * start), then a patient's first check by a ChainCheck of its own (nothing checked in this process),
 * and the two log queries from the setup that check made before the events were kept.
 */
async function firstCheckOnALongChain(g: PipelineInternals, patient: string, extra: number): Promise<{ blocks: number; checkMs: number; fromSetupMs: number }> {
  for (let mined = 0; mined < extra; mined += 1000) await g.node.provider.send('evm_mine', [{ blocks: Math.min(1000, extra - mined) }]);
  await g.chainCheck.atStart();
  await g.chainCheck.eventsKept();
  const check = new ChainCheck(() => g.store, () => g.contracts(), g.identity, g.patients, () => g.station().privateKey, undefined, (root) => g.roots.isKnown(root));
  const t0 = performance.now();
  const result = await check.patient(patient);
  const checkMs = performance.now() - t0;
  await check.settled();
  if (result.warning) throw new Error(`the patient's check found differences in an untouched store: ${result.warning}`);
  const c = g.contracts();
  const blocks = await c.blockNumber();
  const t1 = performance.now();
  await c.consentChanges(g.identity.wardConfig.registryBlock, blocks, patient);
  await c.accessesAudited(g.identity.wardConfig.registryBlock, blocks, g.patients.refOf(patient).toLowerCase());
  return { blocks, checkMs, fromSetupMs: performance.now() - t1 };
}
