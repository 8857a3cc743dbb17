/**
 * The sync engine against a real node: anvil in its own process (1 s blocks, state kept across
 * restarts) behind the proxy that answers as Besu does and injects faults. Each scenario ends with
 * every record on the consortium exactly once (expectExactlyOnce: each record's proof reaches the
 * root the ledger stored for its batch, and the ward's batches on chain hold exactly as many
 * records as were written).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishProgress } from '../../../electron/core/consortium/publisher';
import { startConsortium, type TestConsortium } from '../../support/consortiumChain';
import { newPatient, newWard, nurseRecord, wardRecords, type TestWard } from '../../support/consortiumFixtures';
import { wardConfig, type SyncChildConfig } from '../../support/syncChild';
import { expectExactlyOnce, openSyncWard, openTestOutbox, OUTBOX_KINDS } from '../../support/syncWard';

/** A real node with 1 s blocks on a shared machine: a limit well above what a run takes here under load. */
const SLOW = 300_000;

// Each scenario runs on the LevelDB test outbox and on the ward's record store through the
// adapter the core uses (records/consortiumOutbox.ts).
describe.each(OUTBOX_KINDS)('consortium sync engine: publishing (%s outbox)', (kind) => {
  let c: TestConsortium;
  let n = 0;
  const wardDir = () => {
    const d = join(c.dir, `ward-${n++}`);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const options = () => ({ url: c.proxy.url, ledger: c.ledger, context: c.context, client: { requestTimeoutMs: 3000 }, outbox: kind });

  async function newSyncingWard(name: string): Promise<TestWard> {
    const w = newWard(name);
    await c.addWard(w);
    return w;
  }

  beforeAll(async () => {
    c = await startConsortium({ blockTime: 1 });
  });
  afterAll(async () => c?.close());

  it('publishes the outbox in batches prepared once, and its status tells the console what happened', async () => {
    const A = await newSyncingWard('Ward 3 East');
    const patients = Array.from({ length: 8 }, (_, i) => newPatient(A, `Patient ${i}`));
    const sync = await openSyncWard(A, wardDir(), options());
    try {
      await sync.outbox.add(wardRecords(A, patients, 600));
      const before = await sync.engine.status();
      expect(before).toMatchObject({ queue: 600, lastSuccess: null, history: [], activity: 'stopped' });
      // A batch prepared in this round (a fresh random id, handed to no client before) goes out
      // without the client asking the chain whether it is there: count the real client's asks.
      let asked = 0;
      const batchOnChain = sync.client.batchOnChain.bind(sync.client);
      sync.client.batchOnChain = (...args) => (asked++, batchOnChain(...args));
      await sync.engine.syncNow();
      expect(asked).toBe(0);
      const after = await sync.engine.status();
      expect(after.errors).toEqual([]);
      expect(after).toMatchObject({ queue: 0, connection: { status: 'online' }, currentBatch: { stage: 'confirmed', roundRecords: 600, roundQueued: 0 } });
      expect(after.lastSuccess).toBeGreaterThan(0);
      // 600 records of ~1.3 KB do not fit one 128 KB transaction: several full batches.
      expect(after.history.length).toBeGreaterThanOrEqual(6);
      expect(after.history.reduce((s, h) => s + h.records, 0)).toBe(600);
      for (const h of after.history) expect(h.payloadBytes).toBeLessThan(128 * 1024);
      expect(await sync.state.prepared()).toEqual([]);
      expect(await expectExactlyOnce(sync.client, sync.outbox)).toMatchObject({ records: 600, batches: after.history.length });
      // Records written later go in the next round; nothing is sent when nothing waits.
      await sync.outbox.add(wardRecords(A, patients, 20));
      await sync.engine.syncNow();
      const sent = c.proxy.count('eth_sendRawTransaction');
      await sync.engine.syncNow();
      expect(c.proxy.count('eth_sendRawTransaction')).toBe(sent);
      expect(await expectExactlyOnce(sync.client, sync.outbox)).toMatchObject({ records: 620 });
    } finally {
      await sync.close();
    }
  }, SLOW);

  // Batches are cut from the outbox grouped by patient (a share costs a grant and a signature per
  // recipient on both sides), so a batch's records are not contiguous in the outbox.
  it('cuts batches patient by patient, keeps each patient in write order, and after an outage leaves no record behind', async () => {
    const A = await newSyncingWard('Ward 3 South');
    const patients = Array.from({ length: 3 }, (_, i) => newPatient(A, `Patient ${i}`));
    let onProgress = (_p: PublishProgress) => {};
    const sync = await openSyncWard(A, wardDir(), { ...options(), client: { requestTimeoutMs: 1000 }, engine: { onProgress: (p) => onProgress(p) } });
    try {
      // Written round robin: patient 0, 1, 2, 0, 1, 2, …
      const written = wardRecords(A, patients, 300);
      await sync.outbox.add(written);
      // The node goes away once the first batch is out: it stays prepared, its records still in the outbox.
      onProgress = (p) => {
        if (p.stage === 'sent') c.proxy.setOffline(true);
      };
      await sync.engine.syncNow();
      onProgress = () => {};
      const prepared = await sync.state.prepared();
      expect(prepared.length).toBeGreaterThan(0);
      expect((await sync.engine.status()).queue).toBe(300);
      // The first batch holds one patient's records: positions far apart in the outbox.
      const seqs = prepared[0]!.members.map((m) => m.seq).sort((x, y) => x - y);
      expect(seqs[seqs.length - 1]! - seqs[0]!).toBeGreaterThan(prepared[0]!.members.length * 2);
      c.proxy.setOffline(false);
      // One round publishes the prepared batch and everything else: nothing skipped for being
      // older than the prepared batch's last record.
      await sync.engine.syncNow();
      const s = await sync.engine.status();
      expect(s).toMatchObject({ queue: 0, connection: { status: 'online' } });
      expect(await expectExactlyOnce(sync.client, sync.outbox)).toMatchObject({ records: 300 });
      // Patient by patient, a batch cuts at most one patient's records short (one page of the
      // outbox): shares ≤ batches + patients − 1 (not grouped, every batch would hold all three).
      expect(s.history.reduce((n, h) => n + h.shares, 0)).toBeLessThanOrEqual(s.history.length + patients.length - 1);
      // Each patient's records reach the chain in write order (an amendment never before its original).
      const order = new Map(s.history.map((h, i) => [h.batchId, s.history.length - i])); // history is newest first
      const published = await sync.outbox.published();
      for (const patient of patients) {
        const places = written.filter((r) => r.patient.toLowerCase() === patient.wallet.address.toLowerCase()).map((r) => published.get(r.id.toLowerCase())!);
        const positions = places.map((p) => order.get(p.batchId)! * 1e6 + p.place.index);
        expect(positions).toEqual([...positions].sort((x, y) => x - y));
      }
    } finally {
      c.proxy.setOffline(false);
      await sync.close();
    }
  }, SLOW);

  it('holds back a record that cannot be published, with the cause, and publishes the rest', async () => {
    const A = await newSyncingWard('Ward 3 West');
    const patient = newPatient(A, 'P');
    const sync = await openSyncWard(A, wardDir(), options());
    try {
      // A record by someone who never signed a credential for this consortium.
      const stranger = newWard('elsewhere');
      const orphan = nurseRecord(stranger, patient, 99);
      await sync.outbox.add([...wardRecords(A, [patient], 10), orphan, ...wardRecords(A, [patient], 10)]);
      await sync.engine.syncNow();
      const s = await sync.engine.status();
      expect(s.errors).toEqual([]);
      expect(s.held).toEqual([expect.objectContaining({ id: orphan.id, cause: expect.stringMatching(/no valid credential for this consortium/) })]);
      expect(s.queue).toBe(1);
      expect((await sync.outbox.published()).size).toBe(20);
      expect((await sync.outbox.published()).has(orphan.id.toLowerCase())).toBe(false);
    } finally {
      await sync.close();
    }
  }, SLOW);

  it('is offline while the node is unreachable, backs off, and publishes when it comes back', async () => {
    const A = await newSyncingWard('Ward 4 West');
    const sync = await openSyncWard(A, wardDir(), { ...options(), client: { requestTimeoutMs: 1000 } });
    try {
      await sync.outbox.add(wardRecords(A, [newPatient(A, 'P')], 50));
      c.proxy.setOffline(true);
      await sync.engine.syncNow();
      let s = await sync.engine.status();
      expect(s.connection).toMatchObject({ status: 'offline', failures: 1 });
      expect(s.errors[0]).toMatchObject({ during: 'connect', code: 'OFFLINE', cause: expect.stringMatching(/not reachable/) });
      expect(s.queue).toBe(50);
      await sync.engine.syncNow();
      s = await sync.engine.status();
      expect(s.connection).toMatchObject({ status: 'offline', failures: 2 });
      c.proxy.setOffline(false);
      await sync.engine.syncNow();
      s = await sync.engine.status();
      expect(s).toMatchObject({ queue: 0, connection: { status: 'online' } });
      await expectExactlyOnce(sync.client, sync.outbox);
      // Paused: nothing goes until resumed.
      sync.engine.pause();
      await sync.outbox.add(wardRecords(A, [newPatient(A, 'Q')], 5));
      sync.engine.start();
      await new Promise((r) => setTimeout(r, 1500));
      expect((await sync.engine.status()).queue).toBe(5);
      await sync.engine.syncNow();
      expect((await sync.engine.status()).queue).toBe(0);
    } finally {
      await sync.close();
    }
  }, SLOW);

  // The node is stopped with SIGTERM (anvil writes its state whole; a SIGKILL can cut its state
  // dump in half, which anvil then refuses to load) and its pool is lost, as when a Besu RPC node
  // restarts.
  it('gets every record on chain exactly once when the node goes down mid-batch and comes back', async () => {
    const A = await newSyncingWard('Ward 5 North');
    const dir = wardDir();
    let onProgress = (_p: PublishProgress) => {};
    const sync = await openSyncWard(A, dir, { ...options(), inFlight: 4, engine: { failureRetryMs: 200, onProgress: (p) => onProgress(p) } });
    try {
      await sync.outbox.add(wardRecords(A, Array.from({ length: 10 }, (_, i) => newPatient(A, `P${i}`)), 1500));
      let sent = 0;
      const stopped = new Promise<void>((resolveStop) => {
        onProgress = (p) => {
          if (p.stage === 'sent' && ++sent === 6) void c.anvil.stop().then(resolveStop);
        };
      });
      const round = sync.engine.syncNow();
      await stopped;
      await round;
      const s = await sync.engine.status();
      expect(s.connection.status).toBe('offline');
      expect(s.queue).toBeGreaterThan(0);
      const preparedBefore = (await sync.state.prepared()).length;
      expect(preparedBefore).toBeGreaterThan(0);
      // Batches prepared before the outage may have been sent: each is asked about before it goes again.
      let asked = 0;
      const batchOnChain = sync.client.batchOnChain.bind(sync.client);
      sync.client.batchOnChain = (...args) => (asked++, batchOnChain(...args));
      await c.anvil.start();
      while ((await sync.outbox.count()) > 0) await sync.engine.syncNow();
      expect(asked).toBeGreaterThanOrEqual(preparedBefore);
      expect(await expectExactlyOnce(sync.client, sync.outbox)).toMatchObject({ records: 1500 });
    } finally {
      await sync.close();
    }
  }, SLOW);

  it('gets every record on chain exactly once through connections dropped at random', async () => {
    const A = await newSyncingWard('Ward 6 South');
    const sync = await openSyncWard(A, wardDir(), { ...options(), inFlight: 6 });
    try {
      await sync.outbox.add(wardRecords(A, Array.from({ length: 10 }, (_, i) => newPatient(A, `P${i}`)), 1500));
      c.proxy.randomFaults({ rate: 0.15, actions: ['drop-before', 'drop-after', 'http-503'], seed: 1306 });
      let rounds = 0;
      while ((await sync.outbox.count()) > 0 && rounds++ < 200) await sync.engine.syncNow();
      c.proxy.randomFaults(null);
      expect(c.proxy.injected).toBeGreaterThan(5);
      expect((await sync.engine.status()).errors.length).toBeGreaterThan(0);
      expect(await expectExactlyOnce(sync.client, sync.outbox)).toMatchObject({ records: 1500 });
    } finally {
      c.proxy.randomFaults(null);
      await sync.close();
    }
  }, SLOW);

  it('gets every record on chain exactly once when the publishing process is killed with kill -9 and restarted', async () => {
    const A = await newSyncingWard('Ward 7 North');
    const dir = wardDir();
    const outbox = await openTestOutbox(kind, dir);
    await outbox.add(wardRecords(A, Array.from({ length: 10 }, (_, i) => newPatient(A, `P${i}`)), 1500));
    await outbox.close();
    const config: SyncChildConfig = { url: c.proxy.url, ledger: c.ledger, chainId: c.context.chainId, dir, ward: wardConfig(A), inFlight: 4, outbox: kind };
    const child = (killAfterSent: number | null) =>
      new Promise<{ code: number | null; signal: string | null; lines: string[] }>((done, fail) => {
        const p = spawn(process.execPath, ['--import', 'tsx', resolve('test/support/syncChild.ts')], { env: { ...process.env, WARDLEDGER_SYNC_CHILD: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe'] });
        const lines: string[] = [];
        let err = '';
        let buffered = '';
        let sent = 0;
        p.stdout!.on('data', (d: Buffer) => {
          buffered += d.toString();
          const parts = buffered.split('\n');
          buffered = parts.pop()!;
          for (const line of parts) {
            lines.push(line);
            // Killed between a send and its receipt, with more batches prepared behind it.
            if (killAfterSent !== null && line.startsWith('sent ') && ++sent === killAfterSent) p.kill('SIGKILL');
          }
        });
        p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        p.on('error', fail);
        p.on('exit', (code, signal) => (code && !signal ? fail(new Error(`sync child failed: ${err}`)) : done({ code, signal, lines })));
      });
    const first = await child(7);
    expect(first.signal).toBe('SIGKILL');
    expect(first.lines.some((l) => l.startsWith('confirmed '))).toBe(true);
    const second = await child(null);
    expect(second.code).toBe(0);
    // The restarted process carried on with the batches the killed one had prepared (same ids).
    const prepared = new Set(first.lines.filter((l) => l.startsWith('prepared ')).map((l) => l.split(' ')[1]));
    const confirmedFirst = new Set(first.lines.filter((l) => l.startsWith('confirmed ')).map((l) => l.split(' ')[1]));
    const resumed = second.lines.filter((l) => l.startsWith('confirmed ')).map((l) => l.split(' ')[1]).filter((id) => prepared.has(id));
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.filter((id) => confirmedFirst.has(id))).toEqual([]);
    const reopened = await openTestOutbox(kind, dir);
    try {
      const client = c.client(A.sync.privateKey, join(c.dir, 'checker'));
      expect(await expectExactlyOnce(client, reopened)).toMatchObject({ records: 1500 });
    } finally {
      await reopened.close();
    }
  }, SLOW);
});
