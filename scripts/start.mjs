#!/usr/bin/env node
/**
 * `npm start` (after the build): open the WardLedger desktop app, or — where no Electron runtime
 * can be had (no binary and no way to download one, no display, or WARDLEDGER_BROWSER_MODE=1) —
 * say so in one line and start browser mode (`node bin/wardledger.mjs serve`) instead.
 *
 * Arguments are forwarded to either (e.g. --demo, --data-dir <dir>, --port <n>).
 * The Electron package fetches its binary on first use; that attempt, and a trial run of the
 * binary, share one deadline (WARDLEDGER_ELECTRON_PROBE_TIMEOUT_MS, default 20 s) so a stalled
 * download never hangs the start.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const probeTimeoutMs = positiveNumber(process.env.WARDLEDGER_ELECTRON_PROBE_TIMEOUT_MS) ?? 20_000;
const marker = '@@wardledger-electron@@';

/**
 * Run in a child so that the electron package's synchronous first-run download (and anything it
 * spawns) can be killed as a group on timeout. Prints one marked JSON line with the outcome.
 */
const resolveElectronScript = `
const { createRequire } = require('node:module');
const requireFromApp = createRequire(process.argv[1]);
let outcome;
try {
  requireFromApp.resolve('electron');
} catch {
  outcome = { ok: false, reason: 'the electron package is not installed' };
}
if (!outcome) {
  try {
    outcome = { ok: true, path: String(requireFromApp('electron')) };
  } catch {
    outcome = { ok: false, reason: 'the Electron binary is not installed and could not be downloaded' };
  }
}
process.stdout.write('\\n${marker}' + JSON.stringify(outcome) + '\\n');
`;

await main();

async function main() {
  const args = process.argv.slice(2);
  const probe = await findElectron();
  if (probe.ok) {
    const entry = join(root, 'out', 'main', 'index.js');
    if (!existsSync(entry)) fail(`The desktop build is missing (${entry}); run "npm run build" first.`);
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE; // would turn the app into a plain Node process
    runToExit(probe.path, [root, ...args], env);
    return;
  }
  console.log(`Electron runtime not available here (${probe.reason}); starting WardLedger in browser mode.`);
  const cli = join(root, 'bin', 'wardledger.mjs');
  if (!existsSync(cli)) fail(`The WardLedger command line is missing (${cli}).`);
  runToExit(process.execPath, [cli, 'serve', ...args], process.env);
}

/** @returns {Promise<{ ok: true, path: string } | { ok: false, reason: string }>} */
async function findElectron() {
  if (process.env.WARDLEDGER_BROWSER_MODE === '1') return { ok: false, reason: 'WARDLEDGER_BROWSER_MODE=1' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'no graphical display: neither DISPLAY nor WAYLAND_DISPLAY is set' };
  }
  const deadline = Date.now() + probeTimeoutMs;
  const seconds = Math.round(probeTimeoutMs / 1000);

  const resolved = await runCaptured(process.execPath, ['-e', resolveElectronScript, join(root, 'package.json')], {
    timeoutMs: deadline - Date.now(),
    env: process.env,
  });
  if (resolved.timedOut) return { ok: false, reason: `the Electron download did not finish within ${seconds} s` };
  const line = resolved.stdout.split('\n').find((l) => l.startsWith(marker));
  if (!line) return { ok: false, reason: `the electron package could not be loaded${firstLine(resolved.stderr)}` };
  const outcome = JSON.parse(line.slice(marker.length));
  if (!outcome.ok) return outcome;
  if (!existsSync(outcome.path)) return { ok: false, reason: `the Electron binary is missing at ${outcome.path}` };

  // A binary that exists may still not run here (missing system libraries, wrong architecture).
  const trial = await runCaptured(outcome.path, ['-e', 'process.stdout.write(String(process.versions.electron || ""))'], {
    timeoutMs: Math.max(deadline - Date.now(), 1000),
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  if (trial.timedOut) return { ok: false, reason: `the Electron binary did not answer within ${seconds} s` };
  if (trial.code !== 0 || trial.stdout.trim() === '') {
    return { ok: false, reason: `the Electron binary does not run here${firstLine(trial.stderr)}` };
  }
  return { ok: true, path: outcome.path };
}

/**
 * Run a command to completion, capturing output, killing its whole process group at the timeout.
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string, timedOut: boolean }>}
 */
function runCaptured(command, args, { timeoutMs, env }) {
  return new Promise((resolvePromise) => {
    const ownGroup = process.platform !== 'win32';
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup, windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const keep = (text, chunk) => (text.length < 64 * 1024 ? text + chunk : text);
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout = keep(stdout, chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = keep(stderr, chunk)));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child, ownGroup);
    }, Math.max(timeoutMs, 0));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: null, stdout, stderr: stderr + String(error.message), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, timedOut });
    });
  });
}

function killTree(child, ownGroup) {
  try {
    if (ownGroup && child.pid) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Run the app with the terminal attached and leave with its exit code. */
function runToExit(command, args, env) {
  const child = spawn(command, args, { cwd: process.cwd(), env, stdio: 'inherit' });
  // Ctrl+C reaches the child directly (same terminal process group); wait for it to finish.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => fail(`Could not start ${command}: ${error.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function firstLine(text) {
  const line = String(text).split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line ? `: ${line.slice(0, 200)}` : '';
}

function positiveNumber(value) {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
