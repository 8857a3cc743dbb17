/**
 * The page during an upgrade of the record store (issue 12), in Chromium: `wardledger serve` on a
 * data directory written by the log-based store (the v1 fixture) prints its address as the upgrade
 * begins; the page opened there shows the upgrade — what is happening, the records copied and the
 * share done, that nothing is lost and the old log is kept — and turns into the login page by
 * itself when the ward is ready. The fixture upgrades in about a second, so the start is held
 * after the copy for a few seconds (WARDLEDGER_PAUSE, platform/failpoint.ts) to look at the page.
 * Screenshots at 1366x768 and 1920x1080 go to WARDLEDGER_SHOTS when set.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, type ServeProcess } from '../support/serveProcess';
import { removeDir } from '../support/tempCore';
import { unpackV1Ward } from '../support/v1Ward';
import { launchChromium } from './support/wardServer';

const SLOW = 120_000;
const shots = process.env.WARDLEDGER_SHOTS;

describe('the page while the record store is upgraded', () => {
  const v1 = unpackV1Ward();
  let serve: ServeProcess | null = null;
  let browser: Browser | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    removeDir(v1.root);
  });

  it('shows the upgrade with its progress, then the login page by itself', async () => {
    serve = spawnServe(v1.dataDir, [], { WARDLEDGER_PAUSE: 'store.migrated:8000' });
    let launchUrl: string | null = null;
    for (let i = 0; i < 600 && !launchUrl; i++) {
      launchUrl = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(serve.output())?.[0] ?? null;
      if (!launchUrl) await new Promise((r) => setTimeout(r, 100));
    }
    expect(launchUrl, serve.output()).not.toBeNull();
    expect(serve.output()).toContain('WardLedger is starting in browser mode');
    expect(serve.output()).not.toContain('WardLedger is ready.');

    const records = v1.expected.records.length.toLocaleString('en-GB');
    for (const [width, height] of [
      [1366, 768],
      [1920, 1080],
    ] as const) {
      const context = await browser!.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      await page.goto(launchUrl!);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe('Upgrading the ward\u2019s record store');
      const panel = page.getByRole('region', { name: 'Upgrading the ward\u2019s record store' });
      expect(await panel.getAttribute('aria-busy')).toBe('true');
      await expect.poll(() => panel.getByRole('status').textContent()).toContain(`Upgrading the record store: counting ${records} records (80%)`);
      expect(await panel.getByRole('progressbar').getAttribute('value')).toBe('80');
      const text = (await panel.textContent()) ?? '';
      expect(text).toContain('Nothing is lost.');
      expect(text).toContain('The old record log is kept unchanged until an IT administrator confirms the upgrade');
      if (shots) {
        mkdirSync(shots, { recursive: true });
        await page.screenshot({ path: join(shots, `store-upgrade-${width}x${height}.png`) });
      }
      await context.close();
    }

    // Left open, the page becomes the login page once the ward is ready.
    const context = await browser!.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(launchUrl!);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toMatch(/record store|upgraded records/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 60_000 }).toBe('Log in');
    expect(serve.output()).toContain('WardLedger is ready.');
    await context.close();
  }, SLOW);
});
