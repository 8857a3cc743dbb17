/**
 * A warm open (records/provenance.ts `reopened`): a record opened and verified before is served
 * from memory, without being decoded, decrypted or parsed again, only while the bytes read from
 * the store now are the bytes it was opened from. One byte edited in the running store and the
 * next open decodes it, verifies it and reports it tampered; a read without a key to the record's
 * scope never gets the record held in memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reopened, type OpenedRecord } from '../../../electron/core/records/provenance';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { flipStoredByteWhileOpen } from '../../support/storeTampering';
import { completeVitals, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

describe('a warm open of a history', () => {
  let dir: string;
  let internals: PipelineInternals;
  let w: Awaited<ReturnType<typeof staffedWard>>;

  beforeAll(async () => {
    dir = tempDir();
    const core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '4', responsibleDoctor: w.addresses.doctor });
    for (const pulse of [70, 80, 90, 100]) await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: completeVitals(pulse) });
    await core.stop();
    // The core's own object graph, so the test can write to the running store behind its back.
    internals = await openInternals(dir);
  });
  afterAll(async () => {
    await internals?.close();
    removeDir(dir);
  });

  const open = async (who: 'doctor'): Promise<OpenedRecord[]> => {
    const actor = await internals.actor(w.people[who].name, w.people[who].password);
    return (await internals.reader.openWindow(actor, w.addresses.patient)).items;
  };

  it('serves unchanged records from memory, and catches one stored byte edited while the core runs', async () => {
    const first = await open('doctor');
    expect(first).toHaveLength(4);
    expect(first.every((o) => o.provenance.status === 'verified')).toBe(true);
    const held = await open('doctor');
    // Held records, the very objects (nothing decoded, decrypted or parsed again).
    (await open('doctor')).forEach((o, i) => expect(o).toBe(held[i]));

    const victim = held[1]!.record.id;
    await flipStoredByteWhileOpen(internals.store, victim); // the ciphertext's last byte
    const edited = await open('doctor');
    const flagged = edited.find((o) => o.record.id === victim)!;
    expect(flagged).not.toBe(held[1]);
    expect(flagged.provenance.status).toBe('tampered');
    expect(flagged.sealed).toBeNull();
    // The others are still the held records.
    edited.filter((o) => o.record.id !== victim).forEach((o) => expect(held).toContain(o));

    // The byte put back: the record verifies again (from its memo) and is held again.
    await flipStoredByteWhileOpen(internals.store, victim);
    const restored = (await open('doctor')).find((o) => o.record.id === victim)!;
    expect(restored.provenance.status).toBe('verified');
    expect((await open('doctor')).find((o) => o.record.id === victim)).toBe(restored);
  });

  it('hands a held record only to a read with a key to its scope', async () => {
    await open('doctor');
    const entries = (await internals.store.window(w.addresses.patient, { proofs: false })).items;
    const held = entries.map(reopened);
    expect(held.every((h) => h !== undefined)).toBe(true);
    const noKeys = await internals.verifier.openMany(entries, new Map(), null, held);
    expect(noKeys).toHaveLength(entries.length);
    for (const o of noKeys) {
      expect(o.provenance.status).toBe('unverifiable');
      expect(o.sealed).toBeNull();
    }
  });
});
