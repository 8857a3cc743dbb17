/**
 * Password guessing against login and unlock (issue 9, items 6 and 10): key derivation leaves the
 * event loop free, guesses are throttled per name, per account and for the workstation, and an
 * unknown name costs the same key derivation as a known one.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityService } from '../../../electron/core/identity/identityService';
import { KeyDerivationQueue, type KdfParams } from '../../../electron/core/identity/keyDerivation';
import type { WardCore } from '../../../electron/core/shellContract';
import { WardConfigStore } from '../../../electron/core/identity/wardConfig';
import { openInternals } from '../../support/pipelineInternals';
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

  it('throttles a name after five wrong passwords, then refuses even the right one, and says when to try again', async () => {
    const target = people[4]!;
    for (let i = 0; i < 5; i++) {
      await expect(anon.fails('session/login', { name: target.name, password: `wrong-${i}` })).resolves.toMatchObject({ code: 'WRONG_PASSWORD' });
    }
    const refused = await anon.fails('session/login', { name: target.name, password: target.password });
    expect(refused).toMatchObject({
      code: 'THROTTLED',
      message: expect.stringMatching(/^Too many wrong passwords for this name\. Try again in 30 seconds \(at \d\d:\d\d:\d\d\)\.$/),
      details: { retryAfterSeconds: 30, retryAt: expect.any(String) },
    });
    // Other names are not affected; the same name with other spelling (case, spaces) is the same name.
    await new Caller(core).login(people[5]!.name, people[5]!.password);
    await expect(anon.fails('session/login', { name: `  ${target.name.toUpperCase()} `, password: target.password })).resolves.toMatchObject({ code: 'THROTTLED' });
  });

  it('throttles an unknown name exactly like a known one', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push((await anon.fails('session/login', { name: 'Not Registered', password: `guess-${i}` })).code);
    expect(outcomes).toEqual(['WRONG_PASSWORD', 'WRONG_PASSWORD', 'WRONG_PASSWORD', 'WRONG_PASSWORD', 'WRONG_PASSWORD', 'THROTTLED']);
  });

  it('does not let parallel guesses slip past the limit while their key derivations run', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => anon.fails('session/login', { name: people[3]!.name, password: `parallel-${i}` })));
    const wrong = results.filter((e) => e.code === 'WRONG_PASSWORD').length;
    expect(wrong).toBeLessThanOrEqual(5);
    expect(results.filter((e) => e.code === 'THROTTLED').length).toBe(12 - wrong);
  });

  it('throttles unlock guesses per account', async () => {
    const person = people[2]!;
    const c = new Caller(core);
    await c.login(person.name, person.password);
    await c.ok('session/lock', {});
    for (let i = 0; i < 5; i++) await expect(c.fails('session/unlock', { password: `wrong-${i}` })).resolves.toMatchObject({ code: 'WRONG_PASSWORD' });
    await expect(c.fails('session/unlock', { password: person.password })).resolves.toMatchObject({
      code: 'THROTTLED',
      message: expect.stringMatching(/^Too many wrong passwords for this account\. Try again in 30 seconds/),
    });
  });
});

describe('an unknown name costs the same key derivation as a wrong password for a known one', () => {
  it('derives once, with the same parameters, whether or not the name exists', async () => {
    const dir = tempDir();
    const core = await startCore(dir, { keystoreScryptN: SCRYPT_N });
    await new Caller(core).ok('ward/setup', admin);
    await new Caller(core).ok('identity/register', people[0]!);
    await core.stop();
    const internals = await openInternals(dir);
    try {
      const calls: KdfParams[] = [];
      const queue = new (class extends KeyDerivationQueue {
        override derive(password: Uint8Array, params: KdfParams) {
          calls.push(params);
          return super.derive(password, params);
        }
      })(1);
      const config = new WardConfigStore(dir);
      config.load();
      const identity = new IdentityService(dir, internals.node, config, SCRYPT_N, queue);
      await expect(identity.login(people[0]!.name, 'wrong-password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
      await expect(identity.login('Nobody At All', 'wrong-password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
      expect(calls).toHaveLength(2);
      const shape = ({ salt, ...rest }: KdfParams) => ({ ...rest, saltBytes: salt.length });
      expect(shape(calls[1]!)).toEqual(shape(calls[0]!));
      expect(queue.completed).toBe(2);
    } finally {
      await internals.close();
      removeDir(dir);
    }
  });
});
