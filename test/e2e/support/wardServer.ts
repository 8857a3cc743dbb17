/**
 * End-to-end harness: the real `wardledger serve` as a child process on a fresh data directory,
 * and Debian's Chromium driven by playwright-core. A missing browser fails loudly (never skips).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const root = resolve(__dirname, '..', '..', '..');
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
  if (!existsSync(join(root, 'out', 'main', 'cli.js'))) throw new Error('The app is not built: run `npm run build` (npm test does it).');
  const dataDir = mkdtempSync(join(tmpdir(), 'wardledger-e2e-'));
  const child = spawn(process.execPath, [join(root, 'bin', 'wardledger.mjs'), 'serve', '--data-dir', dataDir, ...extraArgs], {
    cwd: root,
    env: { ...process.env, WARDLEDGER_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const launchUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`wardledger serve printed no URL within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[0]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`wardledger serve exited with ${code}:\n${out}`)));
  });
  return {
    url: launchUrl.replace(/\?token=.*$/, ''),
    launchUrl,
    dataDir,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
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
