/**
 * Issue 11 (identifying patients, admitting, screen reader) in real Chromium against
 * `wardledger serve --demo`:
 *  - a nurse admits a second "Peter Patient" with date of birth and hospital number; the board
 *    tells the two apart by their identifiers, and the one-time activation code is shown once;
 *  - the patient logs in with hospital number and code, must choose a password, and the code is
 *    then spent while the password works;
 *  - a doctor refused the new patient's record sees the patient named (with identifiers) before
 *    overriding access, and a reload does not ask for a second reason;
 *  - the NEWS2 panel has one small live region that speaks total and band only.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { closeSuite, launchChromium, loginInNewContext, startWardServer, type WardServer } from './support/wardServer';

const demoPassword = 'demo-password';

describe('identifying and admitting patients, in a browser', () => {
  let server: WardServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let code = '';

  const loginAs = (name: string, password = demoPassword): Promise<Page> => loginInNewContext(browser, server, contexts, { name, password });

  beforeAll(async () => {
    server = await startWardServer(['--demo'], { WARDLEDGER_SCRYPT_N: '1024' });
    browser = await launchChromium();
  });
  afterAll(() => closeSuite(contexts, browser, server));

  it('a nurse admits a second Peter Patient; the board tells them apart and the activation code is shown once', async () => {
    const page = await loginAs('Nora Nurse');
    await ui.gotoRoute(page, 'nurse');
    await ui.admitPatient(page, { bed: '3A', register: { name: 'Peter Patient', dob: '1949-06-30', hospitalNumber: 'rx200049' } });
    await expect(page.getByText(/Another person on this ward has the same name/).isVisible()).resolves.toBe(true);
    const slip = page.getByRole('region', { name: 'Activation code for the patient' });
    code = ((await slip.locator('.activation-slip__code').textContent()) ?? '').trim();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    await expect(slip.textContent()).resolves.toContain('RX200049');
    await ui.button(page, 'Done: the patient has the code').click();
    await expect.poll(() => slip.count()).toBe(0);
    // Once gone, nothing on the page holds the code.
    await expect(page.content()).resolves.not.toContain(code);
    // The board refreshes after the admission (asynchronously: slow under load).
    const peterBeds = async () => (await ui.wardBoardRows(page)).filter((r) => r.name === 'Peter Patient').map((r) => r.bed);
    await expect.poll(peterBeds, { timeout: 30_000 }).toEqual(['1A', '3A']);
    const headers = await page.getByRole('rowheader').filter({ hasText: 'Peter Patient' }).allTextContents();
    expect(headers.map((h) => h.replace(/\s+/g, ' '))).toEqual([
      // The board's compact form (board/PatientIdentity.vue): name, age, date of birth, hospital number
      // (the column heading says which is which on screen; each is named for a screen reader).
      expect.stringMatching(/^Peter Patient, \d+ · Date of birth 14 Mar 1955 · Hospital number RX100071/),
      expect.stringMatching(/^Peter Patient, \d+ · Date of birth 30 Jun 1949 · Hospital number RX200049/),
    ]);
  });

  it('the patient logs in with the hospital number and the code, chooses a password, and the code is spent', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(server.launchUrl);
    await ui.appReady(page);
    await ui.gotoRoute(page, 'login');
    // As read off the slip by hand: lower case, spaces.
    await ui.fillLogin(page, { name: 'RX200049', password: code.toLowerCase().replace(/-/g, ' ') });
    await (await page.getByRole('heading', { name: 'Choose your password', level: 1 })).waitFor({ timeout: 30_000 });
    await ui.field(page, 'Password').fill('peters-own-password');
    await ui.field(page, 'Confirm password').fill('peters-own-password');
    await ui.button(page, 'Set password and log in').click();
    await ui.button(page, 'Log out').waitFor({ timeout: 30_000 });
    expect(await ui.expectPatientHome(page, { name: 'Peter Patient' })).toMatchObject({ 'Date of birth': expect.stringMatching(/^30 Jun 1949/), 'Hospital number': 'RX200049' });
    await ui.button(page, 'Log out').click();
    expect(await ui.loginExpectingError(page, { name: 'RX200049', password: code })).toMatch(/Name or password is incorrect/);
    await ui.login(page, { name: 'RX200049', password: 'peters-own-password' });
  });

  it('break-glass names the patient before access is overridden, and a reload does not ask again', async () => {
    // Dr Grace Hopper is not responsible for the new patient (no doctor was chosen).
    const page = await loginAs('Dr Grace Hopper');
    await ui.gotoRoute(page, 'ward');
    await ui.link(page, 'Emergency access to the patient in bed 3A (audited)').click();
    const prompt = page.getByRole('region', { name: 'Emergency access (break glass)' });
    await prompt.waitFor({ timeout: 30_000 });
    await expect(prompt.textContent()).resolves.toMatch(/Peter Patient\s*DOB 30 Jun 1949 \(\d+ y\) · Hospital no\. RX200049/);
    await ui.field(page, 'Reason').fill('Cardiac arrest call on the ward');
    await ui.button(page, "Open Peter Patient's record (break glass)").click();
    await ui.expectPatientRecord(page, 'Peter Patient');
    await page.reload();
    await ui.expectPatientRecord(page, 'Peter Patient');
    await expect(page.getByText(/You opened this record without the patient's permission/).isVisible()).resolves.toBe(true);
    expect(await page.getByRole('region', { name: 'Emergency access (break glass)' }).count()).toBe(0);
    // Emergency access reads; the page offers no writes it would refuse (the patient is not in this doctor's care).
    await expect(page.getByText(/Emergency access lets you read this record/).isVisible()).resolves.toBe(true);
    expect(await page.getByRole('link', { name: 'Enter vitals' }).count()).toBe(0);
  });

  it('the NEWS2 panel speaks only total and band, from one small live region', async () => {
    const page = await loginAs('Nora Nurse');
    await ui.gotoRoute(page, 'nurse');
    await ui.openVitalsEntry(page, 'Sam Steady');
    await ui.fillVitals(page, { respiratoryRate: 18, spo2: 97, oxygen: 'Air', systolic: 124, diastolic: 78, pulse: 72, consciousness: 'A', temperature: 37.2 });
    const panel = page.getByRole('region', { name: 'NEWS2 score' });
    await expect.poll(() => panel.getByRole('status').textContent(), { timeout: 15_000 }).toBe('NEWS2 0, low risk');
    // One live region, and the sub-score table is not inside any.
    expect(await panel.locator('[role="status"], [aria-live]').count()).toBe(1);
    expect(await panel.locator('[role="status"] table, [aria-live] table').count()).toBe(0);
    expect(await panel.evaluate((el) => el.closest('[role="status"], [aria-live]') === null)).toBe(true);
    await ui.field(page, 'Pulse (/min)').fill('135');
    await expect.poll(() => panel.getByRole('status').textContent(), { timeout: 15_000 }).toBe('NEWS2 3, low–medium risk');
  });
});
