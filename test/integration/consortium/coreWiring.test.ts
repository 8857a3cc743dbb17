/**
 * The consortium in the running core (records/consortiumSync.ts wired by graph.ts and core.ts):
 * the IT admin's settings are checked against the node on save, the engine starts from them, a
 * nurse's vitals set is published with her credential (signed at login), the record view carries
 * the consortium badge, an outage is a state of the console (the ward keeps working), and the
 * engine starts again with the core. A real core (embedded ganache) and anvil behind the Besu
 * proxy, 1 s blocks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWard } from '../../../electron/core/consortium/admin';
import { wardCardFromDataDir } from '../../../electron/core/consortium/syncAccount';
import type { WardCore } from '../../../electron/core/shellContract';
import { startConsortium, type TestConsortium } from '../../support/consortiumChain';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

const SLOW = 300_000;
const engine = { idleMs: 300, failureRetryMs: 300, pollMs: 100, requestTimeoutMs: 2000 };

describe('the consortium in the running core', () => {
  let c: TestConsortium;
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  const settings = () => ({ url: c.proxy.url, ledger: c.ledger, chainId: c.context.chainId, confirmations: 1 });

  beforeAll(async () => {
    c = await startConsortium({ blockTime: 1 });
    dir = tempDir();
    core = await startCore(dir, { consortiumEngine: engine });
    w = await staffedWard(core);
  }, SLOW);
  afterAll(async () => {
    await core?.stop();
    await c?.close();
    if (dir) removeDir(dir);
  });

  it('checks the settings on save with a clear error for each way they can be wrong', async () => {
    const it = w.itAdmin;
    const view = await it.ok('consortium/settings', {});
    expect(view).toMatchObject({ settings: null, wardName: 'Ward 7 North' });
    expect(view.account).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(await it.ok('consortium/status', {})).toMatchObject({ configured: false });

    // The node does not answer.
    c.proxy.setOffline(true);
    const down = await it.fails('consortium/configure', settings());
    c.proxy.setOffline(false);
    expect(down).toMatchObject({ code: 'CHAIN', details: { fields: { url: expect.any(String) } } });
    expect(down.message).toContain('does not answer');
    // Another chain.
    const chain = await it.fails('consortium/configure', { ...settings(), chainId: c.context.chainId + 1 });
    expect(chain).toMatchObject({ code: 'BAD_INPUT', details: { fields: { chainId: expect.any(String) } } });
    expect(chain.message).toContain(`runs chain ${c.context.chainId}`);
    // Nothing at the ledger address.
    const empty = await it.fails('consortium/configure', { ...settings(), ledger: '0x' + '12'.repeat(20) });
    expect(empty).toMatchObject({ code: 'BAD_INPUT', details: { fields: { ledger: expect.any(String) } } });
    expect(empty.message).toContain('no contract');
    // A contract that is not a consortium ledger (the directory).
    const notLedger = await it.fails('consortium/configure', { ...settings(), ledger: c.directory });
    expect(notLedger).toMatchObject({ details: { fields: { ledger: expect.any(String) } } });
    // This ward is not a member yet.
    const stranger = await it.fails('consortium/configure', settings());
    expect(stranger).toMatchObject({ code: 'CONFLICT', details: { fields: { account: expect.any(String) } } });
    expect(stranger.message).toContain(view.account);
    // Only the IT admin.
    expect(await w.callers.nurse.fails('consortium/configure', settings())).toMatchObject({ code: 'FORBIDDEN' });
    expect((await it.ok('consortium/settings', {})).settings).toBeNull();

    // The consortium admin adds the ward from its card; now the settings are saved.
    const card = wardCardFromDataDir(dir);
    expect(card.account).toBe(view.account);
    await addWard(c.client(c.admin.privateKey, join(c.dir, 'admin')), card);
    const saved = await it.ok('consortium/configure', settings());
    expect(saved.settings).toEqual(settings());
  }, SLOW);

  it('publishes a nurse\'s vitals with the credential she signed at login, and the record view shows the badge', async () => {
    // Written before the nurse logged in since the settings were saved: no credential yet.
    const early = await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '6', responsibleDoctor: w.addresses.doctor }).then(() =>
      w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse: 71, spo2: 97 }, missingReason: 'Spot check' }),
    );
    let status = await w.itAdmin.ok('consortium/syncNow', {});
    expect(status.held.map((h) => h.id)).toEqual([early.id]);
    expect(status.held[0]!.cause).toMatch(/credential/);

    // Her session stayed open across the setup: she unlocks it (her key is unlocked again), her
    // credential is signed once and the held record goes. (Logging in does the same: the e2e test.)
    const nurse = w.callers.nurse;
    await nurse.ok('session/lock', {});
    await nurse.ok('session/unlock', { password: w.people.nurse.password });
    const later = await nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse: 74, spo2: 96 }, missingReason: 'Spot check' });
    status = await w.itAdmin.ok('consortium/syncNow', {});
    expect(status.errors).toEqual([]);
    expect(status).toMatchObject({ configured: true, connection: { status: 'online' }, queue: 0, held: [], quarantine: [] });
    expect(status.history.reduce((n, h) => n + h.records, 0)).toBeGreaterThanOrEqual(2);
    expect(status.lastSuccess).toBeGreaterThan(0);

    const history = await w.callers.doctor.ok('records/history', { patient: w.addresses.patient });
    for (const id of [early.id, later.id]) {
      const r = history.records.find((x) => x.id === id)!;
      expect(r.provenance.consortium).toMatchObject({ included: true, rootOnChain: true, from: null });
      expect(status.history.map((h) => h.batchId)).toContain(r.provenance.consortium!.batchId);
    }
  }, SLOW);

  it('is offline while the node is down (the ward keeps working), and publishes when it is back', async () => {
    c.proxy.setOffline(true);
    const during = await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse: 80, spo2: 95 }, missingReason: 'Spot check' });
    let status = await w.itAdmin.ok('consortium/syncNow', {});
    expect(status.connection.status).toBe('offline');
    expect(status.queue).toBe(1);
    const history = await w.callers.doctor.ok('records/history', { patient: w.addresses.patient });
    expect(history.records.find((r) => r.id === during.id)!.provenance.consortium).toBeUndefined();
    c.proxy.setOffline(false);
    status = await w.itAdmin.ok('consortium/syncNow', {});
    expect(status).toMatchObject({ connection: { status: 'online' }, queue: 0 });
  }, SLOW);

  it('pauses and resumes, and starts again with the core from its settings', async () => {
    expect((await w.itAdmin.ok('consortium/pause', {})).paused).toBe(true);
    expect((await w.itAdmin.ok('consortium/resume', {})).paused).toBe(false);
    await core.stop();
    core = await startCore(dir, { consortiumEngine: engine });
    const it = new Caller(core);
    await it.login('Ada Admin', 'admin-password-1');
    expect((await it.ok('consortium/settings', {})).settings).toEqual(settings());
    const status = await it.ok('consortium/syncNow', {});
    expect(status).toMatchObject({ configured: true, connection: { status: 'online' }, queue: 0 });
    expect(status.history.length).toBeGreaterThanOrEqual(2);
    // Older pages (the console's "Show older batches"): from above the newest, the same batches; a made-up cursor is refused.
    expect(status.olderHistory).toBeNull(); // fewer than a page
    expect((await it.ok('consortium/batches', { before: 'history!999999999999' })).batches).toEqual(status.history);
    expect(await it.fails('consortium/batches', { before: 'held!0x01' })).toMatchObject({ code: 'BAD_INPUT' });
  }, SLOW);

  it('starts the ward even when its consortium settings are damaged, and says so in the console', async () => {
    await core.stop();
    writeFileSync(join(dir, 'consortium.json'), '{"url": ');
    core = await startCore(dir, { consortiumEngine: engine });
    const it = new Caller(core);
    await it.login('Ada Admin', 'admin-password-1');
    const status = await it.ok('consortium/status', {});
    expect(status.errors[0]).toMatchObject({ code: 'INTEGRITY', cause: expect.stringContaining('consortium.json') });
    expect(await it.fails('consortium/syncNow', {})).toMatchObject({ code: 'INTEGRITY' });
    expect((await it.ok('consortium/settings', {})).settings).toBeNull();
    // Saving the settings again mends it.
    await it.ok('consortium/configure', settings());
    expect(await it.ok('consortium/syncNow', {})).toMatchObject({ configured: true, errors: [], connection: { status: 'online' } });
  }, SLOW);
});
