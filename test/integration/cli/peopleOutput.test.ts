/**
 * Issue 11, "Newcomer start": `wardledger serve` (what `npm start` runs where there is no
 * Electron) and `serve --demo` print sentences for people only; the JSON log lines go to
 * <data dir>/logs/wardledger.log (owner-only), or to stderr with --verbose or WARDLEDGER_LOG.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServe, type ServeProcess } from '../../support/serveProcess';
import { removeDir, tempDir, testScryptN } from '../../support/tempCore';

const jsonLines = (text: string) => text.split('\n').filter((l) => l.trim().startsWith('{'));

describe('what `wardledger serve` prints', () => {
  const dirs: string[] = [];
  const running: ServeProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    dirs.forEach(removeDir);
  });

  it('--demo prints the accounts and the link in sentences, and writes its logs to the data directory', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // WARDLEDGER_LOG unset (empty): what a newcomer's terminal shows.
    const serve = spawnServe(dir, ['--demo'], { WARDLEDGER_LOG: '', WARDLEDGER_SCRYPT_N: String(testScryptN) });
    running.push(serve);
    await serve.ready;
    const out = serve.output();
    expect(jsonLines(out)).toEqual([]);
    expect(out).toContain('Demo ward seeded.');
    expect(out).toMatch(/RX100071 .*patients log in with their hospital number/);
    expect(out).toContain('Open this URL in a browser on this computer:');
    const logFile = join(dir, 'logs', 'wardledger.log');
    await expect.poll(() => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"server.listening"')).toBe(true);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n');
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ t: expect.any(String), level: expect.any(String), event: expect.any(String) });
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    await serve.stop();
  });

  it('--verbose puts the JSON logs on stderr instead, and writes no log file', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const serve = spawnServe(dir, ['--verbose'], { WARDLEDGER_LOG: '', WARDLEDGER_SCRYPT_N: String(testScryptN) });
    running.push(serve);
    await serve.ready;
    await expect.poll(() => jsonLines(serve.output()).some((l) => JSON.parse(l).event === 'server.listening')).toBe(true);
    expect(existsSync(join(dir, 'logs'))).toBe(false);
    await serve.stop();
  });
});
