/**
 * The data-directory lock asks the operating system whether its owner lives: a dead owner's lock
 * is taken over at once, a live one is never displaced, a recycled process id is recognised.
 * Owners are real processes (children spawned here), not mocks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir, ownerOf } from '../../../electron/core/platform/dataDirLock';
import { removeDir, tempDir } from '../../support/tempCore';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.stdout?.destroy();
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }
  for (const d of dirs.splice(0)) removeDir(d);
});

function dataDir(): string {
  const d = tempDir('wardledger-lock-');
  dirs.push(d);
  return d;
}

/** A live process that sleeps until killed. */
async function sleeper(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => child.once('spawn', r));
  return child;
}

/** The id of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

const writeLock = (dir: string, owner: object) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify(owner));

describe('data-directory lock', () => {
  it('records its owner (pid, kernel start time, boot, host) and removes the file on release', async () => {
    const dir = dataDir();
    const release = await lockDataDir(dir);
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, startTime: ownerOf(process.pid).startTime, host: expect.any(String) });
    if (process.platform === 'linux') expect(owner.startTime).toMatch(/^\d+$/);
    await release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses while a live owner holds it, naming the owner, in this process or another', async () => {
    const dir = dataDir();
    const release = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining(`process ${process.pid}`) });
    await release();
    const other = await sleeper();
    writeLock(dir, ownerOf(other.pid!));
    await expect(lockDataDir(dir)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining(`process ${other.pid}`) });
  });

  it('takes over at once the lock of an owner that died (kill -9 leaves the file behind)', async () => {
    const dir = dataDir();
    const owner = await sleeper();
    writeLock(dir, ownerOf(owner.pid!));
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    const release = await lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await release();
  });

  it('takes over a lock whose process id now belongs to another process (start time differs)', async () => {
    if (process.platform !== 'linux') return; // start times come from /proc
    const dir = dataDir();
    const stranger = await sleeper();
    writeLock(dir, { ...ownerOf(stranger.pid!), startTime: '1' });
    const release = await lockDataDir(dir);
    await release();
  });

  it('takes over a lock from before the last reboot', async () => {
    if (process.platform !== 'linux') return; // the boot id comes from /proc
    const dir = dataDir();
    const stranger = await sleeper();
    writeLock(dir, { ...ownerOf(stranger.pid!), bootId: 'a-boot-long-ago' });
    await (await lockDataDir(dir))();
  });

  it('takes over an empty or damaged lock file', async () => {
    for (const text of ['', '{"pid":', '{"pid":-4,"host":"x"}']) {
      const dir = dataDir();
      writeFileSync(join(dir, LOCK_FILE), text);
      await (await lockDataDir(dir))();
    }
  });

  it('does not take over a dead-looking lock of another computer, and says how to clear it', async () => {
    const dir = dataDir();
    writeLock(dir, { ...ownerOf(await deadPid()), host: 'ward-7-pc-2' });
    await expect(lockDataDir(dir)).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
      message: expect.stringMatching(/on the computer ward-7-pc-2.*If WardLedger no longer runs there, delete .*\.wardledger\.lock/),
    });
  });

  it('respects a fresh lock directory of the earlier version and clears a stale one', async () => {
    const dir = dataDir();
    const legacy = join(dir, LOCK_FILE);
    mkdirSync(legacy);
    await expect(lockDataDir(dir)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining('earlier version') });
    const old = new Date(Date.now() - 60_000);
    utimesSync(legacy, old, old);
    await (await lockDataDir(dir))();
  });

  it('release never removes a lock another owner holds', async () => {
    const dir = dataDir();
    const release = await lockDataDir(dir);
    const other = await sleeper();
    writeLock(dir, ownerOf(other.pid!));
    await release();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(other.pid);
  });

  it('lets exactly one of several processes starting at once take a dead owner\'s lock', async () => {
    const dir = dataDir();
    writeLock(dir, ownerOf(await deadPid()));
    const lockModule = resolve(__dirname, '..', '..', '..', 'electron', 'core', 'platform', 'dataDirLock.ts');
    const script = `import { lockDataDir } from ${JSON.stringify(lockModule)};
      lockDataDir(process.argv[1]).then(() => { console.log('won'); setInterval(() => {}, 1000); }, (e) => { console.log(e.code); process.exit(0); });`;
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => {
        // The winner keeps its lock (and stays alive) until the test ends.
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
        children.push(child);
        return new Promise<string>((r) => child.stdout!.once('data', (c) => r(String(c).trim())));
      }),
    );
    expect(outcomes.sort()).toEqual(['DATA_DIR_LOCKED', 'DATA_DIR_LOCKED', 'DATA_DIR_LOCKED', 'won']);
  });
});
