import { describe, expect, it } from 'vitest';
import { PasswordGuard, type GuardPolicy } from '../../../electron/core/identity/passwordGuard';

const policy: GuardPolicy = { freeFailures: 5, baseLockMs: 30_000, maxLockMs: 15 * 60_000, globalFailures: 30, globalWindowMs: 60_000, maxTracked: 100 };

function setup(p: GuardPolicy = policy) {
  let now = 1_000_000;
  const guard = new PasswordGuard(p, () => now);
  const fail = (key: string) => guard.begin(key, 'name').failed();
  const refusal = (key: string, what: 'name' | 'account' = 'name') => {
    try {
      guard.begin(key, what).abandoned();
      return null;
    } catch (e) {
      return e as { code: string; message: string; details: { retryAfterSeconds: number; retryAt: string } };
    }
  };
  return { guard, fail, refusal, advance: (ms: number) => (now += ms), now: () => now };
}

describe('password guard', () => {
  it('allows five wrong passwords, then refuses for 30 s, then doubles with each further wrong password up to 15 minutes', () => {
    const { fail, refusal, advance, now } = setup();
    for (let i = 0; i < 5; i++) fail('a');
    const first = refusal('a');
    const clock = new Date(now() + 30_000).toTimeString().slice(0, 8);
    expect(first).toMatchObject({ code: 'THROTTLED', message: `Too many wrong passwords for this name. Try again in 30 seconds (at ${clock}).`, details: { retryAfterSeconds: 30 } });
    expect(Date.parse(first!.details.retryAt)).toBe(now() + 30_000);
    advance(29_999);
    expect(refusal('a')).not.toBeNull();
    advance(1);
    expect(refusal('a')).toBeNull();
    const lockouts: number[] = [];
    for (let i = 0; i < 8; i++) {
      fail('a');
      lockouts.push(refusal('a')!.details.retryAfterSeconds);
      advance(lockouts.at(-1)! * 1000);
    }
    expect(lockouts).toEqual([60, 120, 240, 480, 900, 900, 900, 900]);
    expect(refusal('a', 'name')).toBeNull();
  });

  it('says minutes for long waits', () => {
    const { fail, refusal, advance } = setup();
    for (let i = 0; i < 5; i++) fail('a');
    for (const wait of [30, 60]) {
      advance(wait * 1000);
      fail('a');
    }
    expect(refusal('a')!.message).toMatch(/^Too many wrong passwords for this name\. Try again in 2 minutes \(at \d\d:\d\d\)\.$/);
  });

  it('clears a name on the right password, and keeps names apart', () => {
    const { guard, fail, refusal } = setup();
    for (let i = 0; i < 4; i++) fail('a');
    guard.begin('a', 'name').succeeded();
    for (let i = 0; i < 4; i++) fail('a');
    expect(refusal('a')).toBeNull();
    for (let i = 0; i < 5; i++) fail('b');
    expect(refusal('b')).not.toBeNull();
    expect(refusal('a')).toBeNull();
  });

  it('counts attempts in flight, so parallel guesses cannot exceed the free ones', () => {
    const { guard, refusal } = setup();
    const inFlight = Array.from({ length: 5 }, () => guard.begin('a', 'name'));
    expect(refusal('a')).toMatchObject({ code: 'THROTTLED', message: expect.stringMatching(/^Too many sign-in attempts for this name at once\. Try again in 5 seconds \(at \d\d:\d\d:\d\d\)\.$/) });
    for (const a of inFlight) a.failed();
    expect(refusal('a')!.message).toMatch(/Too many wrong passwords for this name/);
  });

  it('after the free attempts, lets one guess at a time through when a refusal period ends', () => {
    const { guard, fail, refusal, advance } = setup();
    for (let i = 0; i < 5; i++) fail('a');
    advance(30_000);
    const one = guard.begin('a', 'name');
    expect(refusal('a')).not.toBeNull();
    one.succeeded();
    expect(refusal('a')).toBeNull();
  });

  it('throttles the whole workstation when too many wrong passwords arrive across names, until the window drains', () => {
    const { fail, refusal, advance } = setup();
    for (let i = 0; i < 30; i++) {
      fail(`name-${i}`);
      advance(1000);
    }
    // 30 failures within the last 60 s: everyone waits until the oldest ages out.
    const r = refusal('fresh name');
    expect(r).toMatchObject({ code: 'THROTTLED', message: expect.stringMatching(/^Too many wrong passwords on this workstation\. Try again in 30 seconds/) });
    advance(30_000);
    expect(refusal('fresh name')).toBeNull();
  });

  it('an abandoned attempt (neither right nor wrong) does not count', () => {
    const { guard, refusal } = setup();
    for (let i = 0; i < 10; i++) guard.begin('a', 'name').abandoned();
    expect(refusal('a')).toBeNull();
  });

  it('says "account" for unlock', () => {
    const { guard, refusal } = setup();
    for (let i = 0; i < 5; i++) guard.begin('acct', 'account').failed();
    expect(refusal('acct', 'account')!.message).toMatch(/^Too many wrong passwords for this account\. Try again in 30 seconds/);
  });

  it('remembers a bounded number of names', () => {
    const { fail, refusal } = setup({ ...policy, maxTracked: 3, globalFailures: 1000 });
    for (let i = 0; i < 5; i++) fail('old');
    for (const k of ['n1', 'n2', 'n3']) fail(k);
    expect(refusal('old')).toBeNull();
  });
});
