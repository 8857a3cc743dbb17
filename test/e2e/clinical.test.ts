/**
 * Clinical records end to end, in real Chromium against `wardledger serve`: a nurse admits a
 * patient and enters vitals → the board shows the NEWS2 band → the doctor sees the record on the
 * chart with a valid provenance badge → the patient grants an insurer → the insurer verifies the
 * export (and an edited export fails).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { closeSuite, launchChromium, startWardServer, type WardServer } from './support/wardServer';

const admin = { wardName: 'Ward 9 South', name: 'Ada Admin', age: 41, password: 'admin-password-1' };
const nurse = { name: 'Florence Nurse', age: 33, role: 'Nurse' as const, password: 'nurse-password' };
const doctor = { name: 'Grace Hopper', age: 52, role: 'Doctor' as const, password: 'doctor-password' };
const insurer = { name: 'Ivy Insurer', age: 40, role: 'Insurer' as const, password: 'insurer-password' };
const patient = { name: 'Pat Patient', age: 67, dob: ui.dobForAge(67), hospitalNumber: 'PP000067', role: 'Patient' as const, password: 'patient-password' };
/** Patients log in with their hospital number (names of patients may repeat). */
const patientLogin = { name: patient.hospitalNumber, password: patient.password };

describe('clinical records in a browser: admit, vitals, NEWS2, chart, consent, verification', () => {
  let server: WardServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let exported: { filename: string; bundle: unknown };

  async function openApp(): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(server.launchUrl);
    await ui.appReady(page);
    return page;
  }

  async function loginAs(who: { name: string; password: string }): Promise<Page> {
    const page = await openApp();
    await ui.gotoRoute(page, 'login');
    await ui.login(page, who);
    return page;
  }

  beforeAll(async () => {
    server = await startWardServer([], { WARDLEDGER_SCRYPT_N: '1024' });
    browser = await launchChromium();
    // Set up the ward and its people through the UI (registration is covered in foundation.test.ts).
    const it = await openApp();
    await ui.setupWard(it, admin);
    for (const p of [nurse, doctor, insurer, patient]) {
      const page = await openApp();
      await ui.gotoRoute(page, 'register');
      await ui.register(page, p);
    }
    await it.reload();
    await ui.expectAdminPage(it);
    for (const p of [nurse, doctor, insurer]) await ui.approvePending(it, p.name);
  });
  afterAll(() => closeSuite(contexts, browser, server));

  it('a nurse admits the patient, sees NEWS2 live while typing, saves, and the board shows the band', async () => {
    const page = await loginAs(nurse);
    await ui.gotoRoute(page, 'nurse');
    await ui.admitPatient(page, { patient: patient.name, bed: '4A', doctor: doctor.name });
    await expect.poll(() => ui.wardBoardRows(page), { timeout: 30_000 }).toEqual([expect.objectContaining({ bed: '4A', name: patient.name, age: patient.age })]);

    await ui.openVitalsEntry(page, patient.name);
    await ui.fillVitals(page, { respiratoryRate: 22, spo2: 94, oxygen: 'Air', systolic: 105, diastolic: 70, pulse: 95 });
    await ui.expectNews2(page, /Incomplete/); // consciousness and temperature still missing
    await ui.fillVitals(page, { consciousness: 'A', temperature: 38.4 });
    // RR 22 → 2, SpO2 94 → 1, air 0, SBP 105 → 1, pulse 95 → 1, alert 0, 38.4 °C → 1: 6, medium.
    await ui.expectNews2(page, /6 — Medium/);
    // A medium score asks the nurse to record the escalation before going back to the board.
    const notice = await ui.saveVitals(page, { who: doctor.name, response: 'Will review within 30 minutes' });
    expect(notice).toMatch(/Saved: vitals for Pat Patient .*secured against later changes\. NEWS2 6 — Medium \(Scale 1\)\. Escalation recorded: Grace Hopper informed\./);
    await expect
      .poll(async () => (await ui.wardBoardRows(page))[0], { timeout: 30_000 })
      .toMatchObject({ news2: { score: 6, band: 'Medium', complete: true, scale: 1 }, overdue: false, risk: 'medium', warnings: [] });
  });

  it('the doctor sees the record on the chart and timeline with a verified provenance badge', async () => {
    const page = await loginAs(doctor);
    await ui.gotoRoute(page, 'ward');
    await ui.openRecord(page, patient.name);
    await ui.expectPatientRecord(page, patient.name);
    await expect.poll(() => ui.recordRows(page).then((r) => r.length), { timeout: 30_000 }).toBe(2);
    const records = await ui.recordRows(page);
    const vitals = records.find((r) => r.kind === 'Vitals')!;
    expect(vitals).toMatchObject({ provenance: 'Verified' });
    expect(vitals.author).toContain(nurse.name);
    expect(records.find((r) => r.kind === 'Escalation')!.text).toMatch(/Grace Hopper \(Doctor\) informed at .* Response: Will review within 30 minutes/);
    const charts = await ui.chartNames(page);
    expect(charts.some((c) => /SpO2 over time.*1 reading/.test(c))).toBe(true);
    expect(charts.some((c) => /NEWS2/.test(c))).toBe(true);
  });

  it('the patient shares the record with the insurer, who exports and verifies it; an edited export fails', async () => {
    const p = await loginAs(patientLogin);
    await ui.gotoRoute(p, 'sharing');
    await ui.shareRecordWith(p, insurer.name);
    await expect.poll(async () => (await ui.consentGrants(p)).map((g) => g.name), { timeout: 30_000 }).toContain(insurer.name);

    const ins = await loginAs(insurer);
    exported = await ui.exportFhir(ins, patient.name);
    expect(exported.filename).toMatch(/^Pat-Patient-PP000067-records-\d{4}-\d{2}-\d{2}\.fhir\.json$/);
    const ok = await ui.verifyExport(ins, { name: 'export.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported.bundle)) });
    expect(ok.summary).toMatch(/^All 2 records verified/);
    expect(ok.rows.every((r) => r.signature && r.member && r.integrity && r.anchor)).toBe(true);

    const edited = JSON.parse(JSON.stringify(exported.bundle));
    const spo2 = edited.entry.find((e: { resource: { code?: { coding?: Array<{ code: string }> } } }) => e.resource.code?.coding?.some((c) => c.code === '2708-6'));
    spo2.resource.valueQuantity.value = 99;
    const bad = await ui.verifyExport(ins, { name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(edited)) });
    expect(bad.summary).toMatch(/1 of 2 records failed verification/);
    expect(bad.rows.find((r) => !r.integrity)).toMatchObject({ signature: true, member: true, integrity: false, problems: expect.stringContaining('valueQuantity.value: the file says 99') });
    // Said in words, by the record's kind and date, not only its hex id.
    expect(bad.rows.find((r) => !r.integrity)!.problems).toMatch(/^Vitals of .*: the content was changed after it was signed\./);
  });
});
