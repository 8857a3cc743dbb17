/**
 * The real `wardledger serve` (the built CLI) as a child process on a given data directory:
 * waits for the URL it prints and its "ready" line, or for it to exit (a refused start), and stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// import.meta.url, not __dirname: the benchmarks run this as an ES module under tsx.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeProcess {
  process: ChildProcess;
  output(): string;
  /** The launch URL it printed, once it printed that the ward is ready; or an error carrying its output if it exited first. */
  ready: Promise<string>;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

export function spawnServe(dataDir: string, extraArgs: string[] = [], env: Record<string, string> = {}): ServeProcess {
  if (!existsSync(join(root, 'out', 'main', 'cli.js'))) throw new Error('The app is not built: run `npm run build` (npm test does it).');
  const child = spawn(process.execPath, [join(root, 'bin', 'wardledger.mjs'), 'serve', '--data-dir', dataDir, ...extraArgs], {
    cwd: root,
    env: { ...process.env, WARDLEDGER_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  // 'close', not 'exit': 'exit' can come before the last output is read, and a refusal's one line
  // would be missing from output() (seen under load).
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  const ready = new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`wardledger serve printed no URL within 60 s:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      // The URL is printed while the ward starts; calls answer once it is ready.
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(out);
      if (m && out.includes('WardLedger is ready.')) {
        clearTimeout(timer);
        resolveUrl(m[0]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`wardledger serve exited with ${code}:\n${out}`));
    });
  });
  ready.catch(() => undefined); // callers that expect a refusal await `exited` instead
  return {
    process: child,
    output: () => out,
    ready,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      }
    },
  };
}
