/**
 * The station's readings kept as opened blocks as their hours end (records/stationBlocks.ts, issue
 * 12): with nobody logged in, the station reads its own readings of each ended hour back from the
 * store, verifies them through their memos and seals the hour; a doctor's first open of a history
 * nobody opened then takes those hours from their blocks. A real ward (chain, store, station
 * ingest, nurse notes) over ten hours: the last five recorded in this process, the five before
 * them in an earlier one (whose scope keys this process does not hold).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { observationContent } from '../../../electron/core/clinical/vitalsAssessment';
import type { Actor } from '../../../electron/core/identity/actor';
import type { RecordContent } from '../../../electron/core/model/records';
import { BlockFamily, BLOCK_MS, hourOf } from '../../../electron/core/records/openedBlocks';
import { heldOpenedCount, reopened } from '../../../electron/core/records/provenance';
import { StationBlocks, SEAL_AFTER_MS } from '../../../electron/core/records/stationBlocks';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { admittedWardOnDisk, removeDir, type staffedWard } from '../../support/tempCore';

const READING_EVERY_MS = 5 * 60_000;

describe('station blocks: ended hours of the station’s readings sealed with nobody logged in', () => {
  let dir: string;
  let internals: PipelineInternals;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  /** The first hour of this process's readings, and the hour after its last. */
  let from: number;
  let to: number;
  let earlier: number;
  const stationIds = new Set<string>();

  const reading = (patient: string, at: number, i: number) => {
    const when = new Date(at).toISOString();
    const device = { driver: 'contec-cms50e', model: 'CMS50E', serial: 'SIM-OX-SEAL', deviceRecordId: String(i), receivedAt: when };
    return { patient, createdAt: at, authorName: 'CMS50E SIM-OX-SEAL', content: observationContent({ vitals: { spo2: 94 + (i % 5), pulse: 60 + (i % 40) } }, 1, { kind: 'device', measuredAt: when, device }) as RecordContent };
  };
  /** Readings every five minutes over [start, end), and a nurse's note in each hour; all anchored. */
  const record = async (start: number, end: number): Promise<void> => {
    const items = [];
    for (let i = 0, at = start + 61_000; at < end; i++, at += READING_EVERY_MS) items.push(reading(w.addresses.patient, at, i));
    const { records, anchored } = await internals.stationWriter.ingest(internals.stationWallet, items);
    for (const r of records) stationIds.add(r.id);
    const nurse = await internals.actor(w.people.nurse.name, w.people.nurse.password);
    for (let h = start; h < end; h += BLOCK_MS) await internals.writer.create(nurse, w.addresses.patient, 'note', { note: 'Comfortable.' }, { createdAt: h + 17 * 60_000 });
    await internals.anchorQueue.flush();
    await anchored;
  };
  const hoursOf = (a: number, b: number) => Array.from({ length: (b - a) / BLOCK_MS }, (_, k) => a + k * BLOCK_MS);
  const blocksAt = (hours: number[], family: number) => internals.store.openedBlocks(hours.map((hour) => ({ patient: w.addresses.patient, hour, family })));
  /** The doctor's first open of the whole period in a fresh process, counting the records whose memos were read. */
  const doctorsFirstOpen = async () => {
    await internals.close();
    internals = await openInternals(dir);
    const doctor: Actor = await internals.actor(w.people.doctor.name, w.people.doctor.password);
    const memos = vi.spyOn(internals.store, 'memos');
    try {
      const opened = (await internals.reader.openWindow(doctor, w.addresses.patient, { from: earlier, limit: 5000 })).items;
      return { opened, memosRead: memos.mock.calls.reduce((n, [entries]) => n + entries.length, 0) };
    } finally {
      memos.mockRestore();
    }
  };

  beforeAll(async () => {
    ({ dir, w } = await admittedWardOnDisk());
    to = hourOf(Date.now() - SEAL_AFTER_MS);
    from = to - 5 * BLOCK_MS;
    earlier = from - 5 * BLOCK_MS;
    internals = await openInternals(dir);
    await record(earlier, from); // an earlier start of the ward
    await internals.close();
    internals = await openInternals(dir);
    await record(from, to);
  });
  afterAll(async () => {
    await internals?.close();
    removeDir(dir);
  });

  it('seals each ended hour of this start’s readings under the station’s family, and leaves the nurse’s notes and an earlier start’s readings to readers', async () => {
    const sealer = new StationBlocks(() => internals.store, internals.keyring, internals.verifier);
    // A reader holds one reading opened; the sealing leaves it held, and holds nothing of its own.
    const doctor = await internals.actor(w.people.doctor.name, w.people.doctor.password);
    const held = (await internals.reader.openWindow(doctor, w.addresses.patient, { limit: 1 })).items[0]!;
    expect(heldOpenedCount()).toBe(1);
    const { sealed, pending } = await sealer.sealHours(w.addresses.patient, earlier, to);
    expect(heldOpenedCount()).toBe(1);
    expect(reopened({ stored: (await internals.store.entry(held.record.id))!.stored!, anchor: (await internals.store.entry(held.record.id))!.anchor })).toBeDefined();
    expect(pending).toBeNull();
    expect(sealed).toEqual(hoursOf(from, to));
    expect((await blocksAt(hoursOf(from, to), BlockFamily.station)).every((b) => b !== undefined)).toBe(true);
    expect(await blocksAt(hoursOf(earlier, from), BlockFamily.station)).toEqual(hoursOf(earlier, from).map(() => undefined));
    expect(await blocksAt(hoursOf(earlier, to), BlockFamily.team)).toEqual(hoursOf(earlier, to).map(() => undefined));
    // Sealed once: a second pass finds every hour vouched for and writes nothing.
    const writes = vi.spyOn(internals.store, 'write');
    try {
      expect((await sealer.sealHours(w.addresses.patient, from, to)).sealed).toEqual(hoursOf(from, to));
      expect(writes).not.toHaveBeenCalled();
    } finally {
      writes.mockRestore();
    }
  });

  it('a doctor’s first open of a history nobody opened takes those hours from their blocks, and reads the same', async () => {
    const { opened, memosRead } = await doctorsFirstOpen();
    expect(opened.every((o) => o.provenance.status === 'verified' && o.sealed)).toBe(true);
    const fromBlocks = opened.filter((o) => stationIds.has(o.record.id) && o.record.createdAt >= from).length;
    expect(fromBlocks).toBeGreaterThan(50);
    expect(memosRead).toBe(opened.length - fromBlocks);
    // The same records, content and all, as the patient opens them (no team key: never from a block).
    const patient = await internals.actor(w.people.patient.name, w.people.patient.password);
    const own = (await internals.reader.openWindow(patient, w.addresses.patient, { from: earlier, limit: 5000 })).items;
    expect(own.map((o) => [o.record.id, o.provenance.status, o.sealed?.content])).toEqual(opened.map((o) => [o.record.id, o.provenance.status, o.sealed?.content]));
  });

  it('an hour with a reading not anchored yet is left for a later pass, which the scheduler starts from', async () => {
    let now = to + SEAL_AFTER_MS;
    const sealer = new StationBlocks(() => internals.store, internals.keyring, internals.verifier, () => now);
    // This process recorded nothing yet: no patient of its own.
    await sealer.sealEnded();
    expect(internals.keyring.stationPatients()).toEqual([]);
    // A reading in this hour, then the hour ends: not anchored yet (the anchor window holds it).
    const { anchored } = await internals.stationWriter.ingest(internals.stationWallet, [reading(w.addresses.patient, to + 10 * 60_000, 500)]);
    now = to + BLOCK_MS + SEAL_AFTER_MS;
    expect(await sealer.sealHours(w.addresses.patient, to, to + BLOCK_MS)).toEqual({ sealed: [], pending: to });
    await sealer.sealEnded();
    expect(await blocksAt([to], BlockFamily.station)).toEqual([undefined]);
    await internals.anchorQueue.flush();
    await anchored;
    await sealer.sealEnded();
    expect((await blocksAt([to], BlockFamily.station))[0]).toBeDefined();
  });
});
