/**
 * Charts of periods longer than the record page holds, in Chromium (issue 12, "charts of long
 * periods are downsampled per pixel bucket keeping minima and maxima"): a patient with 30 days of
 * sets, written into the ward through the one write path at the times they were taken (as a ward
 * running for a month would hold them), then `wardledger serve` on that data directory. The page
 * holds the 72 hours to the newest record; the charts card charts 7 days, 30 days and the whole
 * record as the core reads, verifies and thins them, says which period it shows, and a
 * desaturation 20 days back is on the 30-day chart. Screenshots at 1366x768 and 1920x1080 go to
 * WARDLEDGER_SHOTS when set.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observationContent } from '../../electron/core/clinical/vitalsAssessment';
import { openInternals } from '../support/pipelineInternals';
import { spawnServe, type ServeProcess } from '../support/serveProcess';
import { admittedWardOnDisk, completeVitals, removeDir } from '../support/tempCore';
import * as ui from './pages';
import { launchChromium } from './support/wardServer';

const SLOW = 180_000;
const shots = process.env.WARDLEDGER_SHOTS;
const HOUR = 3600_000;
/** A set every 5 hours for 30 days, the newest an hour ago (5 hours: no set falls on a period's edge). */
const SETS = 144;
const EVERY_HOURS = 5;
/** The set 20 days back (k = 96: 481 hours ago) is a desaturation to 86 %. */
const LOW_SET = 96;

describe('charts of longer periods than the page holds', () => {
  let dir: string;
  let patient: string;
  let doctor: { name: string; password: string };
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let newest: number;

  beforeAll(async () => {
    const ward = await admittedWardOnDisk();
    dir = ward.dir;
    patient = ward.w.addresses.patient;
    doctor = ward.w.people.doctor;
    const internals = await openInternals(dir);
    try {
      const nurse = await internals.actor(ward.w.people.nurse.name, ward.w.people.nurse.password);
      newest = Date.now() - HOUR;
      for (let k = SETS - 1; k >= 0; k--) {
        const at = newest - k * EVERY_HOURS * HOUR;
        const vitals = { ...completeVitals(70 + (k % 7)), ...(k === LOW_SET ? { spo2: 86 } : {}) };
        await internals.writer.create(nurse, patient, 'vitals', observationContent({ vitals }, 1, { kind: 'entered', now: at }), { createdAt: at });
      }
      await internals.anchorQueue.flush();
    } finally {
      await internals.close();
    }
    serve = spawnServe(dir, [], {});
    browser = await launchChromium();
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) removeDir(dir);
  });

  async function openRecord(width: number, height: number): Promise<Page> {
    const page = await (await browser!.newContext({ viewport: { width, height } })).newPage();
    await page.goto(await serve!.ready);
    await ui.appReady(page);
    await ui.gotoRoute(page, 'login');
    await ui.login(page, doctor);
    await ui.gotoPatientRoute(page, 'record', patient);
    await ui.heading(page, 'Charts', 2).waitFor({ timeout: ui.SLOW_TIMEOUT });
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    const card = page.locator('section[aria-labelledby="charts-title"]');
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: join(shots, `${name}.png`) });
  }

  it('charts 7 days, 30 days and the whole record as the core reads them, each period said above the charts', async () => {
    const page = await openRecord(1366, 768);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // 72 hours to the newest set: sets 0–14 (14 × 5 = 70 hours back).
    const inHours = (hours: number) => Math.floor(hours / EVERY_HOURS) + 1;
    expect((await ui.flowsheet(page)).columns).toHaveLength(inHours(72));
    await expect.poll(() => ui.chartReadings(page, 'SpO2'), { timeout: 15_000 }).toBe(inHours(72));
    expect(await ui.chartPeriod(page, 'Records shown', /^The records shown on this page, since /)).toBeTruthy();
    await shot(page, 'long-charts-shown-1366x768');

    const week = await ui.chartPeriod(page, '7 days', /^7 days to the newest record shown, /);
    expect(week).toContain(`${inHours(7 * 24)} records read and checked`);
    await expect.poll(() => ui.chartReadings(page, 'SpO2'), { timeout: 15_000 }).toBe(inHours(7 * 24));
    expect((await ui.chartAxis(page, 'SpO2'))!.min).toBe(80);

    // While 30 days are read (held here at the network), the 7 days' charts stay on screen, greyed
    // and named as still charted, under a line saying what is being read: the page does not jump.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/records/chart', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('group', { name: 'Period charted' }).getByLabel('30 days', { exact: true }).check();
    await ui.waitVisible(page.getByRole('status').filter({ hasText: 'Reading and verifying 30 days…' }), 'the 30 days being read');
    expect((await page.locator('.chart-period__words').textContent())!.trim()).toBe(`Still charted: ${week}`);
    expect(await page.locator('.chart-period__drawn').getAttribute('aria-busy')).toBe('true');
    expect(await ui.chartReadings(page, 'SpO2')).toBe(inHours(7 * 24));
    await shot(page, 'long-charts-reading-1366x768');
    const answered = page.waitForResponse('**/api/records/chart');
    release();
    await answered;
    await page.unroute('**/api/records/chart');
    const month = await ui.chartPeriod(page, '30 days', /^30 days to the newest record shown, /);
    expect(month).toContain(`${SETS} records read and checked`);
    await expect.poll(() => ui.chartReadings(page, 'SpO2'), { timeout: 15_000 }).toBe(SETS);
    // The desaturation 20 days back is drawn: the SpO2 chart's clinical range (80–100) holds it,
    // and the readings table of the chart has it.
    expect(await ui.chartAxis(page, 'SpO2')).toEqual({ min: 80, max: 100 });
    expect(await ui.chartTableValues(page, 'SpO2')).toContain('86');
    await shot(page, 'long-charts-30-days-1366x768');

    const whole = await ui.chartPeriod(page, 'Whole record', /^The whole record, /);
    expect(whole).toContain(`${SETS} records read and checked`);
    expect(await ui.chartReadings(page, 'Temperature')).toBe(SETS);
    // Never on oxygen: its chart says there is nothing in the period (not "yet", as if loading).
    expect(await page.locator('figure.chart').filter({ has: page.locator('figcaption', { hasText: /^\s*Oxygen given/ }) }).locator('.empty-state').textContent()).toBe('No readings in this period.');

    // Back to the page's own records; the flowsheet never followed the charts.
    await ui.chartPeriod(page, 'Records shown', /^The records shown on this page/);
    await expect.poll(() => ui.chartReadings(page, 'SpO2'), { timeout: 15_000 }).toBe(inHours(72));
    expect((await ui.flowsheet(page)).columns).toHaveLength(inHours(72));
    expect(errors).toEqual([]);
    await page.context().close();

    const wide = await openRecord(1920, 1080);
    await ui.chartPeriod(wide, 'Whole record', /^The whole record, /);
    await shot(wide, 'long-charts-whole-1920x1080');
    await wide.context().close();
  }, SLOW);
});
