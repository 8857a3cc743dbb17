/**
 * The consortium client against a real node: anvil in its own process with 1 s blocks (a QBFT
 * block period), behind a proxy that answers as Besu does and injects faults. Publish-once under
 * dropped connections, nonces across restarts and gaps, the node killed mid-batch, log paging, size
 * limits, and offline as a state.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupIntoShares, prepareBatch, type PreparedBatch } from '../../../electron/core/consortium/batch';
import { ConsortiumClient, ledgerInterface } from '../../../electron/core/consortium/client';
import { Connectivity } from '../../../electron/core/consortium/connectivity';
import { JsonRpc, NodeRefused } from '../../../electron/core/consortium/rpc';
import { MAX_TX_BYTES } from '../../support/besuProxy';
import { startConsortium, type TestConsortium } from '../../support/consortiumChain';
import { credentialsOf, newPatient, newWard, nurseRecord, type TestWard } from '../../support/consortiumFixtures';

describe('consortium client through a Besu-like node', () => {
  let c: TestConsortium;
  let A: TestWard;
  let n = 0;
  /** A fresh state directory (one per simulated process lifetime of a ward). */
  const stateDir = () => {
    const d = join(c.dir, `ward-state-${n++}`);
    mkdirSync(d, { recursive: true });
    return d;
  };

  function batchOf(ward: TestWard, records = 5): PreparedBatch {
    const patient = newPatient(ward, 'Test Patient');
    const list = Array.from({ length: records }, (_, i) => nurseRecord(ward, patient, i));
    return prepareBatch({ context: c.context, publisher: { account: ward.sync.address, privateKey: ward.sync.privateKey, shareSecret: ward.shareSecret }, shares: groupIntoShares(list), credentialOf: credentialsOf(ward, c.context) });
  }

  beforeAll(async () => {
    c = await startConsortium();
    A = newWard('Ward A');
    await c.addWard(A);
  });
  afterAll(async () => c?.close());

  it('is in front of a node that refuses what Besu refuses', async () => {
    const rpc = new JsonRpc(c.proxy.url);
    expect(await rpc.call('eth_accounts')).toEqual([]);
    await expect(rpc.call('eth_sendTransaction', [{ from: A.sync.address, to: A.sync.address }])).rejects.toMatchObject({ code: -32604 });
    await c.anvil.rpc('anvil_mine', ['0x1770']); // 6,000 blocks at once
    await expect(rpc.call('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x1389' }])).rejects.toMatchObject({ code: -32005, nodeMessage: 'Requested range exceeds maximum RPC range limit' });
    expect(await rpc.call('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x1388' }])).toEqual(expect.any(Array)); // exactly 5,000 apart: allowed, as in Besu
    const big = await A.sync.signTransaction({ type: 0, gasPrice: 0n, chainId: c.anvil.chainId, nonce: 0, to: A.sync.address, gasLimit: 30_000_000n, data: '0x' + '11'.repeat(MAX_TX_BYTES) });
    await expect(rpc.call('eth_sendRawTransaction', [big])).rejects.toMatchObject({ nodeMessage: 'oversized data' });
  });

  it('publishes a batch once: a retry after the connection dropped past the send sends nothing new', async () => {
    const client = c.client(A.sync.privateKey, stateDir());
    const batch = batchOf(A);
    const sentBefore = c.proxy.count('eth_sendRawTransaction');
    c.proxy.inject({ method: 'eth_sendRawTransaction', action: 'drop-after' });
    const first = await client.publishBatch(batch);
    expect(first).toEqual({ status: 'offline', reason: 'the connection was dropped' });
    // Whether the retry finds the batch mined already or waits for the transaction still in the
    // node's pool depends on where the 1 s block period falls; either way nothing is sent again.
    const retry = await client.publishBatch(batch);
    expect(retry).toMatchObject({ status: 'done', batchId: batch.batchId });
    expect(c.proxy.count('eth_sendRawTransaction') - sentBefore).toBe(1);
    // And again later: the chain already has it; nothing is sent.
    expect(await client.publishBatch(batch)).toMatchObject({ status: 'done', already: true });
    expect(c.proxy.count('eth_sendRawTransaction') - sentBefore).toBe(1);
    expect(await client.batchOnChain(batch.batchId)).toMatchObject({ root: batch.root, count: batch.count });
  });

  it('recovers its nonces after a restart: a batch transaction the node never got is signed again into the same bytes', async () => {
    const dir = stateDir();
    const batch = batchOf(A);
    c.proxy.inject({ method: 'eth_sendRawTransaction', action: 'drop-before' });
    expect((await c.client(A.sync.privateKey, dir).publishBatch(batch)).status).toBe('offline');
    // The in-flight entry keeps the nonce, hash and gas limit, not the 128 KB payload (the
    // publisher keeps the prepared batch until it is on chain).
    const txDir = join(dir, `consortium-tx-${c.anvil.chainId}-${A.sync.address.toLowerCase()}`);
    const [file] = readdirSync(txDir);
    const entry = JSON.parse(readFileSync(join(txDir, file!), 'utf8')) as { hash: string; gasLimit?: string; raw?: string };
    expect(entry.raw).toBeUndefined();
    expect(entry.gasLimit).toMatch(/^\d+$/);
    expect(statSync(join(txDir, file!)).size).toBeLessThan(1024);
    // A new process on the same data directory: reconcile leaves the batch's transaction to the
    // batch's next send, which signs the batch again with that nonce and gas limit. RFC 6979
    // signatures are deterministic: the node gets the transaction whose hash was stored.
    const restarted = c.client(A.sync.privateKey, dir);
    const report = await restarted.reconcile();
    expect(report.rebroadcast).toBe(0);
    expect(await restarted.publishBatch(batch)).toMatchObject({ status: 'done', already: false, tx: entry.hash });
    const next = batchOf(A);
    expect(await restarted.publishBatch(next)).toMatchObject({ status: 'done' });
  });

  it('skips nonces used elsewhere and fills a hole below its own transactions', async () => {
    const dir = stateDir();
    const client = c.client(A.sync.privateKey, dir);
    await client.reconcile();
    // The same key sends two transactions behind the client's back (another tool, another process).
    const provider = new ethers.JsonRpcProvider(c.anvil.url, c.anvil.chainId, { staticNetwork: true, pollingInterval: 100 });
    const other = A.sync.connect(provider);
    for (let i = 0; i < 2; i++) await (await other.sendTransaction({ to: other.address, type: 0, gasPrice: 0n, gasLimit: 21_000n })).wait();
    expect(await client.publishBatch(batchOf(A))).toMatchObject({ status: 'done' });

    // A transaction signed for a nonce two ahead of the chain (its predecessors lost): the client
    // fills the hole with no-ops so it can be mined, and the batch gets on chain once.
    const latest = await provider.getTransactionCount(A.sync.address, 'latest');
    const batch = batchOf(A);
    const raw = await A.sync.signTransaction({ type: 0, gasPrice: 0n, chainId: c.anvil.chainId, nonce: latest + 2, to: c.ledger, gasLimit: 5_000_000n, data: ConsortiumClient.publishData(batch) });
    const holeDir = stateDir();
    const txDir = join(holeDir, `consortium-tx-${c.anvil.chainId}-${A.sync.address.toLowerCase()}`);
    mkdirSync(txDir, { recursive: true });
    writeFileSync(join(txDir, `${latest + 2}.json`), JSON.stringify({ nonce: latest + 2, hash: ethers.keccak256(raw), raw, purpose: `batch:${batch.batchId}`, sentAt: Date.now() }));
    const restarted = c.client(A.sync.privateKey, holeDir);
    const report = await restarted.reconcile();
    expect(report.fillers).toBe(2);
    expect(await restarted.publishBatch(batch)).toMatchObject({ status: 'done', tx: ethers.keccak256(raw) });
    expect(await provider.getTransactionCount(A.sync.address, 'latest')).toBe(latest + 3);
    provider.destroy();
  });

  // The node is stopped with SIGTERM: anvil then writes its state file whole (a SIGKILL can cut
  // its periodic state dump in half, which anvil then refuses to load — unlike Besu's database),
  // and the transactions in its pool are lost, as when a Besu RPC node restarts.
  it('gets every batch on chain exactly once when the node goes down mid-batch and comes back', async () => {
    const dir = stateDir();
    const batches = Array.from({ length: 6 }, () => batchOf(A, 20));
    const before = await c.client(A.sync.privateKey, dir).call(c.ledger, ledgerInterface, 'batchCount', [A.sync.address]);
    const client = c.client(A.sync.privateKey, dir, { requestTimeoutMs: 3000 });
    c.proxy.inject({ method: 'eth_getTransactionReceipt', action: 'delay', delayMs: 1500 });
    const publishing = client.publishBatches(batches, 4);
    await new Promise((r) => setTimeout(r, 1200));
    await c.anvil.stop();
    const interrupted = await publishing;
    expect(interrupted.stopped?.status).toBe('offline');
    await c.anvil.start();
    const resumed = await c.client(A.sync.privateKey, dir).publishBatches(batches, 4);
    expect(resumed.stopped).toBeNull();
    expect(resumed.published.map((p) => p.batchId)).toEqual(batches.map((b) => b.batchId));
    const fresh = c.client(A.sync.privateKey, dir);
    for (const b of batches) expect(await fresh.batchOnChain(b.batchId)).toMatchObject({ root: b.root, count: b.count });
    const [after] = await fresh.call(c.ledger, ledgerInterface, 'batchCount', [A.sync.address]);
    expect(after - before[0]).toBe(6n);
  });

  it('reads logs in pages a Besu node accepts, and smaller pages when the node allows fewer blocks', async () => {
    const client = c.client(A.sync.privateKey, stateDir());
    const b1 = batchOf(A);
    await client.publishBatch(b1);
    await c.anvil.rpc('anvil_mine', ['0x1388']); // 5,000 more blocks (6,000 were mined above)
    const b2 = batchOf(A);
    await client.publishBatch(b2);
    const head = await client.blockNumber();
    const topic = ledgerInterface.getEvent('BatchPublished')!.topicHash;
    const refusedBefore = c.proxy.refused.length;
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of client.logs({ address: c.ledger, topics: [topic] }, 0, head)) {
      pages.push(page.toBlock);
      ids.push(...page.logs.map((l) => l.topics[2]!));
    }
    expect(c.proxy.refused.length).toBe(refusedBefore);
    expect(pages.length).toBe(Math.ceil((head + 1) / 5000));
    expect(ids).toEqual(expect.arrayContaining([b1.batchId, b2.batchId]));

    c.proxy.maxLogsRange = 1000;
    try {
      const small: string[] = [];
      for await (const page of client.logs({ address: c.ledger, topics: [topic] }, 0, head)) small.push(...page.logs.map((l) => l.topics[2]!));
      expect(small).toEqual(ids);
      expect(c.proxy.refused.filter((r) => r.code === -32005).length).toBeGreaterThan(refusedBefore);
    } finally {
      c.proxy.maxLogsRange = 5000;
    }
  });

  it('refuses a batch larger than the node accepts before sending anything', async () => {
    const client = c.client(A.sync.privateKey, stateDir());
    const patient = newPatient(A, 'Big');
    const huge = prepareBatch({
      context: c.context,
      publisher: { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret },
      shares: groupIntoShares(Array.from({ length: 400 }, (_, i) => nurseRecord(A, patient, i))),
      credentialOf: credentialsOf(A, c.context),
    });
    const sent = c.proxy.count('eth_sendRawTransaction');
    const r = await client.publishBatch(huge);
    expect(r.status).toBe('failed');
    if (r.status === 'failed') expect(r.error.message).toMatch(/more than the 131072 bytes the consortium node accepts/);
    expect(c.proxy.count('eth_sendRawTransaction')).toBe(sent);
    expect(await client.batchOnChain(huge.batchId)).toBeNull();
  });

  it('reports offline with a reason (refused, dropped, no answer, HTTP 503) and comes back online', async () => {
    const client = c.client(A.sync.privateKey, stateDir(), { requestTimeoutMs: 1000 });
    const net = new Connectivity(client, { random: () => 0.5 });
    expect(await net.check()).toMatchObject({ status: 'online' });
    c.proxy.setOffline(true);
    expect(await net.check()).toMatchObject({ status: 'offline', failures: 1, reason: expect.stringMatching(/dropped|refused/) });
    expect(await client.publishBatch(batchOf(A))).toMatchObject({ status: 'offline' });
    expect(await net.check()).toMatchObject({ status: 'offline', failures: 2 });
    expect(net.backoff(2)).toBe(2000);
    expect(net.backoff(10)).toBe(60_000);
    c.proxy.setOffline(false);
    c.proxy.inject({ action: 'hang' });
    expect(await net.check()).toMatchObject({ status: 'offline', reason: expect.stringMatching(/no answer within 1 s/) });
    c.proxy.inject({ action: 'http-503' });
    expect(await net.check()).toMatchObject({ status: 'offline', reason: expect.stringMatching(/HTTP 503/) });
    expect(await net.check()).toMatchObject({ status: 'online' });
  });

  it('explains a refusal without revert reasons: a ward that is not a member', async () => {
    const stranger = newWard('Not a member');
    const client = c.client(stranger.sync.privateKey, stateDir());
    const r = await client.publishBatch(batchOf(stranger));
    expect(r.status).toBe('failed');
    if (r.status === 'failed') expect(r.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/not an active member of the consortium/) });
    const err = await new JsonRpc(c.proxy.url).call('eth_sendTransaction', [{}]).catch((e) => e);
    expect(err).toBeInstanceOf(NodeRefused);
  });
});
