/**
 * Crash recovery of the record pipeline: a record made durable but not yet anchored (crash before
 * batching), and a batch whose anchor transaction went through but whose acknowledgement was not
 * written (crash after mining). After restart both are anchored, the second without a second
 * transaction, and every record is there once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

describe('record pipeline crash recovery', () => {
  let dir: string;
  let core: WardCore;
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
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  const logPath = () => join(dir, 'records', 'log.jsonl');
  const entries = () => readFileSync(logPath(), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { t: string; root?: string; block?: number; r?: { id: string } });

  it('finishes an interrupted anchor without sending it twice, and anchors an unbatched record', async () => {
    await core.stop();
    const all = entries();
    const anchors = all.filter((e) => e.t === 'anchor');
    expect(anchors).toHaveLength(2);
    const [first, second] = anchors;
    // Crash 1: the first batch's transaction was mined, but its anchor entry never written.
    // Crash 2: the second record was durable, but neither its batch nor its anchor was written.
    const kept = all.filter((e) => e !== first && e !== second && !(e.t === 'batch' && e.root === second!.root));
    writeFileSync(logPath(), kept.map((e) => JSON.stringify(e)).join('\n') + '\n');

    core = await startCore(dir);
    const doctor = new Caller(core);
    await doctor.login(people.doctor.name, people.doctor.password);
    const h = await doctor.ok('records/history', { patient });
    expect(h.records.map((r) => r.content?.vitals?.pulse)).toEqual([70, 75]);
    expect(h.records.every((r) => r.provenance.status === 'verified')).toBe(true);
    // The first record kept its original anchor (found on the chain, not re-sent) ...
    expect(h.records[0]!.provenance.wardBlock).toBe(first!.block);
    // ... and the log holds exactly one anchor per record, no duplicates.
    const after = entries();
    expect(after.filter((e) => e.t === 'rec')).toHaveLength(2);
    const anchoredIds = after.filter((e) => e.t === 'anchor').flatMap((e) => (e as unknown as { ids: string[] }).ids);
    expect(new Set(anchoredIds).size).toBe(anchoredIds.length);
    expect(anchoredIds).toHaveLength(2);
  });

  it('ignores a torn last line (crash mid-write) and keeps everything acknowledged before it', async () => {
    await core.stop();
    const before = readFileSync(logPath(), 'utf8');
    writeFileSync(logPath(), before + '{"t":"rec","r":{"id":"0xtorn');
    core = await startCore(dir);
    const doctor = new Caller(core);
    await doctor.login(people.doctor.name, people.doctor.password);
    const h = await doctor.ok('records/history', { patient });
    expect(h.records).toHaveLength(2);
    expect(readFileSync(logPath(), 'utf8').includes('0xtorn')).toBe(false);
  });
});
