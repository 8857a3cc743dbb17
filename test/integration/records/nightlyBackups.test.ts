/**
 * Nightly backups (records/backupSchedule.ts): set up by the IT admin through the API, checked
 * (folder, number kept, passphrase); after a restart the schedule is still there but paused, as
 * the passphrase is never written to disk. On the real ward (its chain, store and backup service),
 * with the clock moved through three nights: a backup is written at 02:00 each night and not
 * before, only the newest two are kept (other files in the folder untouched), a night that fails
 * is said and retried an hour later, and the newest backup restores and verifies elsewhere
 * (`restoreWard`, what `wardledger restore` runs). Encrypted to a recovery key instead, the
 * schedule goes on after a restart with nothing typed (a night missed while stopped is made up
 * soon after the start), and its backup restores with that key's private half only.
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreWard } from '../../../electron/core/backupTools';
import { buildCoreGraph, type CoreGraph } from '../../../electron/core/graph';
import { createRecoveryKey, openRecoveryKey, recoveryKeyText } from '../../../electron/core/crypto/recoveryKey';
import { BackupSchedule } from '../../../electron/core/records/backupSchedule';
import { admin, Caller, completeVitals, removeDir, staffedWard, startCore, tempDir, testScryptN } from '../../support/tempCore';

const SLOW = 240_000;
const passphrase = 'nightly backup passphrase';

describe('nightly backups', () => {
  const root = tempDir('wardledger-nightly-');
  const dir = join(root, 'ward');
  const folder = join(root, 'backups');
  let patient: string;

  beforeAll(() => mkdirSync(folder));
  afterAll(() => removeDir(root));

  /** The ward started (as after a restart), the IT admin logged in for `use`, then stopped. */
  async function asItAdmin(use: (itAdmin: Caller) => Promise<void>): Promise<void> {
    const core = await startCore(dir);
    try {
      const itAdmin = new Caller(core);
      await itAdmin.login(admin.name, admin.password);
      await use(itAdmin);
    } finally {
      await core.stop();
    }
  }

  it('are set up by the IT admin, checked, and paused after a restart until the passphrase is given again', async () => {
    const core = await startCore(dir);
    try {
      const w = await staffedWard(core);
      await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '4', responsibleDoctor: w.addresses.doctor });
      await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: completeVitals(72) });
      patient = w.addresses.patient;
      expect((await w.itAdmin.ok('admin/storeStatus', {})).schedule).toBeNull();

      const refused = await w.itAdmin.fails('admin/scheduleBackups', { folder: join(dir, 'inside'), keep: 0, passphrase: 'short' });
      expect(refused.code).toBe('BAD_INPUT');
      const inside = await w.itAdmin.fails('admin/scheduleBackups', { folder: dir, keep: 7, passphrase });
      expect(inside.details?.fields).toEqual({ folder: 'Choose a folder outside the data directory it backs up.' });
      const missing = await w.itAdmin.fails('admin/scheduleBackups', { folder: join(root, 'nowhere'), keep: 7, passphrase });
      expect(missing.details?.fields).toEqual({ folder: 'There is no folder at that path.' });
      expect((await w.itAdmin.ok('admin/storeStatus', {})).schedule).toBeNull();

      const armed = await w.itAdmin.ok('admin/scheduleBackups', { folder, keep: 2, passphrase });
      expect(armed).toMatchObject({ folder, keep: 2, hour: 2, armed: true, lastError: null });
      // The coming 02:00, local time.
      const next = Date.parse(armed.nextAt!);
      expect(next).toBeGreaterThan(Date.now());
      expect(next - Date.now()).toBeLessThanOrEqual(25 * 3600_000);
      expect([new Date(next).getHours(), new Date(next).getMinutes()]).toEqual([2, 0]);
      expect((await w.itAdmin.ok('admin/storeStatus', {})).schedule).toEqual(armed);
    } finally {
      await core.stop();
    }

    await asItAdmin(async (itAdmin) => {
      const paused = (await itAdmin.ok('admin/storeStatus', {})).schedule;
      expect(paused).toEqual({ folder, keep: 2, hour: 2, recoveryKey: null, armed: false, nextAt: null, lastError: null });
      await itAdmin.ok('admin/stopBackups', {});
      expect((await itAdmin.ok('admin/storeStatus', {})).schedule).toBeNull();
    });
  }, SLOW);

  it('write one backup a night at 02:00, keep the newest two, retry a failed night hourly, and the newest restores and verifies', async () => {
    const g: CoreGraph = buildCoreGraph({ dataDir: dir, usb: false, keystoreScryptN: testScryptN });
    await g.open();
    writeFileSync(join(folder, 'notes.txt'), 'not a backup');
    writeFileSync(join(folder, 'ward-by-hand.wlbk'), 'a backup written by hand: never removed');
    let now = new Date(2026, 11, 1, 14, 30).getTime();
    const schedule = new BackupSchedule(() => g.store, g.backup, dir, () => now);
    const nightly = () => readdirSync(folder).filter((n) => n.startsWith('wardledger-nightly-')).sort();
    try {
      await schedule.start();
      await schedule.arm(folder, 2, { passphrase });
      expect(schedule.status()!.nextAt).toBe(new Date(2026, 11, 2, 2, 0).toISOString());
      now = new Date(2026, 11, 2, 1, 59).getTime();
      await schedule.runDue();
      expect(nightly()).toEqual([]); // not before 02:00

      for (const day of [2, 3, 4]) {
        now = new Date(2026, 11, day, 2, 0, 30).getTime();
        await schedule.runDue();
        await schedule.runDue(); // once a night
      }
      expect(nightly()).toEqual(['wardledger-nightly-2026-12-03-0200.wlbk', 'wardledger-nightly-2026-12-04-0200.wlbk']);
      expect(readdirSync(folder)).toEqual(expect.arrayContaining(['notes.txt', 'ward-by-hand.wlbk']));
      expect((await g.storeAdmin.status()).lastBackup?.file).toBe(join(folder, 'wardledger-nightly-2026-12-04-0200.wlbk'));

      // The backup disk is unplugged: the night fails, is said, and is tried again an hour later.
      renameSync(folder, `${folder}-unplugged`);
      now = new Date(2026, 11, 5, 2, 0, 30).getTime();
      try {
        await schedule.runDue();
      } finally {
        renameSync(`${folder}-unplugged`, folder);
      }
      expect(schedule.status()!.lastError).toEqual({ at: new Date(now).toISOString(), message: 'The folder for the backup file does not exist.' });
      expect(schedule.status()!.nextAt).toBe(new Date(now + 3600_000).toISOString());
      now += 30 * 60_000;
      await schedule.runDue();
      expect(nightly().at(-1)).toBe('wardledger-nightly-2026-12-04-0200.wlbk'); // not before the hour
      now += 30 * 60_000;
      await schedule.runDue();
      expect(schedule.status()!.lastError).toBeNull();
      expect(schedule.status()!.nextAt).toBe(new Date(2026, 11, 6, 2, 0).toISOString());
      expect(nightly()).toHaveLength(2);
      expect(nightly()).toEqual(['wardledger-nightly-2026-12-04-0200.wlbk', 'wardledger-nightly-2026-12-05-0300.wlbk']);
    } finally {
      await schedule.stop();
      await g.close();
    }

    const restored = join(root, 'restored');
    const report = await restoreWard(join(folder, nightly().at(-1)!), passphrase, restored);
    expect(report.integrity.failed).toBe(0);
    expect(report.integrity.verified).toBeGreaterThan(0);
    const back = buildCoreGraph({ dataDir: restored, usb: false, keystoreScryptN: testScryptN });
    await back.open();
    try {
      expect((await back.store.window(patient, { limit: 10, proofs: false })).items.length).toBeGreaterThan(0);
    } finally {
      await back.close();
    }
  }, SLOW);

  it('encrypted to a recovery key, go on after a restart with nothing typed, and restore with its private half', async () => {
    const { file, publicKey } = await createRecoveryKey(passphrase, { N: 2 ** 10, r: 8, p: 1 });
    const text = recoveryKeyText(publicKey);
    await asItAdmin(async (itAdmin) => {
      const typo = await itAdmin.fails('admin/scheduleBackups', { folder, keep: 3, recoveryKey: text.slice(0, 20) + (text[20] === 'x' ? 'y' : 'x') + text.slice(21) });
      expect(typo.details?.fields).toEqual({ recoveryKey: 'That recovery key is mistyped (its check does not match): paste it again.' });
      const both = await itAdmin.fails('admin/scheduleBackups', { folder, keep: 3, recoveryKey: text, passphrase });
      expect(both.code).toBe('BAD_INPUT');
      const armed = await itAdmin.ok('admin/scheduleBackups', { folder, keep: 3, recoveryKey: ` ${text}\n` });
      expect(armed).toMatchObject({ folder, keep: 3, armed: true, recoveryKey: { text, fingerprint: file.fingerprint } });
    });
    await asItAdmin(async (itAdmin) => {
      const s = (await itAdmin.ok('admin/storeStatus', {})).schedule!;
      expect(s).toMatchObject({ armed: true, recoveryKey: { text, fingerprint: file.fingerprint } });
      expect([new Date(s.nextAt!).getHours(), new Date(s.nextAt!).getMinutes()]).toEqual([2, 0]);
    });

    // A restarted ward's schedule (read from the store, nothing given) writes the night's backup.
    // Started on 10 December at noon, the last backup of 5 December: the missed night is made up
    // ten minutes after the start, then the nights go on at 02:00.
    const g: CoreGraph = buildCoreGraph({ dataDir: dir, usb: false, keystoreScryptN: testScryptN });
    await g.open();
    let now = new Date(2026, 11, 10, 12, 0).getTime();
    const schedule = new BackupSchedule(() => g.store, g.backup, dir, () => now);
    try {
      await schedule.start();
      expect(schedule.status()).toMatchObject({ armed: true, nextAt: new Date(2026, 11, 10, 12, 10).toISOString() });
      now = new Date(2026, 11, 10, 12, 9).getTime();
      await schedule.runDue();
      expect(readdirSync(folder).filter((n) => n.includes('2026-12-10'))).toEqual([]);
      now = new Date(2026, 11, 10, 12, 10, 5).getTime();
      await schedule.runDue();
      expect(readdirSync(folder)).toContain('wardledger-nightly-2026-12-10-1210.wlbk');
      expect(schedule.status()).toMatchObject({ lastError: null, nextAt: new Date(2026, 11, 11, 2, 0).toISOString() });
      now = new Date(2026, 11, 11, 2, 0, 10).getTime();
      await schedule.runDue();
      expect(schedule.status()!.lastError).toBeNull();
    } finally {
      await schedule.stop();
      await g.close();
    }
    // Restarted again after that night's backup: nothing was missed, the next is the next night.
    const h: CoreGraph = buildCoreGraph({ dataDir: dir, usb: false, keystoreScryptN: testScryptN });
    await h.open();
    now = new Date(2026, 11, 11, 9, 0).getTime();
    const afterBackup = new BackupSchedule(() => h.store, h.backup, dir, () => now);
    try {
      await afterBackup.start();
      expect(afterBackup.status()!.nextAt).toBe(new Date(2026, 11, 12, 2, 0).toISOString());
    } finally {
      await afterBackup.stop();
      await h.close();
    }
    const written = join(folder, 'wardledger-nightly-2026-12-11-0200.wlbk');
    await expect(restoreWard(written, passphrase, join(root, 'by-passphrase'))).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    const report = await restoreWard(written, await openRecoveryKey(JSON.stringify(file), passphrase), join(root, 'by-recovery-key'));
    expect(report.integrity.failed).toBe(0);
    expect(report.integrity.verified).toBeGreaterThan(0);
  }, SLOW);
});
