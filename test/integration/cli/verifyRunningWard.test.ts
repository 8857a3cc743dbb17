/**
 * Issue 8: `wardledger verify FILE --data-dir DIR` works while the ward runs (an IT admin or
 * insurer verifies against the live ward); an export made while a record is damaged says so in
 * its signed manifest and verifies as incomplete; a corrected reading is exported once as a
 * reading (original entered-in-error, correction corrected, same measured time), both signed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { wardledger } from '../../support/cli';
import { editStoredRecord } from '../../support/storedRecords';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

type Bundle = { entry: Array<{ resource: { resourceType: string; status?: string; effectiveDateTime?: string; identifier?: Array<{ value: string }>; code?: { coding: Array<{ code: string }> }; valueQuantity?: { value: number } } }> };

describe('verify against a running ward; incomplete exports; corrected readings', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let patient: string;
  let originalId: string;
  let correctionId: string;
  let damagedId: string;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    patient = w.addresses.patient;
    await w.callers.nurse.ok('ward/admit', { patient, bed: '9', responsibleDoctor: w.addresses.doctor });
    const takenAt = new Date(Date.now() - 20 * 60_000).toISOString();
    const set = await w.callers.nurse.ok('records/addVitals', { patient, vitals: { spo2: 95, pulse: 88, supplementalOxygen: false }, takenAt, missingReason: 'Spot check' });
    originalId = set.id;
    correctionId = (await w.callers.doctor.ok('records/amend', { recordId: set.id, reason: 'Probe on a cold finger', vitals: { spo2: 91, pulse: 88, supplementalOxygen: false }, missingReason: 'Spot check' })).id;
    damagedId = (await w.callers.doctor.ok('records/addNote', { patient, text: 'Settled overnight.' })).id;
  }, 120_000);
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('exports a correction as one reading: the original entered-in-error, the correction corrected at the original measured time; both verify, while the ward runs', async () => {
    const bundle = (await w.callers.patient.ok('export/fhir', { patient })).bundle as Bundle;
    const spo2 = bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Observation' && r.code?.coding.some((c) => c.code === '2708-6'));
    const byRecord = (id: string) => spo2.find((r) => r.identifier?.[0]?.value === id)!;
    expect(byRecord(originalId)).toMatchObject({ status: 'entered-in-error', valueQuantity: { value: 95 } });
    expect(byRecord(correctionId)).toMatchObject({ status: 'corrected', valueQuantity: { value: 91 } });
    expect(byRecord(correctionId).effectiveDateTime).toBe(byRecord(originalId).effectiveDateTime);
    expect(spo2.filter((r) => r.status === 'final' || r.status === 'amended' || r.status === 'corrected')).toHaveLength(1);

    const file = join(dir, 'complete.json');
    writeFileSync(file, JSON.stringify(bundle));
    // The ward is running (it holds the data directory): verify still works, against a snapshot of its chain.
    const r = await wardledger(['verify', file, '--data-dir', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('(the ward is running: its chain was read from a snapshot)');
    expect(r.stdout).toMatch(new RegExp(`OK +${originalId.slice(0, 12)}…  vitals .*signature ok`));
    expect(r.stdout).toMatch(new RegExp(`OK +${correctionId.slice(0, 12)}…  amendment .*signature ok`));
    expect(r.stdout).toContain('All 3 records verified; the export is complete.');
  });

  it('names a damaged record in the signed manifest, and verification reports the export incomplete', async () => {
    await core.stop();
    await editStoredRecord(dir, damagedId, (rec) => {
      const ct = rec.cipher.ct;
      rec.cipher.ct = ct.slice(0, 10) + (ct[10] === '0' ? '1' : '0') + ct.slice(11);
    });
    core = await startCore(dir);
    const p = new Caller(core);
    await p.login(w.people.patient.name, w.people.patient.password);
    const bundle = (await p.ok('export/fhir', { patient })).bundle;
    const file = join(dir, 'incomplete.json');
    writeFileSync(file, JSON.stringify(bundle));

    const report = await p.ok('verify/fhir', { bundle });
    expect(report.ok).toBe(false);
    expect(report.failed).toBe(0);
    expect(report.manifest).toMatchObject({ complete: false, records: 2, missing: [{ recordId: damagedId, kind: 'note', reason: expect.stringMatching(/failed verification/) }] });

    const r = await wardledger(['verify', file, '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`FILE  Incomplete export: record ${damagedId} \\(note, \\d{4}-\\d\\d-\\d\\dT[^)]+\\) could not be exported: it failed verification`));
    expect(r.stdout).toContain('Incomplete export: 1 record(s) could not be exported.');
  });
});
