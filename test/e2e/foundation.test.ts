/**
 * The paper's system end to end, in real Chromium against `wardledger serve`: first-run setup →
 * a doctor registers → IT approves → the doctor logs in and sees the home page; a patient
 * registers and logs in; a wrong password shows an error; inactivity locks the screen.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { closeSuite, launchChromium, startWardServer, type WardServer } from './support/wardServer';

const admin = { wardName: 'Ward 7 North', name: 'Ada Admin', age: 41, password: 'admin-password-1' };
const doctor = { name: 'Grace Hopper', age: 52, role: 'Doctor' as const, password: 'doctor-password' };
const patient = { name: 'Pat Patient', age: 67, dob: ui.dobForAge(67), hospitalNumber: 'PP000067', role: 'Patient' as const, password: 'patient-password' };
/** Patients log in with their hospital number (names of patients may repeat). */
const patientLogin = { name: patient.hospitalNumber, password: patient.password };

describe('WardLedger in a browser: setup, registration, approval, login, lock', () => {
  let server: WardServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];

  async function openApp(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(server.launchUrl);
    await ui.appReady(page);
    return page;
  }

  beforeAll(async () => {
    server = await startWardServer();
    browser = await launchChromium();
  });
  afterAll(() => closeSuite(contexts, browser, server));

  it('refuses the app without the launch secret', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const response = await page.goto(server.url);
    expect(response?.status()).toBe(401);
    // A page for people, not raw JSON (issue 11): what to do, styled (its style passes the CSP).
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Open WardLedger with its link');
    expect(await page.textContent('body')).toContain('Open this URL in a browser on this computer');
    expect(await page.locator('body').evaluate((body) => body.ownerDocument.defaultView!.getComputedStyle(body).fontSize)).toBe('18px');
  });

  it('sets up the ward; a doctor registers and waits; IT approves; the doctor sees the home page', async () => {
    const itPage = await openApp();
    // The secret is swapped for a cookie and leaves the address bar.
    expect(itPage.url()).not.toContain('token=');
    await ui.setupWard(itPage, admin);
    expect(await ui.signedInAs(itPage)).toEqual({ name: admin.name, role: 'IT admin' });
    expect(await ui.headerWardName(itPage)).toBe(admin.wardName);

    const doctorPage = await openApp();
    await ui.gotoRoute(doctorPage, 'register');
    expect(await ui.register(doctorPage, doctor)).toBe('pending');
    await ui.gotoRoute(doctorPage, 'login');
    expect(await ui.loginExpectingError(doctorPage, doctor)).toMatch(/waiting for approval/i);

    await itPage.reload();
    await ui.expectAdminPage(itPage);
    expect(await ui.pendingNames(itPage)).toEqual([doctor.name]);
    await ui.approvePending(itPage, doctor.name);
    expect(await ui.pendingNames(itPage)).toEqual([]);
    expect(await ui.memberStatus(itPage, doctor.name)).toBe('Active');

    await doctorPage.reload();
    await ui.gotoRoute(doctorPage, 'login');
    await ui.login(doctorPage, doctor);
    const details = await ui.expectDoctorHome(doctorPage, doctor);
    expect(details).toMatchObject({ Name: doctor.name, Age: String(doctor.age), Role: 'Doctor', Ward: admin.wardName });
    expect(details.Account).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(await ui.doctorPatients(doctorPage)).toEqual({ empty: true, names: [] });
  });

  it('registers a patient who can log in at once and sees their own details', async () => {
    const page = await openApp();
    await ui.gotoRoute(page, 'register');
    expect(await ui.register(page, patient)).toBe('active');
    await ui.gotoRoute(page, 'login');
    await ui.login(page, patientLogin);
    expect(await ui.expectPatientHome(page, patient)).toMatchObject({
      Name: patient.name,
      'Date of birth': `1 Jan ${patient.dob.slice(0, 4)} (${patient.age} y)`,
      'Hospital number': patient.hospitalNumber,
      Role: 'Patient',
    });
  });

  it('shows invalid registration input next to the field', async () => {
    const page = await openApp();
    await ui.gotoRoute(page, 'register');
    await ui.fillRegister(page, { name: 'Someone', age: 131, role: 'Nurse', password: 'nurse-password' });
    expect(await ui.fieldError(page, 'Age')).toMatch(/between 0 and 130/);
    await ui.fillRegister(page, { name: 'Someone', dob: '2999-01-01', hospitalNumber: 'SO123456', role: 'Patient', password: 'patient-password' });
    expect(await ui.fieldError(page, 'Date of birth')).toMatch(/future/);
    await ui.fillRegister(page, { name: 'Someone', dob: '1980-01-01', hospitalNumber: 'SO12', role: 'Patient', password: 'patient-password' });
    expect(await ui.fieldError(page, 'Hospital number')).toMatch(/6 to 12 letters and digits/);
    // Patients may share a name; a hospital number is one patient's.
    await ui.fillRegister(page, { name: 'Someone', dob: '1980-01-01', hospitalNumber: patient.hospitalNumber.toLowerCase(), role: 'Patient', password: 'another-password' });
    await expect.poll(() => ui.fieldError(page, 'Hospital number'), { timeout: 30_000 }).toMatch(/already registered/);
  });

  it('shows an error for a wrong password and stays on the login page', async () => {
    const page = await openApp();
    await ui.gotoRoute(page, 'login');
    expect(await ui.loginExpectingError(page, { name: patient.hospitalNumber, password: 'wrong-password' })).toMatch(/Name or password is incorrect/);
    await ui.expectRoute(page, 'login');
  });

  it('locks the screen after inactivity and unlocks only with the right password', async () => {
    const itPage = await openApp();
    await ui.gotoRoute(itPage, 'login');
    await ui.login(itPage, admin);
    await ui.expectAdminPage(itPage);
    await ui.setLockTimeout(itPage, 0.25); // 15 seconds, the shortest allowed

    const page = await openApp();
    await ui.gotoRoute(page, 'login');
    await ui.login(page, doctor);
    await ui.expectDoctorHome(page, doctor);
    // Sit idle: the core locks the session after 15 s and the screen follows.
    await ui.expectLocked(page, doctor.name, 40_000);
    // Nothing of the doctor's page stays in the document while locked.
    expect(await page.getByRole('region', { name: 'Your details' }).count()).toBe(0);
    expect(await ui.unlockExpectingError(page, 'not-my-password')).toMatch(/incorrect/);
    await ui.unlock(page, doctor.password);
    await ui.expectDoctorHome(page, doctor);

    await ui.lock(page);
    await ui.expectLocked(page, doctor.name);
  });

  it('logged no errors in the browser console (CSP included)', () => {
    const unexpected = consoleErrors.filter((e) => !/status of 4\d\d/.test(e));
    expect(unexpected).toEqual([]);
  });
});
