/**
 * Nothing in a data directory is readable by other users: directories 0700, files 0600 —
 * including the ward chain's LevelDB files, which ganache creates from its own threads while it
 * runs (they were 0644 in 0755 directories). A data directory of an earlier version is tightened.
 */
import { chmodSync, lstatSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

function walk(dir: string, visit: (path: string, isDir: boolean, mode: number) => void): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    visit(path, st.isDirectory(), st.mode & 0o777);
    if (st.isDirectory()) walk(path, visit);
  }
}

/** Paths whose mode lets anyone but the owner in, with the mode. */
function readableByOthers(dir: string): string[] {
  const offenders: string[] = [];
  if ((statSync(dir).mode & 0o777) !== 0o700) offenders.push(`${dir} ${(statSync(dir).mode & 0o777).toString(8)}`);
  walk(dir, (path, isDir, mode) => {
    if (isDir ? mode !== 0o700 : (mode & 0o177) !== 0) offenders.push(`${path.slice(dir.length)} ${mode.toString(8)}`);
  });
  return offenders;
}

describe('data directory permissions (real core, real ganache LevelDB)', () => {
  let dir: string;
  let core: WardCore;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    const w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '3', responsibleDoctor: w.addresses.doctor });
    for (let i = 0; i < 5; i++) await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { spo2: 95 + (i % 3), pulse: 80 + i } });
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('creates every directory 0700 and every file 0600, the chain database included, while running and after stop', async () => {
    const chainFiles: string[] = [];
    walk(join(dir, 'chain'), (path, isDir) => !isDir && chainFiles.push(path));
    expect(chainFiles.some((p) => /\.(ldb|log)$/.test(p))).toBe(true);
    expect(readableByOthers(dir)).toEqual([]);
    await core.stop();
    expect(readableByOthers(dir)).toEqual([]);
  });

  it('restores the process umask when the core stops', () => {
    const probe = join(tempDir(), 'probe');
    writeFileSync(probe, 'x');
    expect(statSync(probe).mode & 0o777).toBe(0o644);
    removeDir(join(probe, '..'));
  });

  it('tightens a data directory an earlier version left readable (0755 directories, 0644 files)', async () => {
    chmodSync(dir, 0o755);
    walk(dir, (path, isDir) => chmodSync(path, isDir ? 0o755 : 0o644));
    expect(readableByOthers(dir).length).toBeGreaterThan(10);
    core = await startCore(dir);
    expect(readableByOthers(dir)).toEqual([]);
  });
});
