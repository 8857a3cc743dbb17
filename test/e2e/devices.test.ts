/**
 * USB devices end to end, in real Chromium against `wardledger serve --demo` (simulated devices
 * speaking the real USB protocols): a nurse plugs in an oximeter, sees live values, binds it to
 * bed 1A; plugs in a glucose meter and records its memory for the patient in bed 1B; a re-read
 * adds nothing twice. The doctor then finds the monitor's readings on the chart and timeline of
 * the patient in bed 1A with device provenance and a verified badge.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { closeSuite, launchChromium, loginInNewContext, startWardServer, type WardServer } from './support/wardServer';

const password = 'demo-password';
const nurse = { name: 'Nora Nurse', password };
const doctor = { name: 'Dr Grace Hopper', password };
const bed1A = 'Peter Patient';
const bed1B = 'Mary Major';
const oximeter = 'Beurer PO80';
const meter = 'FreeStyle Precision Neo';
const bpMonitor = 'Omron HEM-790IT';

describe('USB devices in a browser: live oximeter, bed binding, meter memory, provenance', () => {
  let server: WardServer;
  let browser: Browser;
  let nursePage: Page;
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];

  const loginAs = (who: { name: string; password: string }): Promise<Page> =>
    loginInNewContext(browser, server, contexts, who, (page) => {
      page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
      page.on('pageerror', (e) => consoleErrors.push(String(e)));
    });

  beforeAll(async () => {
    // The demo seeds staff, three admitted patients and their vitals before printing its URL.
    server = await startWardServer(['--demo'], { WARDLEDGER_SCRYPT_N: '1024' });
    browser = await launchChromium();
  });
  afterAll(() => closeSuite(contexts, browser, server));

  it('a nurse plugs in a simulated oximeter, sees live values and binds it to bed 1A', async () => {
    nursePage = await loginAs(nurse);
    await ui.gotoDevices(nursePage);
    await ui.plugSimulator(nursePage, 'oximeter');
    await ui.waitForDevice(nursePage, oximeter);
    const live = await ui.waitForLiveValues(nursePage, oximeter);
    expect(live.spo2).toBeGreaterThanOrEqual(80);
    expect(live.spo2).toBeLessThanOrEqual(100);
    expect(live.pulse).toBeGreaterThan(30);
    expect(live.text).toMatch(/^SpO2 \d+ %, pulse \d+ \/min$/);
    expect(await ui.deviceStatus(nursePage, oximeter)).toBe('Streaming');

    const bound = await ui.bindToBed(nursePage, oximeter, '1A', 5);
    expect(bound).toMatch(new RegExp(`^Bound to bed 1A — ${bed1A}, every 5 s, `));
    const status = await ui.waitForBoundReadings(nursePage, oximeter, 1, 30_000);
    expect(status).toMatchObject({ bed: '1A', name: bed1A, intervalSeconds: 5 });
    expect(status.recorded).toBeGreaterThanOrEqual(1);
    expect(status.text).toMatch(/last at /);
  });

  it('the board keeps bed 1A’s last complete set, its High band and its overdue time beside the monitor’s readings (issue 8.1)', async () => {
    await ui.gotoRoute(nursePage, 'nurse');
    await expect.poll(async () => (await ui.wardBoardRows(nursePage)).find((r) => r.bed === '1A')?.newer ?? '', { timeout: 30_000 }).toMatch(/bound monitor/);
    const row = (await ui.wardBoardRows(nursePage)).find((r) => r.bed === '1A')!;
    expect(row.news2).toMatchObject({ band: 'High', complete: true, scale: 1 });
    expect(row.news2.score).toBeGreaterThanOrEqual(7);
    expect(row).toMatchObject({ overdue: true, risk: 'high' });
    expect(row.vitals).toMatch(/^Respiration rate \d+\/min, scores \d · SpO2 \d+% on Scale 1, scores \d · /);
    expect(row.taken).toMatch(/^\d+ h/);
    expect(row.newer).toMatch(/^SpO2 \d+% · Pulse \d+\/min \(bound monitor, /);
    await ui.gotoDevices(nursePage);
  });

  it('records a glucose meter’s memory for bed 1B; reading the memory again adds nothing twice', async () => {
    await ui.plugSimulator(nursePage, 'glucometer');
    await ui.waitForDevice(nursePage, meter);
    const pending = await ui.waitForPending(nursePage, 5);
    expect(pending).toHaveLength(5);
    expect(pending.map((r) => r.values)).toEqual(
      // In the ward's unit (mmol/L unless IT sets mg/dL; 1 mmol/L = 18.016 mg/dL), the meter's own beside it.
      expect.arrayContaining([
        'Glucose 6.2 mmol/L (meter: 112 mg/dL)',
        'Glucose 8.2 mmol/L (meter: 148 mg/dL)',
        'Glucose 5.3 mmol/L (meter: 96 mg/dL)',
        'Glucose 10.0 mmol/L (meter: 181 mg/dL)',
        'Glucose 7.4 mmol/L (meter: 134 mg/dL)',
      ]),
    );
    expect(pending.every((r) => r.kind === 'Blood glucose' && r.device.startsWith(meter))).toBe(true);
    expect(pending[0]!.selectName).toMatch(new RegExp(`^Select reading .+ Glucose \\d+\\.\\d mmol/L \\(meter: \\d+ mg/dL\\) from ${meter}$`));
    // The meter's clock is shown with its drift against the workstation.
    expect(await ui.deviceRow(nursePage, meter).textContent()).toMatch(/Clock (correct|\d+ min (fast|slow))/);

    expect(await ui.recordPending(nursePage, 'all', '1B')).toBe(`5 readings recorded for ${bed1B}.`);
    await expect.poll(() => ui.pendingRows(nursePage).then((r) => r.length), { timeout: 10_000 }).toBe(0);

    expect(await ui.readMemory(nursePage, meter)).toBe(`${meter}: 5 readings in memory, 0 new.`);
    expect(await ui.pendingRows(nursePage)).toEqual([]);
  });

  it('shows a blood pressure monitor’s readings with their flags in words', async () => {
    await ui.plugSimulator(nursePage, 'bp');
    await ui.waitForDevice(nursePage, bpMonitor);
    const rows = await ui.waitForPending(nursePage, 3);
    expect(rows.find((r) => r.values === 'BP 141/88 mmHg, pulse 76 /min')).toMatchObject({ flags: 'Irregular heartbeat' });
    expect(rows.every((r) => r.kind === 'Blood pressure')).toBe(true);
    expect(await ui.dismissPending(nursePage, 'all')).toMatch(/^3 readings dismissed/);
    await expect.poll(() => ui.pendingRows(nursePage).then((r) => r.length), { timeout: 10_000 }).toBe(0);
  });

  it('the doctor sees the bound monitor’s readings on bed 1A’s chart and timeline with device provenance', async () => {
    const page = await loginAs(doctor);
    await ui.gotoRoute(page, 'ward');
    await ui.openRecord(page, bed1A);
    // Station readings are anchored in batches: wait until one shows as verified.
    let fromMonitor: ui.RecordRow | undefined;
    await expect
      .poll(
        async () => {
          const records = await ui.recordRows(page);
          fromMonitor = records.find((r) => r.text.includes(`From device: ${oximeter}`) && r.provenance === 'Verified');
          if (!fromMonitor) await page.reload();
          return fromMonitor !== undefined;
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(true);
    expect(fromMonitor!.kind).toBe('Vitals');
    expect(fromMonitor!.author).toContain(`bound by ${nurse.name}`);
    expect(fromMonitor!.text).toMatch(new RegExp(`From device: ${oximeter}, serial \\S+`));
    expect(fromMonitor!.text).toMatch(/SpO2\s*\d+%/);

    // Eighteen seeded observations plus the monitor's.
    const spo2Chart = (await ui.chartNames(page)).find((n) => n.startsWith('SpO2 over time'));
    expect(spo2Chart).toBeDefined();
    expect(Number(/(\d+) readings?/.exec(spo2Chart!)?.[1])).toBeGreaterThan(18);

    await ui.gotoRoute(page, 'ward');
    await ui.openRecord(page, bed1B);
    const glucose = (await ui.recordRows(page)).filter((r) => r.text.includes(`From device: ${meter}`));
    expect(glucose).toHaveLength(5);
    expect(glucose.every((r) => r.author === `Signed by ${nurse.name} (Nurse)`)).toBe(true);
  });

  it('unplugging the oximeter removes it from the list and the panel keeps working', async () => {
    await ui.unplug(nursePage, oximeter);
    expect(await ui.deviceRow(nursePage, oximeter).count()).toBe(0);
    await ui.waitForDevice(nursePage, meter);
    expect(await ui.readMemory(nursePage, meter)).toBe(`${meter}: 5 readings in memory, 0 new.`);
    await ui.plugSimulator(nursePage, 'oximeter');
    expect((await ui.waitForLiveValues(nursePage, oximeter)).spo2).not.toBeNull();
    expect(await nursePage.getByRole('alert').count()).toBe(0);
  });

  it('an unattended devices panel pauses its updates, so the workstation still locks', async () => {
    const admin = await loginAs({ name: 'Ada Admin', password });
    await ui.expectAdminPage(admin);
    await ui.setLockTimeout(admin, 0.25); // 15 seconds, the shortest allowed
    // A fresh session learns the new timeout; its panel polls every 2 s, and every call is activity.
    const page = await loginAs(nurse);
    await ui.gotoDevices(page);
    await ui.expectDevicesPaused(page, 20_000);
    await ui.expectLocked(page, nurse.name, 40_000);
  });

  it('logged no errors in the browser console (CSP included)', () => {
    const unexpected = consoleErrors.filter((e) => !/status of 4\d\d/.test(e));
    expect(unexpected).toEqual([]);
  });
});
