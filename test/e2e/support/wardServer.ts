/**
 * End-to-end harness: the real `wardledger serve` as a child process on a fresh data directory,
 * and Debian's Chromium driven by playwright-core. A missing browser fails loudly (never skips).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as ui from '../pages';
import { spawnServe } from '../../support/serveProcess';

export const chromiumPath = process.env.WARDLEDGER_CHROMIUM ?? '/usr/bin/chromium';

export interface WardServer {
  url: string;
  launchUrl: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startWardServer(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<WardServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardledger-e2e-'));
  const serve = spawnServe(dataDir, extraArgs, env);
  const launchUrl = await serve.ready;
  return {
    url: launchUrl.replace(/\?token=.*$/, ''),
    launchUrl,
    dataDir,
    process: serve.process,
    output: serve.output,
    async stop() {
      await serve.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is required for the end-to-end tests and was not found at ${chromiumPath}. Install it: apt-get install chromium`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * A fresh browser context on the ward's launch URL, the app ready, and logged in as `who`. The
 * context is pushed to `contexts` for the suite's afterAll to close; `onPage` sees the page before
 * it loads (e.g. to collect console errors).
 */
export async function loginInNewContext(
  browser: Browser,
  server: WardServer,
  contexts: BrowserContext[],
  who: { name: string; password: string },
  onPage?: (page: Page) => void,
): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  onPage?.(page);
  await page.goto(server.launchUrl);
  await ui.appReady(page);
  await ui.gotoRoute(page, 'login');
  await ui.login(page, who);
  return page;
}

/** A suite's afterAll: its browser contexts, the browser and the ward, each if it was started. */
export async function closeSuite(contexts: BrowserContext[], browser: Browser | undefined, server: WardServer | undefined): Promise<void> {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
}
