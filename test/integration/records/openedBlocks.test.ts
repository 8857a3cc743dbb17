/**
 * Opened blocks (records/openedBlocks.ts, issue 12: first opens after a restart): a care-team
 * reader's page keeps each whole hour inside it as one sealed block of its verified, decrypted
 * records, and a later first open takes the hour from it instead of decrypting and checking a memo
 * record by record. These tests seed five hours of readings and nurse notes through the internal
 * write paths, open the page as the doctor, and show which hours a block serves (the memos are read
 * only for the records of the others), that a record edited on disk and a block moved or edited
 * each make the block vouch for nothing, that a reading filed late into an hour is verified on its
 * own, and that readers without the care team key neither use nor keep blocks.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { observationContent } from '../../../electron/core/clinical/vitalsAssessment';
import type { Actor } from '../../../electron/core/identity/actor';
import type { RecordContent } from '../../../electron/core/model/records';
import { BlockFamily, BLOCK_MS, hourOf } from '../../../electron/core/records/openedBlocks';
import type { OpenedRecord } from '../../../electron/core/records/provenance';
import { openedBlockKey } from '../../../electron/core/storage/keys';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { alterRecord, withKv } from '../../support/storeTampering';
import { admittedWardOnDisk, removeDir, type staffedWard } from '../../support/tempCore';

const HOURS = 5;
const READING_EVERY_MS = 5 * 60_000;

describe('opened blocks: an hour of a history opened in one piece', () => {
  let dir: string;
  let internals: PipelineInternals | null = null;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let doctor: Actor;
  /** The newest reading's time: the page spans HOURS hours back from it. */
  let newest: number;
  const readingIds: string[] = [];

  const reading = (patient: string, at: number, i: number) => {
    const when = new Date(at).toISOString();
    const device = { driver: 'contec-cms50e', model: 'CMS50E', serial: 'SIM-OX-BLOCKS', deviceRecordId: String(i), receivedAt: when };
    return { patient, createdAt: at, authorName: 'CMS50E SIM-OX-BLOCKS', content: observationContent({ vitals: { spo2: 94 + (i % 5), pulse: 60 + (i % 40) } }, 1, { kind: 'device', measuredAt: when, device }) as RecordContent };
  };

  const open = async (): Promise<OpenedRecord[]> => (await internals!.reader.openWindow(doctor, w.addresses.patient, { limit: 5000 })).items;
  /** The hours strictly inside the page (every record of them in it): those a block may be kept for. */
  const wholeHours = (): number[] => {
    const first = newest - HOURS * 3600_000;
    const hours: number[] = [];
    for (let h = hourOf(first) + BLOCK_MS; h + BLOCK_MS <= newest; h += BLOCK_MS) hours.push(h);
    return hours;
  };
  const blocksAt = (hours: number[], family: number) => internals!.store.openedBlocks(hours.map((hour) => ({ patient: w.addresses.patient, hour, family })));
  /** Open the page from nothing held in memory, counting the records whose memos had to be read. */
  const firstOpen = async (): Promise<{ opened: OpenedRecord[]; memosRead: number }> => {
    internals!.verifier.forgetDecrypted();
    const memos = vi.spyOn(internals!.store, 'memos');
    try {
      const opened = await open();
      return { opened, memosRead: memos.mock.calls.reduce((n, [entries]) => n + entries.length, 0) };
    } finally {
      memos.mockRestore();
    }
  };
  const reopen = async (): Promise<void> => {
    await internals?.close();
    internals = await openInternals(dir);
    doctor = await internals.actor(w.people.doctor.name, w.people.doctor.password);
  };
  const inWholeHours = (o: OpenedRecord, hours: number[]) => hours.includes(hourOf(o.record.createdAt));

  beforeAll(async () => {
    ({ dir, w } = await admittedWardOnDisk());
    internals = await openInternals(dir);
    // Readings every five minutes and a nurse's note each hour, over the last five hours.
    newest = Date.now() - 60_000;
    const items = [];
    for (let i = 0, at = newest - HOURS * 3600_000; at <= newest; i++, at += READING_EVERY_MS) items.push(reading(w.addresses.patient, at, i));
    const { records, anchored } = await internals.stationWriter.ingest(internals.stationWallet, items);
    readingIds.push(...records.map((r) => r.id));
    const nurse = await internals.actor(w.people.nurse.name, w.people.nurse.password);
    for (let h = 0; h < HOURS; h++) await internals.writer.create(nurse, w.addresses.patient, 'note', { note: `Round ${h}: comfortable.` }, { createdAt: newest - h * 3600_000 - 17 * 60_000 });
    await internals.anchorQueue.flush();
    await anchored;
    doctor = await internals.actor(w.people.doctor.name, w.people.doctor.password);
  });
  afterAll(async () => {
    await internals?.close();
    removeDir(dir);
  });

  it('the first open keeps each whole hour inside the page as a block per memo family, and no partial hour', async () => {
    const opened = await open();
    expect(opened.length).toBe(readingIds.length + HOURS);
    expect(opened.every((o) => o.provenance.status === 'verified')).toBe(true);
    const hours = wholeHours();
    expect(hours.length).toBeGreaterThanOrEqual(HOURS - 2);
    // The station's readings under the station's family, the nurse's notes under the care team's.
    expect((await blocksAt(hours, BlockFamily.station)).every((b) => b !== undefined)).toBe(true);
    expect((await blocksAt(hours, BlockFamily.team)).every((b) => b !== undefined)).toBe(true);
    const partial = [hourOf(newest), hourOf(newest - HOURS * 3600_000)];
    expect(await blocksAt(partial, BlockFamily.station)).toEqual([undefined, undefined]);
  });

  it('a later first open takes the whole hours from their blocks: memos are read only for the other records, and every record reads the same', async () => {
    const before = await open();
    await reopen();
    const { opened, memosRead } = await firstOpen();
    const hours = wholeHours();
    const outside = opened.filter((o) => !inWholeHours(o, hours)).length;
    expect(outside).toBeGreaterThan(0);
    expect(outside).toBeLessThan(opened.length / 2);
    expect(memosRead).toBe(outside);
    expect(opened.map((o) => [o.record.id, o.provenance.status, o.sealed?.content])).toEqual(before.map((o) => [o.record.id, o.provenance.status, o.sealed?.content]));
  });

  it('a record edited on disk is reported tampered: its hour’s block vouches for none of the hour, and is not rewritten', async () => {
    const hours = wholeHours();
    const target = (await open()).find((o) => o.record.authorRole === 'station' && hourOf(o.record.createdAt) === hours[1])!;
    const [kept] = await blocksAt([hours[1]!], BlockFamily.station);
    await internals!.close();
    internals = null;
    await alterRecord(dir, target.record.id, (r) => {
      r.patientRef = '0x' + '5a'.repeat(32);
    });
    await reopen();
    const { opened, memosRead } = await firstOpen();
    const edited = opened.find((o) => o.record.id === target.record.id)!;
    expect(edited.provenance.status).toBe('tampered');
    expect(opened.filter((o) => o.provenance.status !== 'verified')).toHaveLength(1);
    const ofHour = opened.filter((o) => o.record.authorRole === 'station' && hourOf(o.record.createdAt) === hours[1]).length;
    const outside = opened.filter((o) => !inWholeHours(o, hours)).length;
    expect(memosRead).toBe(outside + ofHour);
    expect(await blocksAt([hours[1]!], BlockFamily.station)).toEqual([kept]);
  });

  it('a block moved to another hour or edited vouches for nothing there; the hour is verified record by record and its block written again', async () => {
    const hours = wholeHours();
    const [a, b, c] = [hours[0]!, hours[2]!, hours[3]!];
    const key = (hour: number) => openedBlockKey({ patient: w.addresses.patient, hour, family: BlockFamily.station });
    await internals!.close();
    internals = null;
    await withKv(dir, async (kv) => {
      const moved = (await kv.get(key(a)))!;
      const edited = Buffer.from((await kv.get(key(c)))!);
      edited[edited.length - 40] ^= 1;
      await kv.commit([
        { type: 'put', key: key(b), value: moved },
        { type: 'put', key: key(c), value: edited },
      ]);
    });
    await reopen();
    const { opened, memosRead } = await firstOpen();
    expect(opened.filter((o) => o.provenance.status === 'tampered')).toHaveLength(1); // the record edited before
    const stationOf = (hour: number) => opened.filter((o) => o.record.authorRole === 'station' && hourOf(o.record.createdAt) === hour).length;
    const outside = opened.filter((o) => !inWholeHours(o, hours)).length;
    expect(memosRead).toBe(outside + stationOf(hours[1]!) + stationOf(b) + stationOf(c));
    // Written again from this open: the next first open takes b and c from their blocks.
    const again = await firstOpen();
    expect(again.memosRead).toBe(outside + stationOf(hours[1]!));
  });

  it('a reading filed late into an hour is verified on its own (the block still vouches for the others), and the block is written again with it', async () => {
    const hours = wholeHours();
    const late = hours[2]! + 31 * 60_000 + 7_000;
    const { records, anchored } = await internals!.stationWriter.ingest(internals!.stationWallet, [reading(w.addresses.patient, late, 999)]);
    await internals!.anchorQueue.flush();
    await anchored;
    const { opened, memosRead } = await firstOpen();
    const added = opened.find((o) => o.record.id === records[0]!.id)!;
    expect(added.provenance.status).toBe('verified');
    const stationOf = (hour: number) => opened.filter((o) => o.record.authorRole === 'station' && hourOf(o.record.createdAt) === hour).length;
    const outside = opened.filter((o) => !inWholeHours(o, hours)).length;
    expect(memosRead).toBe(outside + stationOf(hours[1]!) + 1);
    expect((await firstOpen()).memosRead).toBe(outside + stationOf(hours[1]!));
  });

  it('a reader without the care team key neither reads nor keeps blocks', async () => {
    const patient = await internals!.actor(w.people.patient.name, w.people.patient.password);
    expect(patient.teamKey).toBeNull();
    internals!.verifier.forgetDecrypted();
    const blocks = vi.spyOn(internals!.store, 'openedBlocks');
    try {
      const page = await internals!.reader.openWindow(patient, w.addresses.patient, { limit: 5000 });
      expect(page.items.length).toBeGreaterThan(HOURS * 10);
      expect(blocks).not.toHaveBeenCalled();
    } finally {
      blocks.mockRestore();
    }
  });
});
