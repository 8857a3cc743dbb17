/**
 * Password guessing against login and unlock (issue 9, item 6): key derivation leaves the event
 * loop free.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { admin, Caller, removeDir, startCore, tempDir } from '../../support/tempCore';

/** Costly enough that derivation dominates a wrong-password login (ethers' JS scrypt: ~70 ms each). */
const SCRYPT_N = 2 ** 14;
const people = Array.from({ length: 6 }, (_, i) => ({ role: 'patient' as const, name: `Guess Target ${i}`, age: 40 + i, password: `target-password-${i}` }));

describe('password guessing (real core, real ganache)', () => {
  let dir: string;
  let core: WardCore;
  let anon: Caller;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir, { keystoreScryptN: SCRYPT_N });
    anon = new Caller(core);
    await anon.ok('ward/setup', admin);
    for (const p of people) await anon.ok('identity/register', p);
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('keeps the event loop free during a burst of wrong-password logins (key derivation runs on other threads)', async () => {
    // Event-loop utilisation is the share of the burst the main thread spent busy: near 1 when
    // scrypt runs on it (as it did, freezing every other call), low when it runs elsewhere.
    const names = [...people.slice(0, 4).map((p) => p.name), 'Nobody One', 'Nobody Two', 'Nobody Three', 'Nobody Four'];
    const before = performance.eventLoopUtilization();
    const errors = await Promise.all(names.map((name) => new Caller(core).fails('session/login', { name, password: 'a-wrong-password' })));
    const elu = performance.eventLoopUtilization(before);
    expect(errors.map((e) => e.code)).toEqual(names.map(() => 'WRONG_PASSWORD'));
    expect(elu.utilization).toBeLessThan(0.5);
  });
});
