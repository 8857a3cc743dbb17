/**
 * Issue 9 item 4: grant, revoke, approve and care changes send a ward-chain transaction, then write
 * locally. A failure injected between the two steps (platform/failpoint.ts) leaves the chain
 * changed and the local state not; a retry and a restart must both bring the local state to what
 * the chain says. Before the fix: a revoke retry said "no access to revoke" while the insurer still
 * read, a grant retry "can already read" while the grantee was refused, and an approved doctor was
 * refused and could not be approved again. (The same with a real kill -9 of `wardledger serve`:
 * test/integration/cli/crashAfterChainTx.test.ts.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { armFailpoint } from '../../../electron/core/platform/failpoint';
import type { WardCore } from '../../../electron/core/shellContract';
import { openInternals } from '../../support/pipelineInternals';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

/** The injected failure: the step after the transaction throws, as a crash there would stop it. */
function failAfter(point: string): () => void {
  return armFailpoint(point, () => {
    throw new Error(`injected failure at ${point}`);
  });
}

describe('local state follows the chain after a failure between the transaction and the local write', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let disarm: (() => void) | null = null;

  const relogin = async (who: keyof typeof w.people): Promise<Caller> => {
    const c = new Caller(core);
    await c.login(w.people[who].name, w.people[who].password);
    w.callers[who] = c;
    return c;
  };
  const restart = async () => {
    await core.stop();
    core = await startCore(dir);
    for (const who of Object.keys(w.people) as Array<keyof typeof w.people>) await relogin(who);
    w.anon = new Caller(core);
    w.itAdmin = new Caller(core);
    await w.itAdmin.login('Ada Admin', 'admin-password-1');
  };
  const pendingIntents = () => {
    const path = join(dir, 'chain-intents.json');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { intents: Array<{ kind: string }> }).intents.map((i) => i.kind) : [];
  };

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '1', responsibleDoctor: w.addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse: 77, supplementalOxygen: false }, missingReason: 'Spot check' });
  });
  afterEach(() => {
    disarm?.();
    disarm = null;
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('grant: the retry finishes the grant the chain took, and the grantee reads', async () => {
    disarm = failAfter('consent.grant.sent');
    await expect(w.callers.patient.fails('consent/grant', { grantee: w.addresses.insurer })).resolves.toMatchObject({ code: 'INTERNAL' });
    disarm();
    expect(pendingIntents()).toEqual(['consent.grant']);
    // In the window the insurer is refused although the chain has the consent ...
    await expect(w.callers.insurer.fails('records/history', { patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    // ... and the retry does not say "can already read": it finishes the grant.
    const retry = await w.callers.patient.ok('consent/grant', { grantee: w.addresses.insurer });
    expect(retry.grant).toMatchObject({ grantee: { address: w.addresses.insurer }, revokedAt: null });
    expect((await w.callers.insurer.ok('records/history', { patient: w.addresses.patient })).records.map((r) => r.content?.vitals?.pulse)).toEqual([77]);
    expect(pendingIntents()).toEqual([]);
    // Now the consent is in force both here and on the chain: a third grant is refused, truthfully.
    await expect(w.callers.patient.fails('consent/grant', { grantee: w.addresses.insurer })).resolves.toMatchObject({ code: 'CONFLICT' });
  });

  it('revoke: the retry finishes the revoke the chain took, and the grantee is refused', async () => {
    disarm = failAfter('consent.revoke.sent');
    await expect(w.callers.patient.fails('consent/revoke', { grantee: w.addresses.insurer })).resolves.toMatchObject({ code: 'INTERNAL' });
    disarm();
    const retry = await w.callers.patient.ok('consent/revoke', { grantee: w.addresses.insurer });
    expect(retry.grant.revokedAt).not.toBeNull();
    await expect(w.callers.insurer.fails('records/history', { patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    expect((await w.callers.patient.ok('consent/list', {})).grants.find((g) => g.grantee.address === w.addresses.insurer)?.revokedAt).not.toBeNull();
    await expect(w.callers.patient.fails('consent/revoke', { grantee: w.addresses.insurer })).resolves.toMatchObject({ code: 'CONFLICT' });
  });

  it('grant and revoke: a restart settles them from the chain', async () => {
    disarm = failAfter('consent.grant.sent');
    await w.callers.patient.fails('consent/grant', { grantee: w.addresses.otherDoctor });
    disarm();
    await restart();
    expect(pendingIntents()).toEqual(['consent.profile']); // the profile waits for the patient's key
    const other = new Caller(core);
    await other.login(w.people.otherDoctor.name, w.people.otherDoctor.password);
    expect((await other.ok('records/history', { patient: w.addresses.patient })).breakGlass).toBe(false);
    // The patient's next visit shares the profile: the grantee sees the name, not a pseudonym.
    await w.callers.patient.ok('consent/list', {});
    expect(pendingIntents()).toEqual([]);
    expect((await other.ok('records/myPatients', {})).map((p) => p.name)).toContain('Pat Patient');

    disarm = failAfter('consent.revoke.sent');
    await w.callers.patient.fails('consent/revoke', { grantee: w.addresses.otherDoctor });
    disarm();
    await restart();
    expect(pendingIntents()).toEqual([]);
    const again = new Caller(core);
    await again.login(w.people.otherDoctor.name, w.people.otherDoctor.password);
    await expect(again.fails('records/history', { patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a consent changed on the chain with no local trace (an earlier version crashed there): the retry follows the chain', async () => {
    const onChainOnly = async (change: 'grant' | 'revoke') => {
      await core.stop();
      const g = await openInternals(dir);
      try {
        const patient = await g.actor(w.people.patient.name, w.people.patient.password);
        await g.contracts()[change](patient.wallet.connect(g.node.provider), w.addresses.insurer);
      } finally {
        await g.close();
      }
      await restart();
    };
    await onChainOnly('grant');
    await expect(w.callers.insurer.fails('records/history', { patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    expect((await w.callers.patient.ok('consent/grant', { grantee: w.addresses.insurer })).grant.revokedAt).toBeNull();
    await w.callers.insurer.ok('records/history', { patient: w.addresses.patient });

    await onChainOnly('revoke');
    // The start's check of the store against the chain (issue 9 item 5, records/chainCheck.ts) has
    // revoked it here too: the insurer is refused at once, and the patient's sharing page says so.
    await expect(w.callers.insurer.fails('records/history', { patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    const shared = (await w.callers.patient.ok('consent/list', {})).grants.find((g) => g.grantee.address === w.addresses.insurer);
    expect(shared?.revokedAt).not.toBeNull();
  });

  it('approve: the approved doctor gets the care team key on retry and after a restart', async () => {
    const register = async (name: string) => (await w.anon.ok('identity/register', { role: 'doctor', name, age: 40, password: 'new-doctor-password' })).address;
    const canLogIn = async (name: string) => {
      const r = await new Caller(core).raw('session/login', { name, password: 'new-doctor-password' });
      return r.ok ? 'ok' : r.error.code;
    };
    const first = await register('Doctor Retry');
    disarm = failAfter('approval.sent');
    await expect(w.itAdmin.fails('admin/approve', { address: first })).resolves.toMatchObject({ code: 'INTERNAL' });
    disarm();
    // In the window the chain has approved him, but he holds no care team key.
    expect(await canLogIn('Doctor Retry')).toBe('FORBIDDEN');
    expect(await w.itAdmin.ok('admin/approve', { address: first })).toEqual({ address: first, status: 'approved' });
    expect(await canLogIn('Doctor Retry')).toBe('ok');

    const second = await register('Doctor Restart');
    disarm = failAfter('approval.sent');
    await w.itAdmin.fails('admin/approve', { address: second });
    disarm();
    await restart();
    expect(await canLogIn('Doctor Restart')).toBe('ok');
    await expect(w.itAdmin.fails('admin/approve', { address: second })).resolves.toMatchObject({ code: 'CONFLICT' });
    expect(pendingIntents()).toEqual([]);

    // Approved on the chain with no local trace at all: "approve" again hands the key over.
    const third = await register('Doctor Elsewhere');
    await core.stop();
    const g = await openInternals(dir);
    try {
      const admin = await g.actor('Ada Admin', 'admin-password-1');
      await g.identity.registry.approve(admin.wallet.connect(g.node.provider), third);
    } finally {
      await g.close();
    }
    await restart();
    expect(await canLogIn('Doctor Elsewhere')).toBe('FORBIDDEN');
    expect(await w.itAdmin.ok('admin/approve', { address: third })).toEqual({ address: third, status: 'approved' });
    expect(await canLogIn('Doctor Elsewhere')).toBe('ok');
  });

  it('care changes: an admission and a discharge the chain took are settled at restart and on retry', async () => {
    const p = (await w.anon.ok('identity/register', { role: 'patient', name: 'Care Crash', age: 70, password: 'patient-password' })).address;
    disarm = failAfter('care.sent');
    await expect(w.callers.nurse.fails('ward/admit', { patient: p, bed: '9' })).resolves.toMatchObject({ code: 'INTERNAL' });
    disarm();
    // The bed is held while the admission is unsettled: nobody else is put in it.
    const q = (await w.anon.ok('identity/register', { role: 'patient', name: 'Other Crash', age: 70, password: 'patient-password' })).address;
    await expect(w.callers.nurse.fails('ward/admit', { patient: q, bed: '9' })).resolves.toMatchObject({ code: 'CONFLICT' });
    await restart();
    expect((await w.callers.nurse.ok('ward/census', {})).find((r) => r.bed === '9')?.patient.address).toBe(p);

    disarm = failAfter('care.sent');
    await w.callers.nurse.fails('ward/discharge', { patient: p });
    disarm();
    expect(await w.callers.nurse.ok('ward/discharge', { patient: p })).toEqual({ discharged: true });
    expect((await w.callers.nurse.ok('ward/census', {})).some((r) => r.bed === '9')).toBe(false);
    const log = (await w.itAdmin.ok('audit/list', { patient: p })).entries;
    // Each once (the board showing the patient meanwhile is in the log as 'list').
    expect(log.map((e) => e.action).filter((a) => a !== 'list').sort()).toEqual(['admit', 'discharge']);
    expect(log.every((e) => /^0x[0-9a-f]{64}$/.test(e.wardTx))).toBe(true);
  });
});
