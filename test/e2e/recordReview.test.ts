/**
 * Record review in real Chromium against `wardledger serve --demo` (issue 11): the flowsheet
 * shows the demo patient's sets coloured by NEWS2 sub-score, the record list filters by kind,
 * author and period, the provenance badge opens its details from the keyboard, and a chart keeps
 * its clinical y range for a stable series.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { launchChromium, startWardServer, type WardServer } from './support/wardServer';

const password = 'demo-password';
const doctor = { name: 'Dr Grace Hopper', password };

/**
 * The NEWS2 sub-score of a shown value, from the RCP scoring table (Royal College of Physicians,
 * NEWS2 2017, chart 1; shared/reference/CLINICAL.md "NEWS2"), Scale 1 — written out here, not
 * taken from the app, so the colours are checked against the published chart.
 */
function rcpScore(row: string, text: string): number | null {
  const n = Number(text.split('/')[0]);
  switch (row) {
    case 'Resp. rate':
      return n <= 8 ? 3 : n <= 11 ? 1 : n <= 20 ? 0 : n <= 24 ? 2 : 3;
    case 'SpO2 Scale 1':
      return n <= 91 ? 3 : n <= 93 ? 2 : n <= 95 ? 1 : 0;
    case 'Air or oxygen':
      return text === 'O2' ? 2 : 0;
    case 'Blood pressure':
      return n <= 90 ? 3 : n <= 100 ? 2 : n <= 110 ? 1 : n <= 219 ? 0 : 3;
    case 'Pulse':
      return n <= 40 ? 3 : n <= 50 ? 1 : n <= 90 ? 0 : n <= 110 ? 1 : n <= 130 ? 2 : 3;
    case 'Consciousness':
      return text === 'A' ? 0 : 3;
    case 'Temperature':
      return n <= 35.0 ? 3 : n <= 36.0 ? 1 : n <= 38.0 ? 0 : n <= 39.0 ? 1 : 2;
    default:
      return null;
  }
}

describe('record review in a browser', () => {
  let server: WardServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startWardServer(['--demo'], { WARDLEDGER_SCRYPT_N: '1024' });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(server.launchUrl);
    await ui.appReady(page);
    await ui.gotoRoute(page, 'login');
    await ui.login(page, doctor);
    await ui.gotoRoute(page, 'ward');
    await ui.openRecord(page, 'Peter Patient');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the flowsheet shows the demo patient’s 18 sets, each cell coloured by its RCP sub-score, newest at the right', async () => {
    const sheet = await ui.flowsheet(page);
    expect(sheet.columns).toHaveLength(18);
    const scored = ['Resp. rate', 'SpO2 Scale 1', 'Air or oxygen', 'Blood pressure', 'Pulse', 'Consciousness', 'Temperature'];
    expect(Object.keys(sheet.rows)).toEqual([...scored, 'NEWS2 total']);
    const totals = sheet.columns.map(() => 0);
    for (const row of scored) {
      sheet.rows[row]!.forEach((cell, i) => {
        const expected = rcpScore(row, cell.text);
        expect({ row, column: i, text: cell.text, colour: cell.colourScore, spoken: cell.spokenScore }).toEqual({ row, column: i, text: cell.text, colour: expected, spoken: expected });
        totals[i]! += expected!;
      });
    }
    expect(sheet.rows['NEWS2 total']!.map((c) => Number(c.text))).toEqual(totals);
    // The demo patient deteriorates: the newest set scores highest, on oxygen.
    expect(totals[17]).toBeGreaterThanOrEqual(7);
    expect(sheet.rows['Air or oxygen']![17]!.text).toBe('O2');
    expect(Object.values(sheet.rows).flat().some((c) => c.struck)).toBe(false);

    // Scrolled to the newest set, the parameter names still in view (sticky).
    const geometry = await page.getByRole('region', { name: 'Flowsheet, scrolls sideways' }).evaluate((el) => {
      const name = el.querySelector('tbody th')!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return { atRight: el.scrollLeft + el.clientWidth >= el.scrollWidth - 2, scrolls: el.scrollWidth > el.clientWidth, nameLeft: name.left - box.left };
    });
    expect(geometry).toMatchObject({ atRight: true, scrolls: true });
    expect(Math.abs(geometry.nameLeft)).toBeLessThan(2);
  });

  it('the record list filters by kind, author and period', async () => {
    await ui.addNote(page, 'Comfortable overnight, eating well');
    await expect.poll(() => ui.recordListStatus(page), { timeout: 30_000 }).toBe('Records 1–19 of 19, newest first');

    await ui.filterRecordList(page, { kind: 'Note' });
    const notes = await ui.recordRows(page);
    expect(notes.map((r) => [r.kind, r.author])).toEqual([['Note', 'Signed by Dr Grace Hopper (Doctor)']]);
    expect(await ui.recordListStatus(page)).toBe('Records 1–1 of 1 (filtered from 19), newest first');

    await ui.filterRecordList(page, { kind: 'All kinds', author: 'Nora Nurse' });
    const byNurse = await ui.recordRows(page);
    expect(byNurse).toHaveLength(18);
    expect(byNurse.every((r) => r.kind === 'Vitals' && r.author === 'Signed by Nora Nurse (Nurse)')).toBe(true);

    // Sets every 4 hours over the three days before the demo started: 5 or 6 in the last day.
    await ui.filterRecordList(page, { author: 'Everyone', period: 'Last 24 hours' });
    const lastDay = await ui.recordRows(page);
    expect(lastDay.filter((r) => r.kind === 'Vitals').length).toBeGreaterThanOrEqual(5);
    expect(lastDay.filter((r) => r.kind === 'Vitals').length).toBeLessThanOrEqual(6);
    expect(lastDay.filter((r) => r.kind === 'Note')).toHaveLength(1);

    await ui.button(page, 'Show all records').click();
    expect(await ui.recordListStatus(page)).toBe('Records 1–19 of 19, newest first');
  });

  it('the provenance badge is one button per record that opens and closes its details from the keyboard', async () => {
    const first = page.getByRole('list', { name: 'Records, newest first' }).getByRole('listitem').filter({ hasText: /Vitals/ }).first();
    const badge = first.getByRole('button', { name: /^Provenance: Verified/ });
    await expect.poll(() => badge.getAttribute('aria-expanded')).toBe('false');
    const details = page.locator(`#${(await badge.getAttribute('aria-controls'))!}`);
    expect(await details.count()).toBe(0);
    await badge.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => badge.getAttribute('aria-expanded')).toBe('true');
    const text = (await details.innerText()).replace(/\s+/g, ' ');
    expect(text).toMatch(/Signature Valid: signed by the author shown/);
    expect(text).toMatch(/Anchor Content matches its anchor on the ward chain/);
    expect(text).toMatch(/Ward chain block \d+/);
    expect(text).toMatch(/Transaction 0x[0-9a-f]{64}/);
    await page.keyboard.press('Space');
    await expect.poll(() => badge.getAttribute('aria-expanded')).toBe('false');
    expect(await details.count()).toBe(0);
  });

  it('charts keep their clinical y range: a stable temperature series stays on 34–41 °C', async () => {
    await ui.gotoRoute(page, 'ward');
    await ui.openRecord(page, 'Sam Steady');
    const sheet = await ui.flowsheet(page);
    const temps = sheet.rows.Temperature!.map((c) => Number(c.text));
    // The steady patient's temperature moves a few tenths only.
    expect(Math.max(...temps) - Math.min(...temps)).toBeLessThan(0.6);
    await expect.poll(() => ui.chartAxis(page, 'Temperature'), { timeout: 15_000 }).toEqual({ min: 34, max: 41 });
    expect(await ui.chartAxis(page, 'SpO2')).toEqual({ min: 80, max: 100 });
    expect(await ui.chartAxis(page, 'Respiratory rate')).toEqual({ min: 0, max: 40 });
    expect(await ui.chartAxis(page, 'Pulse')).toEqual({ min: 30, max: 180 });
    expect(pageErrors).toEqual([]);
  });
});
