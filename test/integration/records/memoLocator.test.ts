/**
 * Verification memos kept under their records' locators (storage/keys.ts T.recordMemo; issue 12,
 * first opens): the writers' memos land there at anchor time; a store written before (memos by
 * record id) opens, verifies from those memos and has them under the locators after that read; a
 * later read reads no memo by id; and a tag under a locator vouches only for the record it was
 * made for — an edited body, or another record's tag, is checked in full and found.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { forgetOpened, type OpenedRecord } from '../../../electron/core/records/provenance';
import { T } from '../../../electron/core/storage/keys';
import type { LevelKv } from '../../../electron/core/storage/levelKv';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { alterFirstProofNode, alterRecord, copyMemo, memoPlaces, memosToOldLayout } from '../../support/storeTampering';
import { removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

describe('verification memos under the records’ locators', () => {
  let dir: string;
  let internals: PipelineInternals | null = null;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let readings: StoredRecord[] = [];
  let note: StoredRecord;

  beforeAll(async () => {
    dir = tempDir();
    const core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '4', responsibleDoctor: w.addresses.doctor });
    await core.stop();
    internals = await openInternals(dir);
  });
  afterAll(async () => {
    await internals?.close();
    removeDir(dir);
  });

  /** As after a restart: a new graph on the stopped ward, nothing held opened. */
  async function restart(): Promise<PipelineInternals> {
    await internals?.close();
    forgetOpened();
    internals = await openInternals(dir);
    return internals;
  }

  /** The doctor's first read of the patient's history, with the store's point reads by table. */
  async function doctorsRead(g: PipelineInternals): Promise<{ records: OpenedRecord[]; tablesRead: number[] }> {
    const doctor = await g.actor(w.people.doctor.name, w.people.doctor.password);
    const spy = vi.spyOn((g.store as unknown as { kv: LevelKv }).kv, 'getMany');
    try {
      const page = await g.reader.openWindow(doctor, w.addresses.patient, { limit: 1000 });
      return { records: page.items, tablesRead: spy.mock.calls.flatMap(([keys]) => keys.map((k) => k[0]!)) };
    } finally {
      spy.mockRestore();
    }
  }
  const statusOf = (records: OpenedRecord[], id: string) => records.find((o) => o.record.id === id)!.provenance;

  it('the writers’ memos are stored under the records’ locators at anchor time, none by id', async () => {
    const { ingest, writer, anchorQueue } = internals!;
    const acknowledged = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const v = validateVitals({ spo2: 93 + (i % 6), pulse: 62 + i });
        if (!v.ok) throw new Error('bad sample');
        return ingest.submit({ patient: w.addresses.patient, content: { vitals: v.value }, authorName: 'CMS50E SIM-OX-9' });
      }),
    );
    await anchorQueue.flush();
    await Promise.all(acknowledged.map((a) => a.anchored));
    readings = acknowledged.map((a) => a.record);
    const nurse = await internals!.actor(w.people.nurse.name, w.people.nurse.password);
    note = await writer.create(nurse, w.addresses.patient, 'note', { note: 'Comfortable overnight.' });
    await internals!.close();
    internals = null;
    for (const r of [...readings, note]) expect(await memoPlaces(dir, r.id)).toEqual({ underLocator: true, byId: false });
  });

  it('a store with its memos by id opens, verifies from them, and after that read has them under the locators', async () => {
    expect(await memosToOldLayout(dir)).toBe(readings.length + 1);
    expect(await memoPlaces(dir, readings[0]!.id)).toEqual({ underLocator: false, byId: true });
    // Only a memo can vouch for this reading now: its stored proof is damaged (a memo does not cover proofs).
    await alterFirstProofNode(dir, readings[3]!.id);
    const { records, tablesRead } = await doctorsRead(await restart());
    expect(records.filter((o) => o.provenance.status !== 'verified')).toEqual([]);
    expect(records).toHaveLength(readings.length + 1);
    expect(tablesRead.filter((t) => t === T.verifyMemo)).toHaveLength(readings.length + 1);
    await internals!.close();
    internals = null;
    for (const r of [...readings, note]) expect(await memoPlaces(dir, r.id)).toEqual({ underLocator: true, byId: false });
  });

  it('the next first read takes every memo with its page: no memo is read by id or point', async () => {
    const { records, tablesRead } = await doctorsRead(await restart());
    expect(records.filter((o) => o.provenance.status !== 'verified')).toEqual([]);
    expect(statusOf(records, readings[3]!.id).status).toBe('verified');
    expect(tablesRead.filter((t) => t === T.verifyMemo || t === T.recordMemo)).toEqual([]);
    await internals!.close();
    internals = null;
  });

  it('a tag under a locator vouches for nothing else: an edited body, or another record’s tag, is found and named', async () => {
    // Edited after its memo was written (the memo kept under its locator).
    await alterRecord(dir, readings[5]!.id, (r) => {
      r.patientRef = '0x' + '5a'.repeat(32);
    });
    // Another record's tag put under this reading's locator, its proof damaged: only a memo that vouched would pass it.
    await copyMemo(dir, readings[8]!.id, readings[12]!.id);
    await alterFirstProofNode(dir, readings[12]!.id);
    // The note's tag under a reading's locator whose body was edited.
    await copyMemo(dir, note.id, readings[20]!.id);
    await alterRecord(dir, readings[20]!.id, (r) => {
      r.salt = '0x' + '00'.repeat(32);
    });
    expect(await memoPlaces(dir, readings[5]!.id)).toEqual({ underLocator: true, byId: false });
    const { records } = await doctorsRead(await restart());
    const edited = statusOf(records, readings[5]!.id);
    expect(edited.status).toBe('tampered');
    expect(edited.problems.join(' ')).toMatch(/signature is not valid/);
    expect(statusOf(records, readings[12]!.id).status).toBe('tampered');
    const salted = statusOf(records, readings[20]!.id);
    expect(salted.status).toBe('tampered');
    expect(salted.problems.join(' ')).toMatch(/commitment|signature/);
    const rest = records.filter((o) => ![5, 12, 20].some((i) => readings[i]!.id === o.record.id));
    expect(rest).toHaveLength(readings.length - 2);
    expect(rest.every((o) => o.provenance.status === 'verified')).toBe(true);
  });
});
