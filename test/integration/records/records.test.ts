import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import { alterAnchorRoot, alterRecord } from '../../support/storeTampering';
import type { VitalsInput } from '../../../electron/core/model/vitals';
import type { WardCore } from '../../../electron/core/shellContract';
import { editStoredRecord } from '../../support/storedRecords';
import { removeDir, staffedWard, startCore, tempDir, Caller } from '../../support/tempCore';

const vitals: VitalsInput = {
  respiratoryRate: 18,
  spo2: 97,
  supplementalOxygen: false,
  systolic: 122,
  diastolic: 78,
  pulse: 72,
  consciousness: 'A',
  temperature: { value: 37.1, unit: 'Cel' },
};

describe('clinical records through the API (real ward chain)', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('admits a patient and shows them on the board without vitals, due within the hour', async () => {
    const { callers, addresses } = w;
    expect(await callers.nurse.ok('ward/unadmittedPatients', {})).toEqual([expect.objectContaining({ address: addresses.patient, name: 'Pat Patient', age: 67 })]);
    const row = await callers.nurse.ok('ward/admit', { patient: addresses.patient, bed: '3A', responsibleDoctor: addresses.doctor });
    expect(row).toMatchObject({ bed: '3A', patient: { name: 'Pat Patient', age: 67 }, responsibleDoctor: { name: 'Grace Hopper' }, observations: { lastComplete: null, overdue: false } });
    await expect(callers.nurse.fails('ward/admit', { patient: addresses.patient, bed: '4B' })).resolves.toMatchObject({ code: 'CONFLICT' });
  });

  it('previews NEWS2 live and rejects out-of-range vitals per field', async () => {
    const { callers, addresses } = w;
    const p = await callers.nurse.ok('vitals/preview', { patient: addresses.patient, vitals: { ...vitals, spo2: 91 } });
    expect(p.valid).toBe(true);
    expect(p.news2).toMatchObject({ complete: true, aggregate: 3, band: 'low-medium', singleParameterThree: true });
    const bad = await callers.nurse.ok('vitals/preview', { patient: addresses.patient, vitals: { ...vitals, spo2: 140, pulse: 'ten' } });
    expect(bad.valid).toBe(false);
    expect(Object.keys(bad.errors).sort()).toEqual(['pulse', 'spo2']);
    expect(bad.news2).toMatchObject({ complete: false });
    const e = await callers.nurse.fails('records/addVitals', { patient: addresses.patient, vitals: { ...vitals, spo2: 140 } });
    expect(e.code).toBe('BAD_INPUT');
    expect((e.details as { fields: Record<string, string> }).fields.spo2).toMatch(/SpO2/);
  });

  it('records vitals signed, encrypted and anchored, and the board shows the NEWS2 band', async () => {
    const { callers, addresses } = w;
    const view = await callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals });
    expect(view.provenance).toMatchObject({ status: 'verified', signatureValid: true, contentMatchesAnchor: true, anchored: true });
    expect(view.provenance.wardBlock).toBeGreaterThan(0);
    expect(view.author).toMatchObject({ name: 'Florence Nurse', role: 'nurse' });
    const [row] = await callers.nurse.ok('ward/census', {});
    expect(row!.observations!.lastComplete?.news2).toMatchObject({ aggregate: 0, band: 'low', scale: 1 });
    expect(row!.observations!.overdue).toBe(false);
    // Plaintext never on disk: neither the store's files nor its entries (the files are compressed)
    // hold a vital value or the patient's name in the clear.
    const files = readdirSync(storePath(dir)).map((f) => readFileSync(join(storePath(dir), f)));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) for (const needle of ['"spo2"', 'Pat Patient']) expect(f.includes(needle)).toBe(false);
    // (and its entries uncompressed: see the tampering test, which opens the store.)
  });

  it('lets the responsible doctor read the history with provenance, add notes and amend', async () => {
    const { callers, addresses } = w;
    const note = await callers.doctor.ok('records/addNote', { patient: addresses.patient, text: 'Chest clear. Continue observations.' });
    const dx = await callers.doctor.ok('records/addDiagnosis', { patient: addresses.patient, text: 'Community-acquired pneumonia', code: 'J18.9' });
    const amend = await callers.doctor.ok('records/amend', { recordId: note.id, reason: 'Wrong side documented', note: 'Left basal crackles. Continue observations.' });
    expect(amend.amends).toBe(note.id);
    const h = await callers.doctor.ok('records/history', { patient: addresses.patient });
    expect(h.patient).toMatchObject({ name: 'Pat Patient', age: 67 });
    expect(h.readOnly).toBeNull(); // the responsible doctor writes
    // Newest first (a history is read a window at a time, from the newest record back).
    expect(h.records.map((r) => r.kind).reverse()).toEqual(['vitals', 'note', 'diagnosis', 'amendment']);
    expect(h.records.every((r) => r.provenance.status === 'verified')).toBe(true);
    expect(h.records.find((r) => r.id === note.id)!.amendedBy).toEqual([amend.id]);
    expect(h.records.find((r) => r.id === dx.id)!.content).toEqual({ diagnosis: { text: 'Community-acquired pneumonia', code: 'J18.9' } });
    const home = await callers.doctor.ok('doctor/home', {});
    expect(home.patients).toEqual([expect.objectContaining({ name: 'Pat Patient', age: 67, observations: expect.objectContaining({ lastComplete: expect.objectContaining({ measuredAt: expect.any(String) }) }) })]);
  });

  it('refuses a doctor outside the care team unless break-glass with a reason, which is flagged in the audit', async () => {
    const { callers, addresses } = w;
    const e = await callers.otherDoctor.fails('records/history', { patient: addresses.patient });
    expect(e).toMatchObject({ code: 'FORBIDDEN', details: { breakGlassAvailable: true } });
    const h = await callers.otherDoctor.ok('records/history', { patient: addresses.patient, breakGlassReason: 'Cardiac arrest call, bed 3A' });
    expect(h.breakGlass).toBe(true);
    // Break-glass reads; the page offers no writes (they would be refused: not in this doctor's care).
    expect(h.readOnly).toMatch(/^Emergency access lets you read this record/);
    expect(await callers.otherDoctor.fails('records/addNote', { patient: addresses.patient, text: 'Seen in resus.' })).toMatchObject({ code: 'FORBIDDEN' });
    const audit = (await callers.patient.ok('audit/list', {})).entries;
    expect(audit.find((a) => a.breakGlass)).toMatchObject({ actor: { name: 'Other Doctor' }, action: 'read', reason: 'Cardiac arrest call, bed 3A' });
    await expect(callers.insurer.fails('records/history', { patient: addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callers.insurer.fails('records/history', { patient: addresses.patient, breakGlassReason: 'I would like to see it' })).resolves.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('lets the patient read their own record and grant an insurer, who can then export; verify passes', async () => {
    const { callers, addresses } = w;
    const mine = await callers.patient.ok('records/history', { patient: addresses.patient });
    expect(mine.records).toHaveLength(4 + 0);
    expect(mine.records.at(-1)!.author.name).toBe('Florence Nurse');
    const g = await callers.patient.ok('consent/grant', { grantee: addresses.insurer });
    expect(g.recordsShared).toBeGreaterThanOrEqual(4);
    const theirs = await callers.insurer.ok('records/history', { patient: addresses.patient });
    expect(theirs.readOnly).toBe('Insurers cannot write records.');
    expect(theirs.records.every((r) => r.content !== null && r.provenance.status === 'verified')).toBe(true);
    const exp = await callers.insurer.ok('export/fhir', { patient: addresses.patient });
    const report = await callers.insurer.ok('verify/fhir', { bundle: exp.bundle });
    expect(report, JSON.stringify(report, null, 1)).toMatchObject({ ok: true, failed: 0, fileProblems: [] });
    expect(report.checked).toBeGreaterThanOrEqual(4);

    // Editing one value in the export makes verification fail.
    const edited = JSON.parse(JSON.stringify(exp.bundle));
    const spo2 = edited.entry.find((e: { resource: { code?: { coding?: Array<{ code: string }> } } }) => e.resource.code?.coding?.some((c) => c.code === '2708-6'));
    spo2.resource.valueQuantity.value = 99;
    const bad = await callers.insurer.ok('verify/fhir', { bundle: edited });
    expect(bad.ok).toBe(false);
    expect(bad.items.some((i) => !i.integrity && i.problems.some((p) => /valueQuantity.value: the file says 99/.test(p)))).toBe(true);
  });

  it('revokes: future records leave the grantee out, and says what stays readable', async () => {
    const { callers, addresses } = w;
    const r = await callers.patient.ok('consent/revoke', { grantee: addresses.insurer });
    expect(r.notice).toMatch(/stay readable/);
    await callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals: { ...vitals, pulse: 95 } });
    await expect(callers.insurer.fails('records/history', { patient: addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    const list = await callers.patient.ok('consent/list', {});
    expect(list.grants).toEqual([expect.objectContaining({ grantee: expect.objectContaining({ name: 'Ivy Insurer' }), revokedAt: expect.any(String) })]);
  });

  it('answers a revoke with that grantee’s grant, not the first one the patient made', async () => {
    const { callers, addresses } = w;
    const g = await callers.patient.ok('consent/grant', { grantee: addresses.otherDoctor });
    const r = await callers.patient.ok('consent/revoke', { grantee: addresses.otherDoctor });
    expect(r.grant.grantee.address).toBe(addresses.otherDoctor);
    expect(r.grant.grantedAt).toBe(g.grant.grantedAt);
  });

  it('detects a tampered payload and a tampered anchor after a restart', async () => {
    const { addresses, people } = w;
    const before = await w.callers.doctor.ok('records/history', { patient: addresses.patient });
    await core.stop();
    const ids = before.records.map((r) => r.id);
    const store = await WardStore.open(storePath(dir), { create: false });
    // Plaintext never on disk, in any entry of the store.
    let entries = 0;
    for await (const chunk of store.snapshot()) {
      for (const [k, v] of chunk) {
        entries++;
        for (const needle of ['"spo2"', 'Pat Patient', 'respiratoryRate', 'Chest clear']) {
          expect(Buffer.from(k).includes(needle)).toBe(false);
          expect(Buffer.from(v).includes(needle)).toBe(false);
        }
      }
    }
    expect(entries).toBeGreaterThan(10);
    // Earlier reads left persistent verification memos; tampering must defeat them too.
    expect(ids.every((id) => store.memo(id) !== undefined)).toBe(true);
    // Two nurse records: one gets its ciphertext altered, the other its anchor proof.
    const nurseSets = [];
    for (const id of ids) {
      const e = (await store.entry(id))!;
      if (e.record.authorRole === 'nurse' && !e.record.batchSignature) nurseSets.push(e);
    }
    await store.close();
    const [payloadRecord, anchoredRecord] = nurseSets;
    const rec = { r: payloadRecord!.record };
    await alterRecord(dir, rec.r.id, (r) => {
      const ct = r.cipher.ct;
      r.cipher.ct = ct.slice(0, 10) + (ct[10] === '0' ? '1' : '0') + ct.slice(11);
    });
    const secondId = anchoredRecord!.record.id;
    await alterAnchorRoot(dir, secondId);

    core = await startCore(dir);
    const doctor = new Caller(core);
    await doctor.login(people.doctor.name, people.doctor.password);
    const h = await doctor.ok('records/history', { patient: addresses.patient });
    const payload = h.records.find((r) => r.id === rec.r.id)!;
    expect(payload.provenance.status).toBe('tampered');
    expect(payload.content).toBeNull();
    const anchored = h.records.find((r) => r.id === secondId)!;
    expect(anchored.provenance.status).toBe('tampered');
    expect(anchored.provenance.problems.join(' ')).toMatch(/anchor/);
    expect(anchored.content).not.toBeNull();
    expect(h.records.filter((r) => r.provenance.status === 'verified').length).toBe(h.records.length - 2);
  });

  it('reports a record whose signed amends or patientRef was edited on disk as tampered, although its memo was kept (issue 9 item 2)', async () => {
    const { addresses, people } = w;
    let doctor = new Caller(core);
    await doctor.login(people.doctor.name, people.doctor.password);
    // Opened once: every verified record now has a persistent memo.
    const before = await doctor.ok('records/history', { patient: addresses.patient });
    const verified = before.records.filter((r) => r.provenance.status === 'verified');
    const dx = verified.find((r) => r.kind === 'diagnosis')!;
    const [note, vitalsRecord] = verified.filter((r) => r.kind !== 'diagnosis');
    if (!note || !vitalsRecord) throw new Error('the history has too few verified records for this test');
    await core.stop();
    await editStoredRecord(dir, dx.id, (r) => {
      r.amends = note.id;
    });
    await editStoredRecord(dir, vitalsRecord.id, (r) => {
      r.patientRef = '0x' + '5a'.repeat(32);
    });

    core = await startCore(dir);
    doctor = new Caller(core);
    await doctor.login(people.doctor.name, people.doctor.password);
    const h = await doctor.ok('records/history', { patient: addresses.patient });
    for (const id of [dx.id, vitalsRecord.id]) {
      const r = h.records.find((x) => x.id === id)!;
      expect(r.provenance.status).toBe('tampered');
      expect(r.provenance.problems.join(' ')).toMatch(/signature/);
    }
    // The edited amends link does not make the other record look amended.
    expect(h.records.find((r) => r.id === note.id)!.amendedBy ?? []).not.toContain(dx.id);
  });
});
