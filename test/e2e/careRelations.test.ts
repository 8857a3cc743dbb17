/**
 * Issue 9 items 3 and 9 in real Chromium against `wardledger serve`: a doctor with no care
 * relationship sees the bed on the ward board but not who is in it (no name, vitals or score), no
 * discharge button, and a keyboard-reachable way in for an emergency that leads to break-glass;
 * the patient's access log lists the admission and who was shown their row.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { closeSuite, launchChromium, loginInNewContext, startWardServer, type WardServer } from './support/wardServer';

const admin = { wardName: 'Ward 4 East', name: 'Ada Admin', age: 41, password: 'admin-password-1' };
const nurse = { name: 'Florence Nurse', age: 33, role: 'Nurse' as const, password: 'nurse-password' };
const doctor = { name: 'Grace Hopper', age: 52, role: 'Doctor' as const, password: 'doctor-password' };
const other = { name: 'Alan Turing', age: 41, role: 'Doctor' as const, password: 'turing-password' };
const patient = { name: 'Pat Patient', age: 67, dob: ui.dobForAge(67), hospitalNumber: 'PP000067', role: 'Patient' as const, password: 'patient-password' };
/** Patients log in with their hospital number (names of patients may repeat). */
const patientLogin = { name: patient.hospitalNumber, password: patient.password };

describe('the ward board shows each person what they may open', () => {
  let server: WardServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const loginAs = (who: { name: string; password: string }): Promise<Page> => loginInNewContext(browser, server, contexts, who);

  beforeAll(async () => {
    server = await startWardServer([], { WARDLEDGER_SCRYPT_N: '1024' });
    browser = await launchChromium();
    const context = await browser.newContext();
    contexts.push(context);
    const it = await context.newPage();
    await it.goto(server.launchUrl);
    await ui.appReady(it);
    await ui.setupWard(it, admin);
    for (const p of [nurse, doctor, other, patient]) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(server.launchUrl);
      await ui.appReady(page);
      await ui.gotoRoute(page, 'register');
      await ui.register(page, p);
      await page.context().close();
    }
    await it.reload();
    await ui.expectAdminPage(it);
    for (const p of [nurse, doctor, other]) await ui.approvePending(it, p.name);
    const n = await loginAs(nurse);
    await ui.expectWardBoard(n);
    await ui.admitPatient(n, { patient: patient.name, bed: '5', doctor: doctor.name });
  });
  afterAll(() => closeSuite(contexts, browser, server));

  it('a doctor not in the patient’s care sees the bed only, and reaches emergency access by keyboard', async () => {
    const page = await loginAs(other);
    await ui.gotoRoute(page, 'ward');
    await ui.expectWardBoard(page);
    const board = page.getByRole('table', { name: 'Ward board' });
    const row = board.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Not in your care' }) });
    await expect(row.getByRole('cell').first().textContent()).resolves.toBe('5');
    await expect(row.textContent()).resolves.toContain('Grace Hopper');
    await expect(board.textContent()).resolves.not.toContain(patient.name);
    await page.getByText(/1 is not in your care/).waitFor({ timeout: ui.SCREEN_TIMEOUT });
    expect(await page.getByRole('button', { name: /^(Discharge|Actions for) / }).count()).toBe(0);

    const emergency = page.getByRole('link', { name: 'Emergency access to the patient in bed 5 (audited)' });
    // Tab from the top of the page until the link has the focus (the browser says which element has it).
    const focused = () => emergency.evaluate((el) => el === el.ownerDocument.activeElement);
    for (let i = 0; i < 40 && !(await focused()); i++) await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await ui.heading(page, 'Emergency access (break glass)', 2).waitFor({ timeout: ui.SCREEN_TIMEOUT });
  });

  it('the responsible doctor and the nurse see the patient in full; the patient sees the admission and who was shown the row', async () => {
    const grace = await loginAs(doctor);
    await ui.gotoRoute(grace, 'ward');
    const rows = await ui.wardBoardRows(grace);
    expect(rows).toEqual([expect.objectContaining({ bed: '5', name: patient.name, age: patient.age, doctor: 'Grace Hopper' })]);
    await ui.button(grace, `Actions for ${patient.name}`).click();
    expect(await grace.getByRole('menuitem', { name: `Discharge ${patient.name}` }).count()).toBe(1);
    await grace.keyboard.press('Escape');

    const pat = await loginAs(patientLogin);
    await ui.gotoRoute(pat, 'accessLog');
    const log = await ui.auditRows(pat, 'Access log');
    expect(log.filter((r) => r.what === 'Admitted')).toEqual([
      expect.objectContaining({ who: nurse.name, why: 'Admitted to bed 5; responsible doctor: Grace Hopper', flagged: false }),
    ]);
    const shown = log.filter((r) => r.what === 'Saw name and latest vitals in a list').map((r) => r.who);
    expect(shown.sort()).toEqual([nurse.name, doctor.name]);
  });
});
