/**
 * Two wards (two `wardledger serve` launches) opened in one Chromium profile: cookies ignore ports
 * (RFC 6265 §8.5), so with one shared cookie name the second launch's cookie replaced the first
 * one's and the first ward answered 401 on its next page load. Each launch now has its own cookie.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ui from './pages';
import { launchChromium, startWardServer, type WardServer } from './support/wardServer';

describe('two wards in one browser', () => {
  let first: WardServer;
  let second: WardServer;
  let browser: Browser;

  beforeAll(async () => {
    [first, second] = await Promise.all([startWardServer([], { WARDLEDGER_SCRYPT_N: '1024' }), startWardServer([], { WARDLEDGER_SCRYPT_N: '1024' })]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await first?.stop();
    await second?.stop();
  });

  it('keeps both open: opening the second does not sign the first out', async () => {
    const context = await browser.newContext();
    const a = await context.newPage();
    await a.goto(first.launchUrl);
    await ui.appReady(a);
    const b = await context.newPage();
    await b.goto(second.launchUrl);
    await ui.appReady(b);

    const names = (await context.cookies()).map((c) => c.name);
    expect(names).toHaveLength(2);
    for (const server of [first, second]) expect(names.filter((n) => n.startsWith(`wardledger_${new URL(server.url).port}_`))).toHaveLength(1);
    for (const page of [a, b]) {
      const response = await page.reload();
      expect(response?.status(), page.url()).toBe(200);
      await ui.appReady(page);
    }
    await context.close();
  });
});
