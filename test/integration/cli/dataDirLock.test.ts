/**
 * Two `wardledger serve` processes on one data directory (issue 9, items 6 and 14): a frozen
 * owner keeps its lock however long it is frozen, and a killed owner's lock is taken over at once.
 * SIGSTOP freezes the whole owner process, a harder case than a blocked event loop.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../support/tempCore';
import { spawnServe, type ServeProcess } from '../../support/serveProcess';

const running: ServeProcess[] = [];
const dir = tempDir('wardledger-lock-cli-');
afterAll(async () => {
  for (const s of running) {
    s.process.kill('SIGCONT');
    await s.stop();
  }
  removeDir(dir);
});

function serve(): ServeProcess {
  const s = spawnServe(dir);
  running.push(s);
  return s;
}

async function status(launchUrl: string): Promise<number> {
  const url = new URL(launchUrl);
  const r = await fetch(new URL('/api/ward/status', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wardledger-secret': url.searchParams.get('token')! },
    body: '{}',
  });
  return r.status;
}

describe('the data-directory lock between real serve processes', () => {
  it('keeps a frozen owner\'s lock (12 s frozen, longer than the old 10 s staleness) and refuses the second instance', async () => {
    const owner = serve();
    const url = await owner.ready;
    owner.process.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 12_000));
    const second = serve();
    expect(await second.exited).toBe(2);
    expect(second.output()).toMatch(new RegExp(`already using the data directory .*process ${owner.process.pid}`));
    owner.process.kill('SIGCONT');
    expect(await status(url)).toBe(200);
  });

  it('starts at once after the owner was killed with kill -9', async () => {
    await running[0]!.stop();
    const owner = serve();
    await owner.ready;
    owner.process.kill('SIGKILL');
    await owner.exited;
    const next = serve();
    const url = await next.ready;
    expect(next.output()).not.toMatch(/already using/);
    expect(await status(url)).toBe(200);
  });
});
