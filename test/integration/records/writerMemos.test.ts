/**
 * The writer's persistent verification memo, stored in the same write as the anchor (issue 12,
 * row 10: first opens after a restart). What the memo attests (RecordVerifier.memoAtAnchor): the
 * stored bytes — ciphertext, every signed field, the signature — are the ones this workstation
 * signed (the station's readings) or a person signed in it (their care team's memo), and the
 * record's leaf is under the anchor root recorded on the ward chain at that batch and block.
 * Proofs are not covered (a leaf proven under a root stays under it). These tests show a record
 * nobody has read yet carries its memo, that a care-team reader's first read after a restart uses
 * it, and that anything the memo covers edited on disk afterwards is still reported as tampered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import type { WardCore } from '../../../electron/core/shellContract';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { alterFirstProofNode, alterRecord } from '../../support/storeTampering';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

describe('verification memos written with the anchor', () => {
  let dir: string;
  let core: WardCore | null = null;
  let internals: PipelineInternals | null = null;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let readings: StoredRecord[] = [];
  let note: StoredRecord;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '4', responsibleDoctor: w.addresses.doctor });
    await core.stop();
    core = null;
    internals = await openInternals(dir);
  });
  afterAll(async () => {
    await internals?.close();
    await core?.stop();
    removeDir(dir);
  });

  const doctorsHistory = async () => {
    const doctor = new Caller(core!);
    await doctor.login(w.people.doctor.name, w.people.doctor.password);
    return (await doctor.ok('records/history', { patient: w.addresses.patient })).records;
  };

  it('every reading and a nurse’s record carry their persistent memo once anchored, before anyone read them', async () => {
    const { ingest, writer, store } = internals!;
    const acknowledged = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const v = validateVitals({ spo2: 93 + (i % 6), pulse: 62 + i });
        if (!v.ok) throw new Error('bad sample');
        return ingest.submit({ patient: w.addresses.patient, content: { vitals: v.value }, authorName: 'CMS50E SIM-OX-9' });
      }),
    );
    await internals!.anchorQueue.flush();
    await Promise.all(acknowledged.map((a) => a.anchored));
    readings = acknowledged.map((a) => a.record);
    const nurse = await internals!.actor(w.people.nurse.name, w.people.nurse.password);
    note = await writer.create(nurse, w.addresses.patient, 'note', { note: 'Comfortable overnight.' });
    for (const r of [...readings, note]) expect(store.memo(r.id)).toMatch(/^0x[0-9a-f]{64}$/);
    // Only what this workstation wrote: a record id it never wrote has none.
    expect(store.memo('0x' + '11'.repeat(32))).toBeUndefined();
  });

  it('after a restart the doctor’s first read rests on them (a reading’s stored proof is not read), the patient’s, without a memo, checks the proof', async () => {
    await internals!.close();
    internals = null;
    // The memo vouches for the leaf under its anchored root, not for the tree's stored bytes: a
    // damaged proof node is found only by a reader who has to walk the proof.
    await alterFirstProofNode(dir, readings[3]!.id);
    core = await startCore(dir);
    // The patient first (a record verified by any read is kept opened in the process for the next).
    const patient = new Caller(core);
    await patient.login(w.people.patient.name, w.people.patient.password);
    const own = (await patient.ok('records/history', { patient: w.addresses.patient })).records;
    expect(own.find((r) => r.id === readings[3]!.id)!.provenance.status).not.toBe('verified');
    const h = await doctorsHistory();
    expect(h.filter((r) => r.provenance.status !== 'verified')).toEqual([]);
    expect(h.filter((r) => readings.some((x) => x.id === r.id))).toHaveLength(readings.length);
  });

  it('a reading and a nurse’s record edited on disk after their memos were written are reported as tampered at the doctor’s next first read', async () => {
    await core!.stop();
    core = null;
    const reading = readings[5]!;
    await alterRecord(dir, reading.id, (r) => {
      r.patientRef = '0x' + '5a'.repeat(32);
    });
    await alterRecord(dir, note.id, (r) => {
      const ct = r.cipher.ct;
      r.cipher.ct = ct.slice(0, 12) + (ct[12] === '0' ? '1' : '0') + ct.slice(13);
    });
    // The memos themselves were kept (an attacker without the secrets cannot make matching ones).
    const store = await WardStore.open(storePath(dir), { create: false });
    try {
      expect(store.memo(reading.id)).toBeDefined();
      expect(store.memo(note.id)).toBeDefined();
    } finally {
      await store.close();
    }
    core = await startCore(dir);
    const h = await doctorsHistory();
    const edited = h.find((r) => r.id === reading.id)!;
    expect(edited.provenance.status).toBe('tampered');
    expect(edited.provenance.problems.join(' ')).toMatch(/signature is not valid/);
    const sealed = h.find((r) => r.id === note.id)!;
    expect(sealed.provenance.status).toBe('tampered');
    expect(sealed.content).toBeNull();
    const rest = h.filter((r) => r.id !== reading.id && r.id !== note.id);
    expect(rest.length).toBe(readings.length - 1);
    expect(rest.every((r) => r.provenance.status === 'verified')).toBe(true);
  });
});
