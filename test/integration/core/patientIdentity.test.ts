/**
 * Issue 11, "Identifying patients" and "Admitting", through the API on a real core and ganache:
 *  - a second "Peter Patient" can be admitted (patients are told apart by date of birth and
 *    hospital number, shown wherever they are listed); the hospital number is unique on the ward;
 *    staff names stay unique (they are the ward's directory);
 *  - date of birth and hospital number are sealed with the profile: neither is anywhere on disk in
 *    the clear (the chain's database included);
 *  - a profile from before (name and age only) still opens, with no date of birth;
 *  - admitting issues a one-time activation code: the patient's first login with it must choose a
 *    password, after which the code opens nothing and the password does;
 *  - break-glass names the patient before access is overridden, and a reload of the same record
 *    in the same session does not ask for a second reason (the read is audited again, as break-glass);
 *  - export files are named for the patient and the day;
 *  - the insurer's list gives the latest shared vitals' date.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('identifying patients and admitting with an activation code (real core, real ganache)', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let first: { address: string; activationCode: string };
  let second: { address: string; activationCode: string; warning?: string };

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    const a = await w.callers.nurse.ok('ward/registerAndAdmit', { name: 'Peter Patient', dob: '1955-03-14', hospitalNumber: 'RX100071', bed: '3', responsibleDoctor: w.addresses.doctor });
    first = { address: a.patient.address, activationCode: a.activationCode };
    const b = await w.callers.nurse.ok('ward/registerAndAdmit', { name: 'Peter Patient', dob: '1954-11-02', hospitalNumber: 'rx 100072', bed: '4', responsibleDoctor: w.addresses.doctor });
    second = { address: b.patient.address, activationCode: b.activationCode, ...(b.warning ? { warning: b.warning } : {}) };
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('admits a second patient of the same name, with a warning to check the identifiers', async () => {
    expect(second.address).not.toBe(first.address);
    expect(second.warning).toMatch(/same name.*date of birth and hospital number/s);
    const board = await w.callers.nurse.ok('ward/census', {});
    const peters = board.filter((r) => !r.restricted && r.patient.name === 'Peter Patient').map((r) => r.patient);
    expect(peters).toHaveLength(2);
    // Stored upper case without spaces; the age follows from the date of birth.
    expect(peters.map((p) => [p.dob, p.hospitalNumber])).toEqual([
      ['1955-03-14', 'RX100071'],
      ['1954-11-02', 'RX100072'],
    ]);
    const today = new Date();
    const expectedAge = today.getUTCFullYear() - 1955 - (today.getUTCMonth() < 2 || (today.getUTCMonth() === 2 && today.getUTCDate() < 14) ? 1 : 0);
    expect(peters[0]!.age).toBe(expectedAge);
  });

  it('refuses a hospital number already on the ward, however it is typed', async () => {
    const e = await w.callers.nurse.fails('ward/registerAndAdmit', { name: 'Paula Other', dob: '1970-01-01', hospitalNumber: 'rx-100071', bed: '5' });
    expect(e).toMatchObject({ code: 'CONFLICT', details: { fields: { hospitalNumber: expect.stringMatching(/already registered/) } } });
    expect((await w.callers.nurse.ok('ward/census', {})).some((r) => r.bed === '5')).toBe(false);
  });

  it('checks the hospital number and date of birth formats', async () => {
    const bad = async (input: Record<string, string>) =>
      (await w.callers.nurse.fails('ward/registerAndAdmit', { name: 'Format Check', dob: '1970-01-01', hospitalNumber: 'FC123456', bed: '6', ...input })).details as { fields: Record<string, string> };
    expect((await bad({ hospitalNumber: 'AB12' })).fields.hospitalNumber).toMatch(/6 to 12 letters and digits/);
    expect((await bad({ hospitalNumber: 'ABCDEFG1' })).fields.hospitalNumber).toMatch(/at least 4 digits/);
    expect((await bad({ dob: '1970-02-30' })).fields.dob).toMatch(/not a real date/);
    expect((await bad({ dob: '2999-01-01' })).fields.dob).toMatch(/future/);
    expect((await bad({ dob: '14/03/1955' })).fields.dob).toMatch(/year, month, day/);
  });

  it('keeps staff names unique: a nurse cannot register under another staff member\'s name', async () => {
    const e = await w.anon.fails('identity/register', { role: 'nurse', name: 'Florence Nurse', age: 40, password: 'nurse-password-2' });
    expect(e).toMatchObject({ code: 'CONFLICT', details: { fields: { name: expect.stringMatching(/already registered/) } } });
  });

  it('keeps the date of birth and hospital number out of every file on disk', () => {
    const needles = ['1955-03-14', 'RX100071', '1954-11-02', 'RX100072', 'Peter Patient'];
    for (const file of filesUnder(dir)) {
      const bytes = readFileSync(file);
      for (const n of needles) {
        expect(bytes.includes(Buffer.from(n, 'utf8')), `${n} in ${file}`).toBe(false);
        expect(bytes.includes(Buffer.from(n, 'utf16le')), `${n} (UTF-16) in ${file}`).toBe(false);
      }
    }
  });

  it('still opens a profile registered with a name and age only (no date of birth recorded)', async () => {
    const own = await w.callers.patient.ok('records/history', { patient: w.addresses.patient });
    expect(own.patient).toMatchObject({ name: 'Pat Patient', age: 67, dob: null, hospitalNumber: null });
    const me = await w.callers.patient.ok('session/me', {});
    expect(me.profile).toMatchObject({ name: 'Pat Patient', age: 67, dob: null, hospitalNumber: null });
  });

  it('lets the patient in with the activation code only to choose a password, after which the code is spent', async () => {
    expect(first.activationCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    expect(second.activationCode).not.toBe(first.activationCode);
    const patient = new Caller(core);
    // The nurse never had a password to give: the code alone opens nothing yet.
    await expect(patient.fails('session/login', { name: 'RX100071', password: first.activationCode })).resolves.toMatchObject({ code: 'ACTIVATION_REQUIRED' });
    // A name is no login for a patient with a hospital number (two share it).
    await expect(patient.fails('session/login', { name: 'Peter Patient', password: first.activationCode })).resolves.toMatchObject({ code: 'WRONG_PASSWORD' });
    // As typed from paper: lower case, spaces instead of hyphens, O for 0.
    const typed = first.activationCode.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
    const s = await patient.ok('session/login', { name: 'rx100071', password: typed, newPassword: 'my-own-password' });
    expect(s.profile).toMatchObject({ address: first.address, name: 'Peter Patient', dob: '1955-03-14', hospitalNumber: 'RX100071', role: 'patient' });
    const again = new Caller(core);
    await expect(again.fails('session/login', { name: 'RX100071', password: first.activationCode, newPassword: 'another-password' })).resolves.toMatchObject({ code: 'WRONG_PASSWORD' });
    await again.login('RX100071', 'my-own-password');
    expect(again.token).toBeTruthy();
    // The other Peter's code is his alone.
    await expect(again.fails('session/login', { name: 'RX100071', password: second.activationCode })).resolves.toMatchObject({ code: 'WRONG_PASSWORD' });
  });

  it('names the patient in the break-glass refusal, and a reload reopens the record without a second reason', async () => {
    const other = w.callers.otherDoctor;
    const refused = await other.fails('records/history', { patient: first.address });
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      details: { breakGlassAvailable: true, patient: { address: first.address, name: 'Peter Patient', dob: '1955-03-14', hospitalNumber: 'RX100071' } },
    });
    const opened = await other.ok('records/history', { patient: first.address, breakGlassReason: 'Cardiac arrest call, bed 3' });
    expect(opened.breakGlass).toBe(true);
    const reloaded = await other.ok('records/history', { patient: first.address });
    expect(reloaded.breakGlass).toBe(true);
    // Only for that patient, and only in that session.
    await expect(other.fails('records/history', { patient: second.address })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    const fresh = new Caller(core);
    await fresh.login('Other Doctor', 'doctor-password-2');
    await expect(fresh.fails('records/history', { patient: first.address })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    // Each read is on the patient's access log as break-glass, with the reason.
    const patient = new Caller(core);
    await patient.login('RX100071', 'my-own-password');
    const log = (await patient.ok('audit/list', { patient: null })).entries;
    const glass = log.filter((e) => e.breakGlass && e.action === 'read');
    expect(glass).toHaveLength(2);
    expect(glass.every((e) => e.reason === 'Cardiac arrest call, bed 3')).toBe(true);
  });

  it('names an export file for the patient and the day, not a hash', async () => {
    await w.callers.nurse.ok('records/addVitals', { patient: first.address, vitals: { pulse: 72, supplementalOxygen: false }, missingReason: 'Pulse only: patient asleep' });
    const { filename } = await w.callers.doctor.ok('export/fhir', { patient: first.address });
    expect(filename).toBe(`Peter-Patient-RX100071-records-${new Date().toISOString().slice(0, 10)}.fhir.json`);
  });

  it('keeps the ward\'s glucose unit as a setting the IT admin chooses (mmol/L unless set)', async () => {
    expect((await w.anon.ok('ward/status', {})).glucoseUnit).toBe('mmol/L');
    expect((await w.itAdmin.ok('settings/update', { glucoseUnit: 'mg/dL' })).glucoseUnit).toBe('mg/dL');
    expect((await w.anon.ok('ward/status', {})).glucoseUnit).toBe('mg/dL');
    await expect(w.itAdmin.fails('settings/update', { glucoseUnit: 'mg/L' })).resolves.toMatchObject({ code: 'BAD_INPUT' });
    await expect(w.callers.nurse.fails('settings/update', { glucoseUnit: 'mmol/L' })).resolves.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('gives the insurer the date of the latest shared vitals', async () => {
    const patient = w.callers.patient;
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '1', responsibleDoctor: w.addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse: 80, supplementalOxygen: false }, missingReason: 'Pulse only: patient asleep' });
    await patient.ok('consent/grant', { grantee: w.addresses.insurer });
    const list = await w.callers.insurer.ok('records/myPatients', {});
    const row = list.find((p) => p.address === w.addresses.patient)!;
    expect(row.latestVitalsAt).not.toBeNull();
    expect(Date.now() - Date.parse(row.latestVitalsAt!)).toBeLessThan(120_000);
    expect(row).toMatchObject({ name: 'Pat Patient', dob: null, hospitalNumber: null });
  });
});
