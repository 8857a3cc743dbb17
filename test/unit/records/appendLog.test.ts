import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppendLog } from '../../../electron/core/records/appendLog';
import { removeDir, tempDir } from '../../support/tempCore';

describe('append-only log with group commit', () => {
  const dirs: string[] = [];
  const logIn = () => {
    const dir = tempDir('wardledger-log-');
    dirs.push(dir);
    return new AppendLog<{ n: number; text?: string }>(join(dir, 'log.jsonl'));
  };
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it('keeps appends made in one tick in call order, each resolving once on disk', async () => {
    const log = logIn();
    log.open(() => undefined);
    const written = Array.from({ length: 20 }, (_, i) => log.append({ n: 2 * i }, { n: 2 * i + 1, text: 'naïve — ünïcode' }));
    await Promise.all(written);
    const lines = readFileSync(log.path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    log.close();

    const replayed: number[] = [];
    const again = new AppendLog<{ n: number }>(log.path);
    expect(again.open((e) => replayed.push(e.n))).toBe(40);
    expect(replayed).toEqual(Array.from({ length: 40 }, (_, i) => i));
    again.close();
  });

  it('appends made while a flush is in flight follow it, in order', async () => {
    const log = logIn();
    log.open(() => undefined);
    const first = log.append({ n: 0 });
    await Promise.resolve(); // the first flush has started
    const rest = [1, 2, 3].map((n) => log.append({ n }));
    await Promise.all([first, ...rest]);
    expect(readFileSync(log.path, 'utf8')).toBe('{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n');
    log.close();
  });

  it('drops a torn last line on open and appends after the last complete entry', async () => {
    const log = logIn();
    log.open(() => undefined);
    await log.append({ n: 1 });
    log.close();
    writeFileSync(log.path, readFileSync(log.path, 'utf8') + '{"n":2,"te');
    const reopened = new AppendLog<{ n: number }>(log.path);
    expect(reopened.open(() => undefined)).toBe(1);
    await reopened.append({ n: 3 });
    expect(readFileSync(log.path, 'utf8')).toBe('{"n":1}\n{"n":3}\n');
    reopened.close();
  });

  it('refuses to append when not open, with a clear error', async () => {
    await expect(logIn().append({ n: 1 })).rejects.toThrow(/not open/);
  });
});
