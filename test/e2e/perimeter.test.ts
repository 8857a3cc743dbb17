/**
 * What a person sees of the perimeter fixes (issue 9, items 10 and 11), in real Chromium against
 * `wardledger serve`: a name that only looks like another is registered with a warning on the
 * page (and on the ward board when a nurse admits one); too many wrong passwords are refused
 * with a message saying when to try again.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { closeSuite, launchChromium, startWardServer, type WardServer } from './support/wardServer';

const admin = { wardName: 'Ward 9 South', name: 'Ada Admin', age: 41, password: 'admin-password-1' };
const nurse = { name: 'Nora Nurse', age: 33, role: 'Nurse' as const, password: 'nurse-password' };

describe('perimeter in a browser: look-alike names and password throttling', () => {
  let server: WardServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function openApp(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(server.launchUrl);
    await ui.appReady(page);
    return page;
  }

  beforeAll(async () => {
    server = await startWardServer([], { WARDLEDGER_SCRYPT_N: '1024' });
    browser = await launchChromium();
  });
  afterAll(() => closeSuite(contexts, browser, server));

  it('registers a look-alike patient name with a visible warning; refuses invisible characters in the form', async () => {
    const itPage = await openApp();
    await ui.setupWard(itPage, admin);
    const page = await openApp();
    await ui.gotoRoute(page, 'register');
    expect(await ui.register(page, { name: 'Peter Patient', dob: '1956-02-02', hospitalNumber: 'PE000070', role: 'Patient', password: 'patient-password' })).toBe('active');
    await expect(page.getByRole('status').locator('.alert--warning').count()).resolves.toBe(0);
    await ui.button(page, 'Register someone else').click();
    expect(await ui.register(page, { name: 'P\u0435ter Patient', dob: '1982-03-03', hospitalNumber: 'PE000044', role: 'Patient', password: 'patient-password' })).toBe('active');
    const warning = page.getByText(/Another person on this ward has the same name, or one that looks the same\. Check the date of birth and hospital number/);
    await expect(warning.isVisible()).resolves.toBe(true);

    await ui.button(page, 'Register someone else').click();
    await ui.fillRegister(page, { name: 'Peter\u200BPatient', dob: '1982-03-03', hospitalNumber: 'PE000045', role: 'Patient', password: 'patient-password' });
    expect(await ui.fieldError(page, 'Name')).toMatch(/invisible characters/);

    // A nurse admitting a look-alike sees the warning on the ward board.
    await ui.register(page, nurse);
    await itPage.reload();
    await ui.approvePending(itPage, nurse.name);
    const nursePage = await openApp();
    await ui.gotoRoute(nursePage, 'login');
    await ui.login(nursePage, nurse);
    await ui.admitPatient(nursePage, { bed: '12', register: { name: 'PETER PAT\u0399ENT', dob: '1946-04-04', hospitalNumber: 'PE000080' } }); // Greek Ι
    await expect(nursePage.getByText(/Another person on this ward has the same name, or one that looks the same/).isVisible()).resolves.toBe(true);
  });

  it('after five wrong passwords for a name, says when to try again', async () => {
    const page = await openApp();
    await ui.gotoRoute(page, 'login');
    for (let i = 0; i < 5; i++) {
      expect(await ui.loginExpectingError(page, { name: 'PE000070', password: `wrong-password-${i}` })).toMatch(/Name or password is incorrect/);
    }
    expect(await ui.loginExpectingError(page, { name: 'PE000070', password: 'patient-password' })).toMatch(
      /Too many wrong passwords for this name\. Try again in \d+ seconds \(at \d\d:\d\d:\d\d\)\./,
    );
  });
});
