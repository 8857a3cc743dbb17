import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/core';
import type { WardCore } from '../../../electron/core/shellContract';
import { admin, Caller, removeDir, startCore, tempDir } from '../../support/tempCore';

describe('identity through the API (real ganache ward chain)', () => {
  let dir: string;
  let core: WardCore;
  let anon: Caller;
  let it_: Caller;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    anon = new Caller(core);
    it_ = new Caller(core);
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('reports an uninitialised ward, then sets it up with its IT admin', async () => {
    expect((await anon.ok('ward/status', {})).initialized).toBe(false);
    await expect(anon.fails('session/login', { name: admin.name, password: admin.password })).resolves.toMatchObject({ code: 'CONFLICT' });
    const { address } = await anon.ok('ward/setup', admin);
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const status = await anon.ok('ward/status', {});
    expect(status).toMatchObject({ initialized: true, wardName: admin.wardName });
    expect(status.registryAddress).toMatch(/^0x/);
    await expect(anon.fails('ward/setup', admin)).resolves.toMatchObject({ code: 'CONFLICT' });
    await it_.login(admin.name, admin.password);
  });

  it('keeps a doctor pending until an IT admin approves, then logs the doctor in', async () => {
    const reg = await anon.ok('identity/register', { role: 'doctor', name: 'Grace Hopper', age: 52, password: 'doctor-password' });
    expect(reg.status).toBe('pending');
    await expect(anon.fails('session/login', { name: 'Grace Hopper', password: 'doctor-password' })).resolves.toMatchObject({
      code: 'PENDING_APPROVAL',
    });
    const pending = await it_.ok('admin/pending', {});
    expect(pending).toEqual([expect.objectContaining({ address: reg.address, name: 'Grace Hopper', age: 52, role: 'doctor' })]);
    await expect(it_.ok('admin/approve', { address: reg.address })).resolves.toEqual({ address: reg.address, status: 'approved' });
    expect(await it_.ok('admin/pending', {})).toEqual([]);

    const doctor = new Caller(core);
    await doctor.login('grace hopper', 'doctor-password'); // names match case-insensitively
    const home = await doctor.ok('doctor/home', {});
    expect(home.me).toMatchObject({ name: 'Grace Hopper', age: 52, role: 'doctor', status: 'approved', address: reg.address });
    expect(home.wardName).toBe(admin.wardName);
    expect(home.patients).toEqual([]);
  });

  it('activates patients at once', async () => {
    const reg = await anon.ok('identity/register', { role: 'patient', name: 'Pat Patient', age: 67, password: 'patient-password' });
    expect(reg.status).toBe('approved');
    const p = new Caller(core);
    await p.login('Pat Patient', 'patient-password');
    expect((await p.ok('patient/home', {})).me).toMatchObject({ name: 'Pat Patient', age: 67, role: 'patient' });
  });

  it('rejects a registration and refuses that login', async () => {
    const reg = await anon.ok('identity/register', { role: 'nurse', name: 'Rejected Nurse', age: 30, password: 'nurse-password' });
    await expect(it_.ok('admin/reject', { address: reg.address })).resolves.toMatchObject({ status: 'rejected' });
    await expect(anon.fails('session/login', { name: 'Rejected Nurse', password: 'nurse-password' })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(it_.fails('admin/approve', { address: reg.address })).resolves.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const wrong = await anon.fails('session/login', { name: 'Pat Patient', password: 'not-the-password' });
    const unknown = await anon.fails('session/login', { name: 'Nobody Here', password: 'not-the-password' });
    expect(wrong).toEqual({ code: 'WRONG_PASSWORD', message: 'Name or password is incorrect.' });
    expect(unknown).toEqual(wrong);
  });

  it('refuses a duplicate registration by name', async () => {
    const e = await anon.fails('identity/register', { role: 'patient', name: '  PAT   patient ', age: 20, password: 'another-password' });
    expect(e.code).toBe('CONFLICT');
    expect(e.details).toMatchObject({ fields: { name: expect.any(String) } });
  });

  const base = { role: 'patient', name: 'Valid Name', age: 30, password: 'valid-password' };
  it.each([
    ['empty name', { ...base, name: '' }, 'name', /required/i],
    ['blank name', { ...base, name: '   ' }, 'name', /required/i],
    ['500-character name', { ...base, name: 'x'.repeat(500) }, 'name', /at most 100/],
    ['age -1', { ...base, age: -1 }, 'age', /between 0 and 130/],
    ['age 131', { ...base, age: 131 }, 'age', /between 0 and 130/],
    ['age 2.5', { ...base, age: 2.5 }, 'age', /whole number/],
    ['age "ten"', { ...base, age: 'ten' }, 'age', /whole number/],
    ['missing age', { role: 'patient', name: 'X', password: 'valid-password' }, 'age', /whole number/],
    ['unknown role', { ...base, role: 'surgeon' }, 'role', /role/i],
    ['short password', { ...base, password: 'short' }, 'password', /at least 8/],
    ['extra field', { ...base, isAdmin: true }, '_', /Unexpected field/],
  ])('rejects %s with a clear per-field message', async (_label, input, field, message) => {
    const e = await anon.fails('identity/register', input);
    expect(e.code).toBe('BAD_INPUT');
    expect((e.details as { fields: Record<string, string> }).fields[field]).toMatch(message);
  });

  it('rejects unknown operations and non-object input', async () => {
    await expect(anon.fails('records/deleteEverything', {})).resolves.toMatchObject({ code: 'UNKNOWN_OPERATION' });
    await expect(anon.fails('__proto__', {})).resolves.toMatchObject({ code: 'UNKNOWN_OPERATION' });
    await expect(anon.fails('session/login', 'not an object')).resolves.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('refuses calls from roles that may not make them', async () => {
    const patient = new Caller(core);
    await patient.login('Pat Patient', 'patient-password');
    await expect(patient.fails('admin/pending', {})).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(patient.fails('doctor/home', {})).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(patient.fails('settings/update', { lockTimeoutSeconds: 60 })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(it_.fails('patient/home', {})).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(anon.fails('admin/approve', { address: '0x' + '1'.repeat(40) })).resolves.toMatchObject({ code: 'UNAUTHENTICATED' });
    const forged = new Caller(core);
    forged.token = 'made-up-token';
    await expect(forged.fails('doctor/home', {})).resolves.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('locks on demand, refuses work while locked, and unlocks only with the password', async () => {
    const patient = new Caller(core);
    await patient.login('Pat Patient', 'patient-password');
    const events: unknown[] = [];
    const off = core.subscribe(patient.channel, (e) => events.push(e));
    await patient.ok('session/lock', {});
    expect(events).toContainEqual({ type: 'session.locked', reason: 'manual' });
    await expect(patient.fails('patient/home', {})).resolves.toMatchObject({ code: 'LOCKED' });
    expect((await patient.ok('session/me', {})).locked).toBe(true);
    await expect(patient.fails('session/unlock', { password: 'wrong-password' })).resolves.toMatchObject({ code: 'WRONG_PASSWORD' });
    await patient.ok('session/unlock', { password: 'patient-password' });
    expect((await patient.ok('patient/home', {})).me.name).toBe('Pat Patient');
    await patient.ok('session/logout', {});
    await expect(patient.fails('patient/home', {})).resolves.toMatchObject({ code: 'UNAUTHENTICATED' });
    off();
  });

  it('lets an IT admin configure the inactivity lock within bounds', async () => {
    await it_.ok('settings/update', { lockTimeoutSeconds: 15 });
    await expect(it_.fails('settings/update', { lockTimeoutSeconds: 5 })).resolves.toMatchObject({ code: 'BAD_INPUT' });
    expect((await anon.ok('ward/status', {})).lockTimeoutSeconds).toBe(15);
    await it_.ok('settings/update', { lockTimeoutSeconds: 300 });
  });

  it('reports when the key is unlocked', async () => {
    const c = new Caller(core);
    const progress: number[] = [];
    const off = core.subscribe(c.channel, (e) => e.type === 'progress' && e.operation === 'session/login' && progress.push(e.fraction));
    await c.login('Pat Patient', 'patient-password');
    off();
    expect(progress.at(-1)).toBe(1);
  });

  it('refuses a second instance on the same data directory with a clear message', async () => {
    const second = createCore({ dataDir: dir });
    await expect(second.start()).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining('already using the data directory') });
  });

  it('keeps everything across a restart on the same data directory', async () => {
    await core.stop();
    core = await startCore(dir);
    const c = new Caller(core);
    const status = await c.ok('ward/status', {});
    expect(status).toMatchObject({ initialized: true, wardName: admin.wardName });
    expect(status.blockNumber).toBeGreaterThan(3);
    await c.login('Grace Hopper', 'doctor-password');
    expect((await c.ok('doctor/home', {})).me.name).toBe('Grace Hopper');
    it_ = new Caller(core);
    await it_.login(admin.name, admin.password);
    const members = await it_.ok('admin/members', {});
    expect(members.map((m) => [m.name, m.status])).toEqual(
      expect.arrayContaining([
        ['Ada Admin', 'approved'],
        ['Grace Hopper', 'approved'],
        ['Pat Patient', 'approved'],
        ['Rejected Nurse', 'rejected'],
      ]),
    );
  });
});
