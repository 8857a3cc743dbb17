/* Screenshots of the store-check banner and the admin report (not a test; run with tsx). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { deleteAudits, deleteRecords } from '../../support/storeTampering';
import { spawnServe } from '../../support/serveProcess';
import { admin, Caller, staffedWard, startCore } from '../../support/tempCore';
import * as ui from '../pages';

const out = '/tmp/9sc-shots';
const dir = mkdtempSync(join(tmpdir(), 'wardledger-shots-'));
let core = await startCore(dir);
const w = await staffedWard(core);
await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '4', responsibleDoctor: w.addresses.doctor });
const ids: string[] = [];
for (const pulse of [71, 88, 93, 97]) ids.push((await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse, supplementalOxygen: false }, missingReason: 'Spot check' })).id);
await w.callers.patient.ok('consent/grant', { grantee: w.addresses.insurer });
await w.callers.insurer.ok('records/history', { patient: w.addresses.patient });
await w.callers.patient.ok('consent/revoke', { grantee: w.addresses.insurer });
for (let i = 0; i < 2; i++) await w.callers.doctor.ok('records/history', { patient: w.addresses.patient });
await core.stop();
await deleteRecords(dir, ids.slice(1, 4));
await deleteAudits(dir, w.addresses.patient, (a) => a.action === 0);
void Caller;
const serve = spawnServe(dir, []);
const launchUrl = await serve.ready;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  for (const [width, height] of [[1366, 768], [1920, 1080]] as const) {
    const shoot = async (who: { name: string; password: string }, go: (p: import('playwright-core').Page) => Promise<void>, name: string, waitFor: string) => {
      const ctx = await browser.newContext({ viewport: { width, height } });
      const page = await ctx.newPage();
      await page.goto(launchUrl);
      await ui.appReady(page);
      await ui.gotoRoute(page, 'login');
      await ui.login(page, who);
      await go(page);
      await page.getByText(waitFor).first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `${out}/${name}-${width}x${height}.png` });
      await ctx.close();
    };
    await shoot({ name: w.people.doctor.name, password: w.people.doctor.password }, (p) => ui.gotoPatientRoute(p, 'record', w.addresses.patient), 'record', 'differs from the ward chain');
    await shoot({ name: admin.name, password: admin.password }, async (p) => { await ui.gotoRoute(p, 'admin'); await p.getByText('Store against the ward chain').scrollIntoViewIfNeeded(); }, 'admin', 'Store against the ward chain');
    await shoot({ name: w.people.patient.name, password: w.people.patient.password }, (p) => ui.gotoRoute(p, 'accessLog'), 'access-log', 'differed from the ward chain');
  }
} finally {
  await browser.close();
  await serve.stop();
}
console.log('shots in', out, 'data', dir);
