/**
 * Issue 9 item 4 with a real crash: `wardledger serve` is killed with SIGKILL right after the
 * ward-chain transaction of a grant, a revoke or an approval was mined and before its local write
 * (WARDLEDGER_FAILPOINT, platform/failpoint.ts: the process kills itself there, nothing flushed).
 * The next start settles each from the chain: the grantee reads, the revoked insurer is refused,
 * the approved doctor logs in with the care team key — and a retry answers truthfully.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { serveChild } from '../../support/serveChild';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

type People = Awaited<ReturnType<typeof staffedWard>>['people'];

/** Start the core once the killed process's data-directory lock has gone stale. */
async function startAfterCrash(dir: string): Promise<WardCore> {
  const end = Date.now() + 60_000;
  for (;;) {
    try {
      return await startCore(dir);
    } catch (e) {
      if ((e as { code?: string }).code !== 'DATA_DIR_LOCKED' || Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function as(core: WardCore, p: { name: string; password: string }): Promise<Caller> {
  const c = new Caller(core);
  await c.login(p.name, p.password);
  return c;
}

describe('kill -9 of wardledger serve between a chain transaction and its local write', () => {
  let dir: string;
  let people: People;
  let addresses: Record<keyof People, string>;
  let pendingDoctor: string;
  const admin = { name: 'Ada Admin', password: 'admin-password-1' };
  const newDoctor = { name: 'Doctor Crash', password: 'new-doctor-password' };

  beforeAll(async () => {
    dir = tempDir();
    const core = await startCore(dir);
    const w = await staffedWard(core);
    people = w.people;
    addresses = w.addresses;
    await w.callers.nurse.ok('ward/admit', { patient: addresses.patient, bed: '1', responsibleDoctor: addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals: { pulse: 66, supplementalOxygen: false }, missingReason: 'Spot check' });
    pendingDoctor = (await w.anon.ok('identity/register', { role: 'doctor', ...newDoctor, age: 39 })).address;
    await core.stop();
  });
  afterAll(() => removeDir(dir));

  /** Run one call in a serve process that dies at `failpoint`; the call never gets an answer. */
  async function crashDuring(failpoint: string, who: { name: string; password: string }, operation: string, input: unknown): Promise<void> {
    const serve = await serveChild(dir, { WARDLEDGER_FAILPOINT: failpoint });
    try {
      const token = await serve.login(who.name, who.password);
      await expect(serve.call(operation, input, token)).rejects.toThrow();
      expect(await serve.exited).toEqual({ code: null, signal: 'SIGKILL' });
    } finally {
      await serve.stop();
    }
  }

  it('a grant: after the restart the grantee reads, and a retry says the consent is in force', async () => {
    await crashDuring('consent.grant.sent', people.patient, 'consent/grant', { grantee: addresses.insurer });
    const core = await startAfterCrash(dir);
    try {
      const insurer = await as(core, people.insurer);
      expect((await insurer.ok('records/history', { patient: addresses.patient })).records.map((r) => r.content?.vitals?.pulse)).toEqual([66]);
      const patient = await as(core, people.patient);
      expect((await patient.ok('consent/list', {})).grants).toEqual([expect.objectContaining({ grantee: expect.objectContaining({ address: addresses.insurer }), revokedAt: null })]);
      await expect(patient.fails('consent/grant', { grantee: addresses.insurer })).resolves.toMatchObject({ code: 'CONFLICT', message: 'That person can already read your record.' });
      // Once the patient has been here, the insurer sees the name (the profile needed the patient's key).
      expect((await insurer.ok('records/myPatients', {})).map((p) => p.name)).toEqual(['Pat Patient']);
    } finally {
      await core.stop();
    }
  });

  it('a revoke: after the restart the insurer is refused, and a retry says there is nothing to revoke', async () => {
    await crashDuring('consent.revoke.sent', people.patient, 'consent/revoke', { grantee: addresses.insurer });
    const core = await startAfterCrash(dir);
    try {
      const insurer = await as(core, people.insurer);
      await expect(insurer.fails('records/history', { patient: addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
      const patient = await as(core, people.patient);
      expect((await patient.ok('consent/list', {})).grants[0]!.revokedAt).not.toBeNull();
      await expect(patient.fails('consent/revoke', { grantee: addresses.insurer })).resolves.toMatchObject({ code: 'CONFLICT', message: 'That person has no access to revoke.' });
    } finally {
      await core.stop();
    }
  });

  it('an approval: after the restart the doctor logs in with the care team key', async () => {
    await crashDuring('approval.sent', admin, 'admin/approve', { address: pendingDoctor });
    const core = await startAfterCrash(dir);
    try {
      const doctor = await as(core, newDoctor);
      expect((await doctor.ok('session/me', {})).profile).toMatchObject({ role: 'doctor', status: 'approved' });
      // The care team key works: with consent he reads like any doctor.
      const patient = await as(core, people.patient);
      await patient.ok('consent/grant', { grantee: pendingDoctor });
      expect((await doctor.ok('records/history', { patient: addresses.patient })).records).toHaveLength(1);
      const itAdmin = await as(core, admin);
      await expect(itAdmin.fails('admin/approve', { address: pendingDoctor })).resolves.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await core.stop();
    }
  });
});
