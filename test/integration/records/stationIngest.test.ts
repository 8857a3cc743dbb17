/**
 * Ward-scale streaming ingest through the station path, on the core's own object graph: a batch
 * large enough to be encoded in several slices still gets one station signature over its Merkle
 * root, one tree in the store and one anchor on the ward chain (its own signature tree); each
 * reading stays individually provable; the device dedupe keys are durable; readings arriving one
 * at a time are gathered into one anchor by time; a large station batch waiting when a person saves
 * keeps its own anchor (no second tree for its readings); and after a restart every reading is in the
 * patient's history, verified, with the device as provenance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { leafOf } from '../../../electron/core/storage/storedRecord';
import { verifyInclusion } from '../../../electron/core/crypto/merkle';
import { verifyBatchSignature } from '../../../electron/core/crypto/recordSignature';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import type { WardCore } from '../../../electron/core/shellContract';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { alterFirstProofNode } from '../../support/storeTampering';
import { editStoredRecord } from '../../support/storedRecords';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

const READINGS = 300; // more than two of the ingest path's 128-record encoding slices

describe('station ingest at ward scale', () => {
  let dir: string;
  let core: WardCore | null = null;
  let internals: PipelineInternals | null = null;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let recorded: StoredRecord[] = [];
  let secondPatient = '';

  const dedupeKey = (i: number) => `SIM-OX-1|${i}`;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '3', responsibleDoctor: w.addresses.doctor });
    const second = await w.callers.nurse.ok('ward/registerAndAdmit', { name: 'Second Bed Patient', dob: '1950-02-03', hospitalNumber: 'SI000002', bed: '4', responsibleDoctor: w.addresses.doctor });
    secondPatient = second.patient.address;
    await core.stop();
    core = null;
    internals = await openInternals(dir, { anchorWindowMs: 3000 }); // long enough that a save lands inside it
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
    const acknowledged = await Promise.all(submitted);
    recorded = acknowledged.map((a) => a.record);
    await Promise.all(acknowledged.map((a) => a.anchored));

    expect(queue.stats).toEqual({ batches: 1, readings: READINGS });
    const root = recorded[0]!.batchSignature!.root;
    for (const r of recorded) {
      const b = r.batchSignature!;
      expect(b).toMatchObject({ root, count: READINGS });
      expect(r.author).toBe(station.address);
      expect(verifyInclusion(b.root, leafOf(r), b.proof)).toBe(true);
      // The batch is signed with the station's role (typed data version 2): without it, it fails.
      expect(r).toMatchObject({ authorRole: 'station', signedVersion: 2 });
      expect(verifyBatchSignature({ root: b.root, count: b.count, author: r.author, authorRole: 'station', createdAt: b.createdAt }, b.signature, station.address)).toBe(true);
      expect(verifyBatchSignature({ root: b.root, count: b.count, author: r.author, createdAt: b.createdAt }, b.signature, station.address)).toBe(false);
      const stored = (await store.entry(r.id))!;
      expect(stored.record).toEqual(r);
      // Anchored whole and alone: the anchor is the signed batch's own tree, proofs read from it.
      expect(stored.anchor!.root).toBe(root);
      expect(verifyInclusion(stored.anchor!.root, leafOf(r), stored.anchor!.proof)).toBe(true);
    }
    expect(await store.treesWithRoot(root)).toHaveLength(1); // the tree is stored once
    expect(await contracts().anchorOf(root)).not.toBeNull();
    for (let i = 0; i < READINGS; i++) expect(writer.seenDevice(dedupeKey(i))).toBe(true);
    expect(writer.seenDevice(dedupeKey(READINGS))).toBe(false);
    // The patient's station scope was written with the batch and is one of the patient's scopes.
    expect(await store.scopesOf(w.addresses.patient)).toContain(recorded[0]!.cipher.scopeId);
    expect(await store.awaitingAnchor()).toEqual([]);
    expect(await store.unbatched()).toEqual([]);
  });

  it('gathers readings that arrive one at a time into one anchor, by time', async () => {
    const { ingest: queue, store, anchorQueue } = internals!;
    const before = anchorQueue.stats.batches;
    const one = async (i: number) => {
      const v = validateVitals({ spo2: 95, pulse: 70 + i });
      if (!v.ok) throw new Error('bad sample');
      return queue.submit({ patient: w.addresses.patient, content: { vitals: v.value }, authorName: 'CMS50E SIM-OX-2' });
    };
    const readings = [];
    for (let i = 0; i < 5; i++) readings.push(await one(i)); // each its own signed batch, durable at once
    const signed = new Set(readings.map((r) => r.record.batchSignature!.root));
    expect(signed.size).toBe(5);
    await Promise.all(readings.map((r) => r.anchored));
    expect(anchorQueue.stats.batches - before).toBe(1);
    const anchors = await Promise.all(readings.map(async (r) => (await store.entry(r.record.id))!.anchor!));
    expect(new Set(anchors.map((a) => a.root)).size).toBe(1);
    readings.forEach((r, i) => expect(verifyInclusion(anchors[i]!.root, leafOf(r.record), anchors[i]!.proof)).toBe(true));
    // The root index lists the anchor batch, not the readings' own one-leaf trees (never on the chain).
    expect(await store.treesWithRoot(anchors[0]!.root)).toHaveLength(1);
    for (const root of signed) expect(await store.treesWithRoot(root)).toEqual([]);
  });

  it('a gathered anchor holds at most 1,000 readings: a full one goes at once, the rest waits for its window', async () => {
    // Each gathered anchor's tree, proofs and memos are made on the core's thread in one go:
    // 5,000 leaves held it for 150–240 ms at a time (docs/benchmarks.md, row 4).
    const { stationWriter, store, anchorQueue } = internals!;
    const before = { ...anchorQueue.stats };
    const v = validateVitals({ spo2: 96, pulse: 71 });
    if (!v.ok) throw new Error('bad sample');
    const batches = [];
    for (let b = 0; b < 11; b++) {
      // 100 readings: under the 128 that anchor their own tree, so they are gathered.
      const items = Array.from({ length: 100 }, (_, i) => ({ patient: w.addresses.patient, content: { vitals: v.value }, authorName: `CMS50E CAP-${b}-${i}` }));
      batches.push(await stationWriter.ingest(internals!.stationWallet, items));
    }
    await Promise.all(batches.map((b) => b.anchored));
    expect(anchorQueue.stats.batches - before.batches).toBe(2);
    expect(anchorQueue.stats.leaves - before.leaves).toBe(1100);
    const roots = new Map<string, number>();
    for (const b of batches) for (const r of b.records) {
      const root = (await store.entry(r.id, { proofs: false }))!.anchor!.root;
      roots.set(root, (roots.get(root) ?? 0) + 1);
    }
    expect([...roots.values()].sort((a, b) => a - b)).toEqual([100, 1000]);
  });

  it('a batch interleaving two beds gives each reading its own patient\'s pseudonym, under the batch\'s one signature', async () => {
    const { stationWriter, stationWallet, patients, anchorQueue } = internals!;
    const beds = [w.addresses.patient, secondPatient];
    const v = validateVitals({ spo2: 97, pulse: 72 });
    if (!v.ok) throw new Error('bad sample');
    const { records, anchored } = await stationWriter.ingest(
      stationWallet,
      Array.from({ length: 40 }, (_, i) => ({ patient: beds[i % 2]!, content: { vitals: v.value }, authorName: 'CMS50E SIM-OX-5' })),
    );
    await anchorQueue.flush();
    await anchored;
    const refs = beds.map((p) => patients.refOf(p));
    expect(refs[0]).not.toBe(refs[1]);
    records.forEach((r, i) => {
      expect(r.patient.toLowerCase()).toBe(beds[i % 2]!.toLowerCase());
      expect(r.patientRef).toBe(refs[i % 2]);
      expect(verifyInclusion(r.batchSignature!.root, leafOf(r), r.batchSignature!.proof)).toBe(true);
    });
  });

  it('a person who saves while a large station batch waits is anchored at once, and the batch keeps its own tree as its anchor', async () => {
    const { ingest: queue, store, writer, anchorQueue, contracts } = internals!;
    const before = anchorQueue.stats.batches;
    const treesBefore = (await store.counts()).trees;
    const acknowledged = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const v = validateVitals({ spo2: 96, pulse: 60 + (i % 30) });
        if (!v.ok) throw new Error('bad sample');
        return queue.submit({ patient: w.addresses.patient, content: { vitals: v.value }, authorName: 'CMS50E SIM-OX-3' });
      }),
    );
    // Durable and waiting for the 3 s window when the nurse saves.
    const nurse = await internals!.actor(w.people.nurse.name, w.people.nurse.password);
    const saved = await writer.create(nurse, w.addresses.patient, 'note', { note: 'Settled, observations reviewed.' });
    const noted = (await store.entry(saved.id))!;
    await Promise.all(acknowledged.map((a) => a.anchored));
    expect(anchorQueue.stats.batches - before).toBe(2); // the save's own, the station batch's own
    const signed = acknowledged[0]!.record.batchSignature!.root;
    expect(noted.anchor!.root).not.toBe(signed);
    expect(verifyInclusion(noted.anchor!.root, leafOf(saved), noted.anchor!.proof)).toBe(true);
    for (const { record } of acknowledged) {
      const stored = (await store.entry(record.id))!;
      expect(stored.anchor!.root).toBe(signed); // anchored as signed: no membership in another tree
      expect(verifyInclusion(signed, leafOf(record), stored.anchor!.proof)).toBe(true);
    }
    expect(await contracts().anchorOf(signed)).not.toBeNull();
    expect(await contracts().anchorOf(noted.anchor!.root)).not.toBeNull();
    // Two trees: the batch's (signature and anchor) and the save's anchor tree; none for the readings' second place.
    expect((await store.counts()).trees - treesBefore).toBe(2);
  });

  it('a reading that waits alone is anchored as its own one-leaf tree, and the check against the chain finds every batch', async () => {
    const { ingest: queue, store, anchorQueue, contracts, chainCheck } = internals!;
    const v = validateVitals({ spo2: 97, pulse: 66 });
    if (!v.ok) throw new Error('bad sample');
    const alone = await queue.submit({ patient: w.addresses.patient, content: { vitals: v.value }, authorName: 'CMS50E SIM-OX-4' });
    await anchorQueue.flush();
    await alone.anchored;
    const root = alone.record.batchSignature!.root;
    const stored = (await store.entry(alone.record.id))!;
    expect(stored.anchor).toMatchObject({ root, proof: [] }); // the leaf is the root
    expect(verifyInclusion(root, leafOf(alone.record), stored.anchor!.proof)).toBe(true);
    expect(await contracts().anchorOf(root)).not.toBeNull();
    expect(await store.treesWithRoot(root)).toHaveLength(1); // listed when it became an anchor batch
    // Every batch this file anchored (a large one, gathered readings, a save, this one) is found by its root.
    const report = await chainCheck.atStart();
    expect(report.batchesChecked).toBeGreaterThanOrEqual(4);
    expect(report.batches).toEqual([]);
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
    expect(h.records.filter((r) => r.provenance.status !== 'verified')).toEqual([]);
    expect(fromDevice.every((r) => r.provenance.status === 'verified')).toBe(true);
    expect(new Set(fromDevice.map((r) => r.content!.device!.deviceRecordId))).toEqual(new Set(Array.from({ length: READINGS }, (_, i) => String(i))));
  });

  it('a reading whose leaf fields were edited inside a batch checked whole is reported by name, the rest of its batch stays verified', async () => {
    await core!.stop();
    core = null;
    // The batch's tree is intact, so a reader without memos checks it once (hashing the stored
    // layout up to the anchored, signed root) and finds each reading's leaf in it; the edited
    // reading's leaf (its patient reference) is no longer the tree's leaf at its place.
    const victim = recorded[11]!.id;
    const original = recorded[11]!.patientRef;
    await editStoredRecord(dir, victim, (r) => {
      r.patientRef = '0x' + '5a'.repeat(32);
    });

    core = await startCore(dir);
    const patient = new Caller(core);
    await patient.login(w.people.patient.name, w.people.patient.password);
    const h = await patient.ok('records/history', { patient: w.addresses.patient });
    const edited = h.records.find((r) => r.id === victim)!;
    expect(edited.provenance.status).toBe('tampered');
    expect(edited.provenance.problems.join(' ')).toMatch(/signature is not valid/);
    expect(edited.provenance.problems.join(' ')).toMatch(/ward-chain anchor/);
    const others = h.records.filter((r) => r.content?.device?.serial === 'SIM-OX-1' && r.id !== victim);
    expect(others).toHaveLength(READINGS - 1);
    expect(others.every((r) => r.provenance.status === 'verified')).toBe(true);

    // Put it back: the next test alters the tree itself.
    await core.stop();
    core = null;
    await editStoredRecord(dir, victim, (r) => {
      r.patientRef = original;
    });
    core = await startCore(dir);
  });

  it('a reading whose stored proof was altered is reported, the others stay verified', async () => {
    await core!.stop();
    core = null;
    const victim = recorded[7]!.id;
    await alterFirstProofNode(dir, victim);

    core = await startCore(dir);
    const doctor = new Caller(core);
    await doctor.login(w.people.doctor.name, w.people.doctor.password);
    // The patient has no persistent memo: every proof is read from the stored tree and checked.
    const patient = new Caller(core);
    await patient.login(w.people.patient.name, w.people.patient.password);
    const h = await patient.ok('records/history', { patient: w.addresses.patient });
    const altered = h.records.find((r) => r.id === victim)!;
    expect(altered.provenance.status).not.toBe('verified');
    const others = h.records.filter((r) => r.content?.device?.serial === 'SIM-OX-1' && r.id !== victim);
    expect(others).toHaveLength(READINGS - 1);
    expect(others.every((r) => r.provenance.status === 'verified')).toBe(true);
    // The doctor read these records before the restart: the care team's keyed memo vouches for
    // each record under its anchored root (a leaf proven under a root on the chain stays under
    // it), not for the tree's stored bytes, so the doctor's read needs no proof at all.
    const memoised = await doctor.ok('records/history', { patient: w.addresses.patient });
    expect(memoised.records.find((r) => r.id === victim)!.provenance.status).toBe('verified');
  });
});
