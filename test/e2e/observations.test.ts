/**
 * Observations as nurses take them, in real Chromium against `wardledger serve --demo` (issue 8
 * part 2 and the escalation of part 1): the time a set was taken, oxygen given, unusual values
 * confirmed, over-long entries refused, partial sets explained, drafts that survive leaving, a
 * reload and a lock, a reload during a save, the escalation prompt, and the board afterwards.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { closeSuite, launchChromium, startWardServer, type WardServer } from './support/wardServer';

const password = 'demo-password';
const nurse = { name: 'Nora Nurse', password };
const doctorName = 'Dr Grace Hopper';

describe('observations as nurses take them, in a browser', () => {
  let server: WardServer;
  let browser: Browser;
  let page: Page;
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    server = await startWardServer(['--demo'], { WARDLEDGER_SCRYPT_N: '1024' });
    browser = await launchChromium();
    const context = await browser.newContext();
    contexts.push(context);
    page = await context.newPage();
    // A reload with values typed asks the browser's "leave page?" question: stay on the test's side.
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(server.launchUrl);
    await ui.appReady(page);
    await ui.gotoRoute(page, 'login');
    await ui.login(page, nurse);
  });
  afterAll(() => closeSuite(contexts, browser, server));

  it('a set taken two hours ago on a Venturi mask, with a pulse of 300: the form asks why it is late and to confirm the pulse, then the escalation', async () => {
    await ui.gotoRoute(page, 'nurse');
    await ui.openVitalsEntry(page, 'Sam Steady');
    await ui.setTimeTaken(page, 120);
    await ui.fillVitals(page, {
      respiratoryRate: 18,
      spo2: 95,
      oxygen: 'Oxygen',
      oxygenDevice: 'Venturi mask',
      fio2: 28,
      systolic: 124,
      diastolic: 78,
      pulse: 300,
      consciousness: 'A',
      temperature: 37.2,
    });
    await expect.poll(() => page.getByLabel('Confirm value: pulse checked', { exact: true }).isVisible(), { timeout: 15_000 }).toBe(true);
    // RR 18 → 0, SpO2 95 → 1, oxygen → 2, SBP 124 → 0, pulse 300 → 3, alert → 0, 37.2 °C → 0: 6, medium.
    await ui.expectNews2(page, /6 — Medium/);
    await ui.button(page, 'Save vitals').click();
    await expect.poll(() => ui.fieldError(page, 'Why is this set recorded late?'), { timeout: 15_000 }).toMatch(/more than an hour ago/);
    expect(await ui.fieldError(page, 'Pulse (/min)')).toMatch(/outside the usual range \(30–200 beats\/min\)/);
    await ui.field(page, 'Why is this set recorded late?').fill('Cardiac arrest call in bay 3');
    await ui.confirmValue(page, 'pulse');
    const notice = await ui.saveVitals(page, { who: doctorName, response: 'ECG now; reviewing in 10 minutes' });
    expect(notice).toMatch(/Saved: vitals for Sam Steady taken .* secured against later changes\. NEWS2 6 — Medium \(Scale 1\)\. Escalation recorded: Dr Grace Hopper informed\./);
    const row = (await ui.wardBoardRows(page)).find((r) => r.name === 'Sam Steady')!;
    expect(row).toMatchObject({ news2: { score: 6, band: 'Medium', scale: 1 }, risk: 'medium', warnings: [] });
    // Each parameter in its own cell with its sub-score: SpO2 95 → 1, oxygen → 2, pulse 300 → 3.
    expect(row.params).toMatchObject({ SpO2: { value: '95', points: 1 }, O2: { value: 'O2 28%', points: 2 }, Pulse: { value: '300', points: 3 }, RR: { value: '18', points: null } });
    expect(row.params.O2.spoken).toBe('On oxygen: Venturi mask FiO2 28%, scores 2');
    // The set counts at the time it was taken (2 h ago, medium → hourly: already due again).
    expect(row.taken).toMatch(/^2 h/);
    expect(row.due).toMatch(/^Overdue \d/);
  });

  it('refuses a time taken in the future, and an over-long value instead of saving it as "not measured"', async () => {
    await ui.openVitalsEntry(page, 'Sam Steady');
    await ui.setTimeTaken(page, -30);
    await ui.fillVitals(page, { respiratoryRate: '1'.repeat(400), pulse: 80 });
    await expect.poll(() => ui.fieldError(page, 'Respiratory rate (/min)'), { timeout: 15_000 }).toMatch(/too long to be a measurement/);
    await ui.button(page, 'Save vitals').click();
    expect(await ui.alertText(page)).toMatch(/Some values need correcting/);
    await ui.fillVitals(page, { respiratoryRate: 18 });
    await ui.button(page, 'Save vitals').click();
    await expect.poll(() => page.locator('#vitals-takenAt-error').textContent(), { timeout: 15_000 }).toMatch(/cannot be in the future/);
    await ui.field(page, 'Taken just now').check();
    // A partial set asks which parameters are missing and why.
    await ui.button(page, 'Save vitals').click();
    await expect.poll(() => ui.fieldError(page, 'Why are NEWS2 parameters missing?'), { timeout: 15_000 }).toMatch(
      /say why SpO2, air or oxygen, systolic BP, consciousness, temperature are missing/,
    );
    await ui.chooseMissingReason(page, 'Patient declined');
    expect(await ui.saveVitals(page)).toMatch(/Saved: vitals .* secured against later changes/);
    // Shown beside the last complete set, which keeps the clock.
    const row = (await ui.wardBoardRows(page)).find((r) => r.name === 'Sam Steady')!;
    expect(row.newer).toMatch(/^RR 18\/min · Pulse 80\/min \(partial set, just now\)/);
    expect(row.news2).toMatchObject({ score: 6, band: 'Medium' });
  });

  it('keeps what was typed through leaving (asked), a reload and a lock, and discards it when told', async () => {
    await ui.openVitalsEntry(page, 'Mary Major');
    await ui.fillVitals(page, { respiratoryRate: 21, pulse: 96 });
    await page.waitForTimeout(800); // the draft is kept a moment after typing stops
    await ui.link(page, 'Ward board').first().click();
    const dialog = page.getByRole('alertdialog', { name: 'Leave without saving?' });
    await dialog.waitFor({ timeout: 15_000 });
    await ui.button(page, 'Keep as draft and leave').click();
    await ui.expectWardBoard(page);

    await ui.openVitalsEntry(page, 'Mary Major');
    await expect.poll(() => ui.field(page, 'Respiratory rate (/min)').inputValue(), { timeout: 15_000 }).toBe('21');
    expect(await page.getByText(/was kept and is back below/).isVisible()).toBe(true);
    await ui.fillVitals(page, { systolic: 131 });
    await page.waitForTimeout(800);
    await page.reload();
    await ui.appReady(page);
    await expect.poll(() => ui.field(page, 'Systolic BP (mmHg)').inputValue(), { timeout: 15_000 }).toBe('131');
    expect(await ui.field(page, 'Pulse (/min)').inputValue()).toBe('96');

    await ui.fillVitals(page, { temperature: 37.9 });
    await ui.lock(page);
    await ui.unlock(page, password);
    await expect.poll(() => ui.field(page, 'Temperature').inputValue(), { timeout: 15_000 }).toBe('37.9');

    await ui.link(page, 'Cancel').click();
    await ui.button(page, 'Discard and leave').click();
    await ui.expectWardBoard(page);
    await ui.openVitalsEntry(page, 'Mary Major');
    await page.waitForTimeout(500);
    expect(await ui.field(page, 'Respiratory rate (/min)').inputValue()).toBe('');
  });

  it('after a reload in the middle of a save, the form says the set was saved', async () => {
    await ui.fillVitals(page, { respiratoryRate: 16, spo2: 97, oxygen: 'Air', systolic: 126, diastolic: 80, pulse: 72, consciousness: 'A', temperature: 36.9 });
    await ui.expectNews2(page, /0 — Low/);
    // Hold the reply to the save: the request reaches the core, the page reloads before the answer.
    let sent!: () => void;
    const requested = new Promise<void>((r) => (sent = r));
    await page.route('**/api/records/addVitals', async (route) => {
      sent();
      await route.fetch().catch(() => undefined);
      await route.abort().catch(() => undefined);
    });
    await ui.button(page, 'Save vitals').click();
    await requested;
    await page.reload();
    await ui.appReady(page);
    await page.unroute('**/api/records/addVitals');
    await ui.heading(page, 'This set was saved', 2).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('status').filter({ hasText: /were saved and signed at/ }).textContent()).toMatch(/Vitals for Mary Major taken .* NEWS2 0 — Low \(Scale 1\)/);
    await ui.link(page, 'Back to the ward board').click();
    const row = (await ui.wardBoardRows(page)).find((r) => r.name === 'Mary Major')!;
    expect(row).toMatchObject({ news2: { score: 0, band: 'Low' }, newer: '' });
    expect(row.taken).toBe('just now');
  });

  it('the board asks for an escalation not yet recorded, and takes it from there', async () => {
    const row = (await ui.wardBoardRows(page)).find((r) => r.name === 'Peter Patient')!;
    expect(row.warnings).toContain('Escalation not recorded');
    await ui.rowAction(page, 'Peter Patient', 'Record escalation for Peter Patient');
    // Saved as it opens (the responsible doctor offered first, no response yet): the response is
    // asked for, and has the focus.
    await ui.button(page, 'Save escalation').click();
    await expect.poll(() => ui.fieldError(page, 'Response'), { timeout: 15_000 }).toBe('Record the response (at least 3 characters).');
    expect(await ui.fieldError(page, 'Who was informed')).toBeNull();
    const response = ui.field(page, 'Response');
    await expect.poll(() => response.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    const notice = await ui.recordEscalation(page, { who: { name: 'Alex Outreach', role: 'Critical care outreach' }, response: 'Attending in 5 minutes' });
    expect(notice).toMatch(/Escalation recorded for Peter Patient: Alex Outreach informed\./);
    expect((await ui.wardBoardRows(page)).find((r) => r.name === 'Peter Patient')!.warnings).toEqual([]);
  });

  it('a doctor amends a set with its score live; the original is struck through everywhere and no longer counts', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const doc = await context.newPage();
    doc.on('pageerror', (e) => consoleErrors.push(String(e)));
    await doc.goto(server.launchUrl);
    await ui.appReady(doc);
    await ui.gotoRoute(doc, 'login');
    await ui.login(doc, { name: doctorName, password });
    await ui.gotoRoute(doc, 'ward');
    await ui.openRecord(doc, 'Mary Major');
    await (await doc.getByRole('button', { name: /^Amend vitals of / }).first()).click();
    // No reason given: the amendment is refused at the reason, which takes the focus.
    await ui.button(doc, 'Save amendment').click();
    await expect.poll(() => ui.fieldError(doc, 'Reason for amendment'), { timeout: 15_000 }).toMatch(/.+/);
    const reason = ui.field(doc, 'Reason for amendment');
    expect(await reason.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await ui.field(doc, 'Reason for amendment').fill('Pulse was 125, mistyped');
    await doc.locator('.amend-form').getByLabel('Pulse (/min)', { exact: true }).fill('125');
    // Pulse 125 scores 2; everything else in this set scores 0.
    await ui.expectNews2(doc, /2 — Low/);
    await ui.button(doc, 'Save amendment').click();
    await doc.getByRole('status').filter({ hasText: /^\s*Amendment saved, signed by/ }).waitFor({ timeout: 60_000 });
    // The notice comes first; the timeline is read again just after it.
    await expect.poll(async () => (await ui.recordRows(doc)).some((r) => r.kind === 'Amendment'), { timeout: 30_000 }).toBe(true);
    const records = await ui.recordRows(doc);
    const original = records.find((r) => r.kind === 'Vitals' && /Superseded/.test(r.title))!;
    expect(original.text).toMatch(/Corrected by a later record: these values and this score no longer count\./);
    const correction = records.find((r) => r.kind === 'Amendment')!;
    expect(correction.text).toMatch(/Pulse\s*125\/min/);
    // Both sit at the time the set was taken: the correction is listed next to the original.
    expect(records.indexOf(correction)).toBe(records.indexOf(original) - 1);
    await ui.gotoRoute(doc, 'ward');
    const row = (await ui.wardBoardRows(doc)).find((r) => r.name === 'Mary Major')!;
    expect(row).toMatchObject({ news2: { score: 2, band: 'Low' } });
    expect(row.params.Pulse).toMatchObject({ value: '125', points: 2, spoken: 'Pulse 125/min, scores 2' });
    expect(row.taken).toMatch(/\(corrected\)$/);
    expect(consoleErrors).toEqual([]);
  });
});
