/**
 * scripts/start.mjs run for real, as `npm start` runs it, in a throw-away copy of the project
 * layout whose node_modules/electron and bin/wardledger.mjs are small stand-ins: this machine has
 * no Electron binary, so each case builds the Electron situation it needs.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const startScript = resolve(__dirname, '../../../scripts/start.mjs');
const roots: string[] = [];

interface Layout {
  /** Body of node_modules/electron/index.js; omit for "package not installed". */
  electronIndex?: string;
  /** Body of the fake Electron executable at node_modules/electron/dist/electron. */
  electronBinary?: string;
}

function makeProject(layout: Layout): string {
  const root = mkdtempSync(join(tmpdir(), 'wardledger-start-'));
  roots.push(root);
  mkdirSync(join(root, 'scripts'));
  copyFileSync(startScript, join(root, 'scripts', 'start.mjs'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'wardledger', type: 'module' }));
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'bin', 'wardledger.mjs'), `console.log('SERVE ' + JSON.stringify(process.argv.slice(2))); process.exit(7);\n`);
  mkdirSync(join(root, 'out', 'main'), { recursive: true });
  writeFileSync(join(root, 'out', 'main', 'index.js'), '');
  if (layout.electronIndex !== undefined) {
    const pkg = join(root, 'node_modules', 'electron');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'electron', main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), layout.electronIndex);
    if (layout.electronBinary !== undefined) {
      writeFileSync(join(pkg, 'dist', 'electron'), `#!${process.execPath}\n${layout.electronBinary}`);
      chmodSync(join(pkg, 'dist', 'electron'), 0o755);
    }
  }
  return root;
}

const binaryPathIndex = `module.exports = require('node:path').join(__dirname, 'dist', 'electron');\n`;
const workingBinary = `
if (process.env.ELECTRON_RUN_AS_NODE) { process.stdout.write('45.4.1'); process.exit(0); }
console.log('DESKTOP ' + JSON.stringify(process.argv.slice(2)));
process.exit(5);
`;

function runStart(root: string, args: string[], env: Record<string, string> = {}) {
  const baseEnv: Record<string, string> = { PATH: process.env.PATH ?? '', DISPLAY: ':99', WARDLEDGER_ELECTRON_PROBE_TIMEOUT_MS: '5000' };
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((done) => {
    const began = Date.now();
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), ...args], { cwd: root, env: { ...baseEnv, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr, ms: Date.now() - began }));
  });
}

/** Alive and not a zombie waiting to be reaped (the killed downloader's parent died with it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function fallbackLine(stdout: string): string {
  return stdout.split('\n').find((l) => l.startsWith('Electron runtime not available here')) ?? '';
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('npm start', () => {
  it('starts the desktop app with a runnable Electron, forwarding the arguments', async () => {
    const root = makeProject({ electronIndex: binaryPathIndex, electronBinary: workingBinary });
    const run = await runStart(root, ['--demo', '--data-dir', '/tmp/ward']);
    expect(fallbackLine(run.stdout)).toBe('');
    expect(run.stdout).toContain(`DESKTOP ${JSON.stringify([root, '--demo', '--data-dir', '/tmp/ward'])}`);
    expect(run.code).toBe(5);
  });

  it('does not pass ELECTRON_RUN_AS_NODE on to the app', async () => {
    const root = makeProject({
      electronIndex: binaryPathIndex,
      electronBinary: `if (process.argv.includes('-e')) { process.stdout.write('45.4.1'); process.exit(0); }\nconsole.log('RUN_AS_NODE=' + (process.env.ELECTRON_RUN_AS_NODE ?? 'unset'));`,
    });
    const run = await runStart(root, [], { ELECTRON_RUN_AS_NODE: '1' });
    expect(run.stdout).toContain('RUN_AS_NODE=unset');
  });

  it('WARDLEDGER_BROWSER_MODE=1 goes straight to browser mode with the arguments', async () => {
    const root = makeProject({ electronIndex: binaryPathIndex, electronBinary: workingBinary });
    const run = await runStart(root, ['--demo', '--port', '4321'], { WARDLEDGER_BROWSER_MODE: '1' });
    expect(fallbackLine(run.stdout)).toBe(
      'Electron runtime not available here (WARDLEDGER_BROWSER_MODE=1); starting WardLedger in browser mode.',
    );
    expect(run.stdout).toContain(`SERVE ${JSON.stringify(['serve', '--demo', '--port', '4321'])}`);
    expect(run.stdout).not.toContain('DESKTOP');
    expect(run.code).toBe(7);
  });

  it('falls back when the electron package is not installed', async () => {
    const run = await runStart(makeProject({}), ['--demo']);
    expect(fallbackLine(run.stdout)).toContain('(the electron package is not installed)');
    expect(run.stdout).toContain(`SERVE ${JSON.stringify(['serve', '--demo'])}`);
  });

  it('falls back when the binary cannot be downloaded', async () => {
    const root = makeProject({ electronIndex: `throw new Error('Electron failed to install correctly');\n` });
    const run = await runStart(root, []);
    expect(fallbackLine(run.stdout)).toContain('(the Electron binary is not installed and could not be downloaded)');
    expect(run.code).toBe(7);
  });

  it('falls back when the binary is missing on disk', async () => {
    const root = makeProject({ electronIndex: binaryPathIndex });
    const run = await runStart(root, []);
    expect(fallbackLine(run.stdout)).toContain('the Electron binary is missing at');
  });

  it('falls back when the binary does not run here, saying why', async () => {
    const root = makeProject({
      electronIndex: binaryPathIndex,
      electronBinary: `process.stderr.write('electron: error while loading shared libraries: libnss3.so\\n'); process.exit(127);`,
    });
    const run = await runStart(root, []);
    expect(fallbackLine(run.stdout)).toContain('the Electron binary does not run here: electron: error while loading shared libraries: libnss3.so');
  });

  it('falls back without a display on Linux', async () => {
    const root = makeProject({ electronIndex: binaryPathIndex, electronBinary: workingBinary });
    const run = await runStart(root, [], { DISPLAY: '' });
    expect(fallbackLine(run.stdout)).toContain('no graphical display');
    expect(run.code).toBe(7);
  });

  it('does not hang on a stalled download, and kills what the download started', async () => {
    const pidFile = join(tmpdir(), `wardledger-stalled-${process.pid}-${Date.now()}`);
    // Like the electron package's first run: a synchronous child (the downloader) that never ends.
    const downloader = "require('node:fs').writeFileSync(process.argv[1], String(process.pid)); setTimeout(() => {}, 60000)";
    const stalled = `
      require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(downloader)}, ${JSON.stringify(pidFile)}]);
      module.exports = '/nowhere';
    `;
    const root = makeProject({ electronIndex: stalled });
    const run = await runStart(root, ['--demo'], { WARDLEDGER_ELECTRON_PROBE_TIMEOUT_MS: '1500' });
    expect(fallbackLine(run.stdout)).toContain('(the Electron download did not finish within 2 s)');
    expect(run.stdout).toContain('SERVE');
    expect(run.ms).toBeLessThan(10_000);
    const stalledPid = Number(readFileSync(pidFile, 'utf8'));
    rmSync(pidFile, { force: true });
    await vi.waitFor(() => expect(isRunning(stalledPid)).toBe(false), { timeout: 3000 });
  });
});
