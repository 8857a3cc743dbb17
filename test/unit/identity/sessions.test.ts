import { ethers } from 'ethers';
import { describe, expect, it } from 'vitest';
import type { WardEvent } from '../../../electron/core/model/events';
import { EventHub } from '../../../electron/core/platform/eventHub';
import { SessionManager } from '../../../electron/core/identity/sessions';

const profile = { address: '', name: 'N', age: 40, role: 'nurse' as const, status: 'approved' as const };

function setup(timeoutSeconds: number) {
  let now = 1_000_000;
  const events = new EventHub();
  const seen: WardEvent[] = [];
  events.subscribe('window-1', (e) => seen.push(e));
  const sessions = new SessionManager(events, () => timeoutSeconds, () => now);
  const wallet = ethers.Wallet.createRandom();
  const w = new ethers.Wallet(wallet.privateKey);
  const session = sessions.create('window-1', { ...profile, address: w.address }, w);
  return { sessions, session, seen, advance: (ms: number) => (now += ms), w };
}

describe('inactivity lock', () => {
  it('locks after the timeout, drops the key, and tells only that window', () => {
    const { sessions, session, seen, advance } = setup(300);
    advance(299_000);
    sessions.lockIdle();
    expect(session.locked).toBe(false);
    advance(1_000);
    sessions.lockIdle();
    expect(session.locked).toBe(true);
    expect(session.wallet).toBeNull();
    expect(seen).toEqual([{ type: 'session.locked', reason: 'inactivity' }]);
    expect(() => sessions.walletOf(session)).toThrow(expect.objectContaining({ code: 'LOCKED' }));
    sessions.lockIdle();
    expect(seen).toHaveLength(1); // locking twice does not repeat the event
  });

  it('activity postpones the lock', () => {
    const { sessions, session, advance } = setup(60);
    advance(59_000);
    sessions.touch(session);
    advance(59_000);
    sessions.lockIdle();
    expect(session.locked).toBe(false);
    expect(sessions.locksAt(session).getTime()).toBe(1_000_000 + 59_000 + 60_000);
  });

  it('unlocks only for the same account', () => {
    const { sessions, session, w } = setup(60);
    sessions.lock(session, 'manual');
    const other = new ethers.Wallet(ethers.Wallet.createRandom().privateKey);
    expect(() => sessions.unlock(session, other)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    sessions.unlock(session, w);
    expect(sessions.walletOf(session).address).toBe(w.address);
  });

  it('gives background work the acting person only while the session is open and unlocked', () => {
    const { sessions, session, w } = setup(60);
    expect(sessions.activeActorOf(session)?.address).toBe(w.address);
    sessions.lock(session, 'manual');
    expect(sessions.activeActorOf(session)).toBeNull();
    sessions.unlock(session, w);
    expect(sessions.activeActorOf(session)?.wallet.address).toBe(w.address);
    sessions.end(session);
    expect(sessions.activeActorOf(session)).toBeNull();
  });
});
