/**
 * Test helper: the built `wardledger serve` as a child process on a given data directory, called
 * over its loopback API as a script would (the launch secret in `x-wardledger-secret`), and
 * watched until it exits — e.g. killed by a failpoint (WARDLEDGER_FAILPOINT, platform/failpoint.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CallResult } from '../../electron/core/api/contract';
import { testScryptN } from './tempCore';

const root = resolve(__dirname, '..', '..');

export interface ServeChild {
  /** One API call; rejects when the connection drops (the process died). */
  call(operation: string, input: unknown, session?: string | null): Promise<CallResult>;
  login(name: string, password: string): Promise<string>;
  /** How the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  stop(): Promise<void>;
}

export async function serveChild(dataDir: string, env: Record<string, string> = {}): Promise<ServeChild> {
  if (!existsSync(join(root, 'out', 'main', 'cli.js'))) throw new Error('The app is not built: run `npm run build` (npm test does it).');
  const child = spawn(process.execPath, [join(root, 'bin', 'wardledger.mjs'), 'serve', '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, WARDLEDGER_LOG: 'warn', WARDLEDGER_SCRYPT_N: String(testScryptN), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const launch = await new Promise<URL>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`wardledger serve printed no URL within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(new URL(m[0]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`wardledger serve exited before it was ready:\n${out}`)));
  });
  const secret = launch.searchParams.get('token')!;
  const call = async (operation: string, input: unknown, session: string | null = null): Promise<CallResult> => {
    const r = await fetch(new URL(`/api/${operation}`, launch.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wardledger-secret': secret, ...(session ? { 'x-ward-session': session } : {}) },
      body: JSON.stringify(input),
    });
    return (await r.json()) as CallResult;
  };
  return {
    call,
    async login(name, password) {
      const r = await call('session/login', { name, password });
      if (!r.ok) throw new Error(`login failed: ${r.error.message}`);
      return (r.result as { token: string }).token;
    },
    exited,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
