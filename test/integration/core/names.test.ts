/**
 * Names through the API (issue 9, item 11): five patients could appear as "Peter Patient" (C1
 * controls, a right-to-left override, zero-width characters, fullwidth and Cyrillic letters).
 * Now invisible and direction-changing characters are refused, compatibility forms are folded
 * (NFKC) into the same name, and a look-alike (TR39 confusables) is refused for staff and comes
 * with a warning for patients.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { admin, Caller, removeDir, startCore, tempDir } from '../../support/tempCore';

const patient = (name: string) => ({ role: 'patient' as const, name, age: 50, password: 'patient-password' });

describe('names of people (real core, real ganache)', () => {
  let dir: string;
  let core: WardCore;
  let anon: Caller;
  let itAdmin: Caller;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    anon = new Caller(core);
    await anon.ok('ward/setup', admin);
    itAdmin = new Caller(core);
    await itAdmin.login(admin.name, admin.password);
    await anon.ok('identity/register', patient('Peter Patient'));
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('refuses the spoofed variants that used to register as separate "Peter Patient"s, each with a clear message', async () => {
    const variants: Array<[string, RegExp]> = [
      ['Peter\u0085Patient', /control characters/],
      ['Peter \u202Etneitap', /text-direction marks/],
      ['Peter\u200B Patient', /invisible characters/],
    ];
    for (const [name, message] of variants) {
      const e = await anon.fails('identity/register', patient(name));
      expect(e.code, JSON.stringify(name)).toBe('BAD_INPUT');
      expect((e.details as { fields: Record<string, string> }).fields.name).toMatch(message);
    }
    // Fullwidth letters fold (NFKC) into the same name, which is already registered.
    await expect(anon.fails('identity/register', patient('\uFF30eter \uFF30atient'))).resolves.toMatchObject({ code: 'CONFLICT' });
  });

  it('registers a patient whose name only looks the same, with a warning to tell them apart', async () => {
    const r = await anon.ok('identity/register', patient('P\u0435ter Patient')); // Cyrillic е
    expect(r.status).toBe('approved');
    expect(r.warning).toMatch(/Another account on this ward has a name that looks the same/);
    expect((await anon.ok('identity/register', patient('Petra Patient'))).warning).toBeUndefined();
  });

  it('warns as well when a nurse registers and admits such a patient', async () => {
    const nurse = { role: 'nurse' as const, name: 'Nina Nurse', age: 30, password: 'nurse-password' };
    await itAdmin.ok('admin/approve', { address: (await anon.ok('identity/register', nurse)).address });
    const n = new Caller(core);
    await n.login(nurse.name, nurse.password);
    const row = await n.ok('ward/registerAndAdmit', { name: '\u0420eter \u0420atient', age: 61, password: 'patient-password', bed: '9' }); // Cyrillic Р
    expect(row.warning).toMatch(/looks the same/);
    expect(row.bed).toBe('9');
  });

  it('refuses a staff name that looks like another staff member\'s', async () => {
    const doctor = { role: 'doctor' as const, name: 'Grace Hopper', age: 52, password: 'doctor-password' };
    await anon.ok('identity/register', doctor);
    const e = await anon.fails('identity/register', { ...doctor, name: 'Grace H\u043Epper' }); // Cyrillic о
    expect(e).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/looks the same as the name of another staff member/) });
    expect((e.details as { fields: Record<string, string> }).fields.name).toMatch(/another staff member/);
    // Greek capitals spelling the same letters.
    await expect(anon.fails('identity/register', { ...doctor, name: 'GRACE HO\u03A1\u03A1ER' })).resolves.toMatchObject({ code: 'CONFLICT' });
  });

  it('still finds an account registered under the earlier (NFC) name key, and brings its entry up to date at login', async () => {
    const name = '\uFF26ull Width'; // fullwidth F: NFKC "Full Width", NFC keeps it
    const { address } = await anon.ok('identity/register', patient(name));
    // Rewrite the entry as the earlier version wrote it: key of the NFC form, no look-alike keys.
    const ward = JSON.parse(readFileSync(join(dir, 'ward.json'), 'utf8'));
    const legacyKey = createHmac('sha256', Buffer.from(ward.nameIndexKey.slice(2), 'hex')).update(name.normalize('NFC').toLowerCase()).digest('hex');
    await core.stop();
    const usersPath = join(dir, 'users.json');
    const users = JSON.parse(readFileSync(usersPath, 'utf8'));
    const entry = users.entries.find((e: { address: string }) => e.address === address);
    entry.nameKey = legacyKey;
    delete entry.lookalikeKeys;
    writeFileSync(usersPath, JSON.stringify(users));
    core = await startCore(dir);
    anon = new Caller(core);

    // Found by its old key at login, then written with the current key and its look-alike keys.
    await new Caller(core).login(name, 'patient-password');
    const updated = JSON.parse(readFileSync(usersPath, 'utf8')).entries.find((e: { address: string }) => e.address === address);
    expect(updated.nameKey).not.toBe(legacyKey);
    expect(updated.lookalikeKeys).toHaveLength(3);
    await new Caller(core).login('Full Width', 'patient-password'); // the NFKC spelling now logs in too
    expect((await anon.ok('identity/register', patient('Fu11 Width'))).warning).toMatch(/looks the same/); // digit 1 for l
  });
});
