/**
 * The disk fills while the ward writes (here: a file-size limit on the writing process, set and
 * lifted with util-linux's prlimit, which fails LevelDB's log append part-way as ENOSPC does).
 * The commit that hit it is refused with words a nurse can act on; once space is back, commits
 * are acknowledged again, and after a kill -9 every acknowledged commit is in the store.
 *
 * Why this needs the store to do something: LevelDB's log writer counts a failed append as
 * written, so records appended after it to the same log file are misplaced, and recovery drops
 * them (measured with classic-level 3 / LevelDB 1.23: three commits acknowledged with sync after
 * the failure were gone after reopening). LevelKv reopens the database before the next commit: a
 * new log.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelKv } from '../../../electron/core/storage/levelKv';
import { removeDir, tempDir } from '../../support/tempCore';
import { AFTER, VALUE_BYTES, valueOf } from './fullDiskWriter';

describe('the disk fills while the store writes', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('wardledger-fulldisk-');
  });
  afterAll(() => removeDir(dir));

  it('refuses the commit that hit it in plain words, takes commits again once space is back, and loses none it acknowledged', async () => {
    const child = spawn('prlimit', ['--fsize=300000:unlimited', process.execPath, '--import', 'tsx', join(__dirname, 'fullDiskWriter.ts'), join(dir, 'kv')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const acked: string[] = [];
    const failed: Array<{ key: string; message: string }> = [];
    let out = '';
    const done = new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the writer ended by itself (${code ?? signal}); it printed:\n${out}`))));
      child.stdout.on('data', (d: Buffer) => {
        const start = out.length;
        out += d.toString();
        for (const line of out.slice(out.lastIndexOf('\n', start - 1) + 1).split('\n').slice(0, -1)) {
          const m = /^(acked|failed) (\S+) ?(.*)$/.exec(line);
          if (m?.[1] === 'acked') acked.push(m[2]!);
          else if (m) failed.push({ key: m[2]!, message: m[3]! });
          else if (line === 'full') {
            // Space is back: the limit lifted on the running writer (prlimit exec'd it: same pid).
            execFileSync('prlimit', ['--pid', String(child.pid), '--fsize=unlimited:unlimited']);
            child.stdin.write('freed\n');
          } else if (line === 'done') child.kill('SIGKILL');
        }
      });
    });
    await done;

    expect(failed.length, out).toBeGreaterThanOrEqual(1);
    expect(failed[0]!.key).toMatch(/^before-\d+$/);
    expect(failed[0]!.message).toMatch(/^The workstation's disk is full: nothing was saved\./);
    // Once space is back, every commit is taken.
    expect(acked.filter((k) => k.startsWith('after-'))).toHaveLength(AFTER);
    expect(acked.filter((k) => k.startsWith('before-')).length).toBeGreaterThan(3);

    const kv = await LevelKv.open(join(dir, 'kv'));
    try {
      const missing: string[] = [];
      for (const key of acked) {
        const v = await kv.get(Buffer.from(key));
        if (!v || Buffer.compare(Buffer.from(v), Buffer.from(valueOf(key))) !== 0) missing.push(key);
      }
      expect(missing).toEqual([]);
      // The refused commit is there whole or not at all.
      const refused = await kv.get(Buffer.from(failed[0]!.key));
      expect(refused === undefined || refused.length === VALUE_BYTES).toBe(true);
    } finally {
      await kv.close();
    }
  }, 60_000);
});
