/**
 * What counts as activity for the inactivity lock: actions and session/touch (sent by the UI on
 * key and pointer input) do; reads a screen repeats by itself (polling the devices panel, the
 * ward board refresh) do not — otherwise an open screen would keep a walked-away session unlocked.
 */
import { ethers } from 'ethers';
import { describe, expect, it } from 'vitest';
import { operations } from '../../../electron/core/api/contract';
import { Router, type Handlers } from '../../../electron/core/api/router';
import { EventHub } from '../../../electron/core/platform/eventHub';
import { SessionManager } from '../../../electron/core/identity/sessions';

describe('inactivity and passive reads', () => {
  let now = 1_000_000;
  const sessions = new SessionManager(new EventHub(), () => 60, () => now);
  // Handlers answer trivially: this test is about the router's bookkeeping, not the operations.
  const handlers = new Proxy({}, { get: () => async () => ({}) }) as Handlers;
  const router = new Router(handlers, sessions, () => undefined);
  const w = new ethers.Wallet(ethers.Wallet.createRandom().privateKey);
  const s = sessions.create('c', { address: w.address, name: 'N', age: 30, role: 'nurse', status: 'approved' }, w, null);
  const call = (op: string, input: unknown = {}) => router.call({ sessionToken: s.token, channel: 'c' }, op, input);

  it('marks the polled reads passive', () => {
    for (const op of ['devices/list', 'ward/census', 'records/myPatients', 'doctor/home']) {
      expect((operations as Record<string, { passive?: boolean }>)[op]!.passive, op).toBe(true);
    }
    expect((operations as Record<string, { passive?: boolean }>)['records/addVitals']!.passive).toBeUndefined();
  });

  it('does not postpone the lock for passive reads, does for touch and actions', async () => {
    const start = s.lastActivity;
    now += 30_000;
    expect((await call('devices/list')).ok).toBe(true);
    expect((await call('ward/census')).ok).toBe(true);
    expect(s.lastActivity).toBe(start);
    await call('session/touch');
    expect(s.lastActivity).toBe(now);
    now += 30_000;
    await call('devices/dismiss', { readingIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(s.lastActivity).toBe(now);
    now += 61_000;
    await call('devices/list');
    sessions.lockIdle();
    expect(s.locked).toBe(true);
  });
});
