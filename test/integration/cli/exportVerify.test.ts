/**
 * The command line an insurer or IT admin uses: `wardledger export` and `wardledger verify`,
 * run as real processes (the built CLI) against a ward data directory with real records.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wardledger } from '../../support/cli';
import { removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

describe('wardledger export and verify', () => {
  let dir: string;
  let patient: string;

  beforeAll(async () => {
    dir = tempDir();
    const core = await startCore(dir);
    const w = await staffedWard(core);
    patient = w.addresses.patient;
    await w.callers.nurse.ok('ward/admit', { patient, bed: '5', responsibleDoctor: w.addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient, vitals: { spo2: 95, pulse: 88, supplementalOxygen: false, temperature: { value: 100.4, unit: '[degF]' } }, missingReason: 'Spot check' });
    await w.callers.doctor.ok('records/addDiagnosis', { patient, text: 'Urinary tract infection', code: 'N39.0' });
    await core.stop();
  });
  afterAll(() => removeDir(dir));

  it('exports as the patient and verifies every record against the ward chain', async () => {
    const out = join(dir, 'export.json');
    const exp = await wardledger(['export', '--user', 'Pat Patient', '--data-dir', dir, '--out', out], { WARDLEDGER_PASSWORD: 'patient-password' });
    expect(exp.code, exp.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    expect(bundle.resourceType).toBe('Bundle');
    const ok = await wardledger(['verify', out, '--data-dir', dir]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('All 2 records verified.');
  });

  it('fails (exit 1) when one value of the export is edited, and says which check failed', async () => {
    const bundle = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8'));
    const spo2 = bundle.entry.find((e: { resource: { code?: { coding?: Array<{ code: string }> } } }) => e.resource.code?.coding?.some((c) => c.code === '2708-6'));
    spo2.resource.valueQuantity.value = 99;
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify(bundle));
    const r = await wardledger(['verify', edited, '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/integrity FAIL.*differ from the values the author signed/);
    expect(r.stdout).toContain('1 of 2 records failed verification.');
  });

  it('fails when the anchors cannot be checked, and refuses a wrong password or a missing file', async () => {
    const noChain = await wardledger(['verify', join(dir, 'export.json')]);
    expect(noChain.code).toBe(1);
    expect(noChain.stdout).toMatch(/not checked against a chain/);
    const wrong = await wardledger(['export', '--user', 'Pat Patient', '--data-dir', dir], { WARDLEDGER_PASSWORD: 'nope-nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Name or password is incorrect/);
    const missing = await wardledger(['verify', join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
  });
});
