/**
 * The consortium foundation's figures: how many records fit one publishBatch under the 128 KB
 * transaction limit, its bytes and gas per record, and how fast 5,000 records reach anvil (a real
 * node in its own process, 1 s blocks, behind the Besu proxy) when batches are sent several per
 * block period. Records are the ward's own: 98 % station readings from bedside monitors (signed
 * per ingest batch) and the rest nurse sets, over 30 patients, as the issue-12 measurements found.
 */
import { groupIntoShares, prepareBatch, type PreparedBatch } from '../../electron/core/consortium/batch';
import type { PublishableRecord } from '../../electron/core/consortium/payload';
import { useFastKeccak } from '../../electron/core/crypto/keccak';
import { budgetFor, planBatch, publishGasBound, publishTxBytes } from '../../electron/core/consortium/sizing';
import { startConsortium } from '../support/consortiumChain';
import { credentialsOf, newPatient, newWard, nurseRecord, stationRecords } from '../support/consortiumFixtures';
import { makeRow, type BenchRow } from './table';

const RECORDS = 5000;
const PATIENTS = 30;

export async function benchConsortiumPublish(): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  await useFastKeccak(); // as the core does at start
  const c = await startConsortium({ blockTime: 1 });
  try {
    const A = newWard('Bench ward');
    await c.addWard(A);
    const patients = Array.from({ length: PATIENTS }, (_, i) => newPatient(A, `Patient ${i}`));
    const records: PublishableRecord[] = [];
    const t0 = Date.now() - 86_400_000;
    for (let start = 0; records.length < RECORDS; start += 500) {
      // One station ingest batch covers one minute of every bed; a nurse set now and then.
      records.push(...stationRecords(A, Array.from({ length: 490 }, (_, i) => ({ patient: patients[i % PATIENTS]!, i: start + i })), t0 + start * 1000));
      for (let k = 0; k < 10; k++) records.push(nurseRecord(A, patients[(start + k) % PATIENTS]!, start + k, t0 + start * 1000 + k));
    }
    records.length = RECORDS;

    const client = c.client(A.sync.privateKey, c.dir);
    const budget = budgetFor(await client.blockGasLimit());
    const publisher = { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret };
    const prepare = (shares: ReturnType<typeof groupIntoShares>) => prepareBatch({ context: c.context, publisher, shares, credentialOf: credentialsOf(A, c.context), station: A.station });

    const prepStart = performance.now();
    const batches: PreparedBatch[] = [];
    for (let at = 0; at < records.length; ) {
      const { batch, used } = planBatch(records.slice(at), budget, prepare, { station: A.station.address });
      batches.push(batch);
      at += used;
    }
    const prepSeconds = (performance.now() - prepStart) / 1000;

    const startBlock = await client.blockNumber();
    const sendStart = performance.now();
    const result = await client.publishBatches(batches, 12);
    const sendSeconds = (performance.now() - sendStart) / 1000;
    if (result.stopped) throw new Error(`publishing stopped: ${JSON.stringify(result.stopped)}`);
    const endBlock = Math.max(...result.published.map((p) => p.block));

    const full = batches[0]!;
    const gasUsed = result.published[0]!.gasUsed ?? 0;
    const totalGas = result.published.reduce((s, p) => s + (p.gasUsed ?? 0), 0);
    const payloadBytes = batches.reduce((s, b) => s + b.records.length, 0);
    const txBytes = batches.reduce((s, b) => s + publishTxBytes(b), 0);
    const details = {
      records: RECORDS,
      batches: batches.length,
      recordsPerFullBatch: full.count,
      sharesPerFullBatch: full.shares.length,
      fullBatchTxBytes: publishTxBytes(full),
      fullBatchGasUsed: gasUsed,
      fullBatchGasBound: publishGasBound(full),
      gasPerRecord: totalGas / RECORDS,
      payloadBytesPerRecord: payloadBytes / RECORDS,
      txBytesPerRecord: txBytes / RECORDS,
      blockGasLimit: await client.blockGasLimit(),
      blocksUsed: endBlock - startBlock,
      prepareSeconds: prepSeconds,
      publishSeconds: sendSeconds,
      recordsPerSecond: RECORDS / sendSeconds,
    };
    const rows = [
      makeRow({ name: 'Consortium: records in one batch under 128 KB', figure: full.count, unit: 'records', target: null, baseline: null, note: `${publishTxBytes(full)} bytes signed, ${full.shares.length} shares, gas ${gasUsed} (bound ${publishGasBound(full)})` }),
      makeRow({ name: 'Consortium: chain bytes per record', figure: txBytes / RECORDS, unit: 'B', target: null, baseline: null, note: `sealed payload ${(payloadBytes / RECORDS).toFixed(0)} B per record; the rest is ABI and grants` }),
      makeRow({ name: 'Consortium: gas per record', figure: totalGas / RECORDS, unit: 'gas', target: null, baseline: null, note: `block gas limit ${details.blockGasLimit}` }),
      makeRow({ name: `Consortium: publish ${RECORDS} records to anvil (1 s blocks)`, figure: RECORDS / sendSeconds, unit: 'rec/s', target: null, baseline: null, note: `${batches.length} transactions in ${details.blocksUsed} blocks, ${sendSeconds.toFixed(1)} s sending and confirming; preparing (seal, trees, station signatures) ${prepSeconds.toFixed(1)} s` }),
    ];
    return { rows, details };
  } finally {
    await c.close();
  }
}
