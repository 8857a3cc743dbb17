/**
 * End-to-end harness: the real `wardledger serve` as a child process on a fresh data directory,
 * and Debian's Chromium driven by playwright-core. A missing browser fails loudly (never skips).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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
