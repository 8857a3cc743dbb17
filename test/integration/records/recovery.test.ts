/**
 * Crash recovery of the record pipeline on the ward store, by real kill -9 of `wardledger serve`
 * at the moments that matter (failpoints, platform/failpoint.ts): a record made durable but in no
 * anchor batch yet; a batch made durable but its transaction never sent; a transaction mined but
 * its anchor never recorded. After each restart every record acknowledged before is there once,
 * the interrupted ones are anchored too — the mined one under its original anchor, not sent again
 * — and everything reads verified. And station readings acknowledged (durable) while they waited
 * to be gathered into an anchor survive a kill -9 and are anchored at the next start.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { openInternals } from '../../support/pipelineInternals';
import { serveChild } from '../../support/serveChild';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

describe('record pipeline crash recovery (kill -9)', () => {
  let dir: string;
  let core: WardCore | null = null;
  let patient: string;
  let people: Awaited<ReturnType<typeof staffedWard>>['people'];

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    const w = await staffedWard(core);
    people = w.people;
    patient = w.addresses.patient;
    await w.callers.nurse.ok('ward/admit', { patient, bed: '2', responsibleDoctor: w.addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse: 70, supplementalOxygen: false }, missingReason: 'Spot check' });
    await w.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse: 75, supplementalOxygen: false }, missingReason: 'Spot check' });
    await core.stop();
    core = null;
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  /** A nurse saves a set in `wardledger serve`, which kills itself (SIGKILL) at `point`. */
  async function saveAndCrashAt(point: string, pulse: number): Promise<void> {
    const child = await serveChild(dir, { WARDLEDGER_FAILPOINT: point });
    try {
      const nurse = await child.login(people.nurse.name, people.nurse.password);
      await expect(child.call('records/addVitals', { patient, vitals: { pulse, supplementalOxygen: false }, missingReason: 'Spot check' }, nurse)).rejects.toThrow();
      expect(await child.exited).toMatchObject({ signal: 'SIGKILL' });
    } finally {
      await child.stop();
    }
    // The next start finishes what the crash interrupted (so the next child starts clean: with a
    // failpoint armed, its own recovery would stop at that point before it is ready).
    const recovered = await startCore(dir);
    await recovered.stop();
  }

  it('finishes a durable record, a batch never sent and a mined anchor never recorded, once each', async () => {
    await saveAndCrashAt('record.durable', 80);
    await saveAndCrashAt('anchor.batched', 85);
    await saveAndCrashAt('anchor.sent', 90);

    core = await startCore(dir);
    const doctor = new Caller(core);
    await doctor.login(people.doctor.name, people.doctor.password);
    const h = await doctor.ok('records/history', { patient });
    expect(h.records.map((r) => r.content?.vitals?.pulse).reverse()).toEqual([70, 75, 80, 85, 90]);
    expect(h.records.every((r) => r.provenance.status === 'verified')).toBe(true);
    // The mined one kept the anchor the chain has (found there at restart, not sent again: a second
    // send of the same root is refused by the contract, and its transaction is not known locally).
    const mined = h.records.find((r) => r.content?.vitals?.pulse === 90)!;
    expect(mined.provenance.wardTx).toBeNull();
    expect(mined.provenance.wardBlock).toBeGreaterThan(0);
    await core.stop();
    core = null;

    const g = await openInternals(dir);
    try {
      expect(await g.store.awaitingAnchor()).toEqual([]);
      expect(await g.store.unbatched()).toEqual([]);
      const onChain = await g.contracts().anchorOf(mined.provenance.batchRoot!);
      expect(onChain?.blockNumber).toBe(mined.provenance.wardBlock);
      expect(await g.store.countOf(patient)).toBe(5);
    } finally {
      await g.close();
    }
  });

  it('anchors at the next start the station readings acknowledged while they waited to be gathered', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'ingestChild.ts'), dir, patient], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const acked = await new Promise<string[]>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const ids = [...out.matchAll(/durable (0x[0-9a-f]{64})\n/g)].map((m) => m[1]!);
        if (ids.length >= 40) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve([...out.matchAll(/durable (0x[0-9a-f]{64})\n/g)].map((m) => m[1]!)) : reject(new Error(`the ingest child ended by itself: ${out}`))));
    });
    expect(out).not.toMatch(/anchored/); // killed while its readings waited for the anchor window

    core = await startCore(dir);
    const doctor = new Caller(core);
    await doctor.login(people.doctor.name, people.doctor.password);
    const h = await doctor.ok('records/history', { patient });
    const byId = new Map(h.records.map((r) => [r.id, r]));
    for (const id of acked) expect(byId.get(id)?.provenance.status).toBe('verified');
    expect(new Set(h.records.map((r) => r.id)).size).toBe(h.records.length);
  });
});
