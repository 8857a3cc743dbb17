/**
 * Ward-scale streaming ingest through the station path, on the core's own object graph: a batch
 * large enough to be written in several log slices still gets one station signature over its
 * Merkle root and one anchor on the ward chain; each reading stays individually provable; the
 * device dedupe keys are durable; and after a restart every reading is in the patient's history,
 * verified, with the device as provenance.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { leafOf } from '../../../electron/core/storage/storedRecord';
import { verifyInclusion } from '../../../electron/core/crypto/merkle';
import { verifyBatchSignature } from '../../../electron/core/crypto/recordSignature';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import type { WardCore } from '../../../electron/core/shellContract';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

const READINGS = 300; // more than two of the ingest path's 128-record log slices

describe('station ingest at ward scale', () => {
  let dir: string;
  let core: WardCore | null = null;
  let internals: PipelineInternals | null = null;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let recorded: StoredRecord[] = [];

  const logEntries = () =>
    readFileSync(join(dir, 'records', 'log.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: string; r?: { id: string }; ids?: string[]; keys?: string[]; proofs?: unknown });
  const dedupeKey = (i: number) => `SIM-OX-1|${i}`;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '3', responsibleDoctor: w.addresses.doctor });
    await core.stop();
    core = null;
    internals = await openInternals(dir);
  });
  afterAll(async () => {
    await internals?.close();
    await core?.stop();
    removeDir(dir);
  });

  it('records a large batch under one station signature and one anchor, each reading provable and deduplicated', async () => {
    const { writer, ingest: queue, stationWallet: station, store, contracts } = internals!;
    const submitted = Array.from({ length: READINGS }, (_, i) => {
      const v = validateVitals({ spo2: 90 + (i % 10), pulse: 60 + (i % 40) });
      if (!v.ok) throw new Error('bad sample');
      return queue.submit({
        patient: w.addresses.patient,
        content: { vitals: v.value, device: { driver: 'contec-cms50e', model: 'CMS50E', serial: 'SIM-OX-1', deviceRecordId: String(i), receivedAt: new Date().toISOString() } },
        authorName: 'CMS50E SIM-OX-1',
        dedupeKey: dedupeKey(i),
      });
    });
    recorded = await Promise.all(submitted);

    expect(queue.stats).toEqual({ batches: 1, readings: READINGS });
    const root = recorded[0]!.batchSignature!.root;
    for (const r of recorded) {
      const b = r.batchSignature!;
      expect(b).toMatchObject({ root, count: READINGS });
      expect(r.author).toBe(station.address);
      expect(verifyInclusion(b.root, leafOf(r), b.proof)).toBe(true);
      expect(verifyBatchSignature({ root: b.root, count: b.count, author: r.author, createdAt: b.createdAt }, b.signature, station.address)).toBe(true);
      const anchor = store.anchors.get(r.id)!;
      expect(verifyInclusion(anchor.root, leafOf(r), anchor.proof)).toBe(true);
    }
    const anchorRoots = new Set(recorded.map((r) => store.anchors.get(r.id)!.root));
    expect(anchorRoots.size).toBe(1);
    expect(await contracts().anchorOf([...anchorRoots][0]!)).not.toBeNull();
    for (let i = 0; i < READINGS; i++) expect(writer.seenDevice(dedupeKey(i))).toBe(true);

    // On disk: the readings in submission order, written in several slices, the patient's key
    // scope before its first record, every dedupe key once, and one anchor covering them all.
    const entries = logEntries();
    const recIds = entries.filter((e) => e.t === 'rec').map((e) => e.r!.id);
    expect(recIds.slice(-READINGS)).toEqual(recorded.map((r) => r.id));
    const firstRec = entries.findIndex((e) => e.t === 'rec' && e.r!.id === recorded[0]!.id);
    expect(entries.slice(0, firstRec).some((e) => e.t === 'scope')).toBe(true);
    const devEntries = entries.filter((e) => e.t === 'dev');
    expect(devEntries.length).toBeGreaterThan(1);
    expect(devEntries.flatMap((e) => e.keys!)).toEqual(Array.from({ length: READINGS }, (_, i) => dedupeKey(i)));
    const anchorEntries = entries.filter((e) => e.t === 'anchor' && e.ids!.includes(recorded[0]!.id));
    expect(anchorEntries).toHaveLength(1);
    expect(new Set(anchorEntries[0]!.ids)).toEqual(new Set(recorded.map((r) => r.id)));
    // The anchored tree is the signed batch's tree: its proofs are stored once, in the records.
    expect(anchorEntries[0]!.proofs).toBe('batchSignature');
  });

  it('after a restart, every reading is in the history, verified, with the device as provenance', async () => {
    await internals!.close();
    internals = null;
    core = await startCore(dir);
    const doctor = new Caller(core);
    await doctor.login(w.people.doctor.name, w.people.doctor.password);
    const h = await doctor.ok('records/history', { patient: w.addresses.patient });
    const fromDevice = h.records.filter((r) => r.content?.device?.serial === 'SIM-OX-1');
    expect(fromDevice).toHaveLength(READINGS);
    expect(fromDevice.every((r) => r.provenance.status === 'verified')).toBe(true);
    expect(new Set(fromDevice.map((r) => r.content!.device!.deviceRecordId))).toEqual(new Set(Array.from({ length: READINGS }, (_, i) => String(i))));
  });

  it('a reading whose stored proof was altered is reported, the others stay verified', async () => {
    await core!.stop();
    core = null;
    const path = join(dir, 'records', 'log.jsonl');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const victim = recorded[7]!.id;
    const at = lines.findIndex((l) => l.includes(`"t":"rec"`) && l.includes(victim));
    const entry = JSON.parse(lines[at]!) as { r: { batchSignature: { proof: string[] } } };
    entry.r.batchSignature.proof[0] = '0x' + 'ab'.repeat(32);
    lines[at] = JSON.stringify(entry);
    writeFileSync(path, lines.join('\n') + '\n');

    core = await startCore(dir);
    const doctor = new Caller(core);
    await doctor.login(w.people.doctor.name, w.people.doctor.password);
    const h = await doctor.ok('records/history', { patient: w.addresses.patient });
    const altered = h.records.find((r) => r.id === victim)!;
    expect(altered.provenance.status).not.toBe('verified');
    const others = h.records.filter((r) => r.content?.device?.serial === 'SIM-OX-1' && r.id !== victim);
    expect(others).toHaveLength(READINGS - 1);
    expect(others.every((r) => r.provenance.status === 'verified')).toBe(true);
  });
});
