/**
 * Backup while the ward runs, restore elsewhere (issue 12): `wardledger serve` keeps recording a
 * nurse's vitals sets while `wardledger backup` asks it for an encrypted backup through its
 * loopback API; `wardledger restore` unpacks it into a new folder and finishes only when every
 * record verifies. The restored ward then holds every set acknowledged before the backup began,
 * each verified (signature, commitment, anchor on the restored chain), and nothing it holds fails.
 * A damaged archive or a wrong passphrase restores nothing. With no serve running, `wardledger
 * backup` opens the ward itself, and closes it again. `wardledger recovery-key` makes a key pair;
 * a backup encrypted to it (no passphrase asked) restores only with its key file and that file's
 * passphrase, and the restore names the key it needs when it is not given.
 */
import { existsSync, openSync, readFileSync, readSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreStatus } from '../../../electron/core/model/storeStatus';
import type { WardCore } from '../../../electron/core/shellContract';
import { wardledger } from '../../support/cli';
import { serveChild, type ServeChild } from '../../support/serveChild';
import { admin, Caller, removeDir, staffedWard, startCore, tempDir, testScryptN } from '../../support/tempCore';

describe('wardledger backup while the ward runs, and restore', () => {
  const root = tempDir('wardledger-backup-');
  const dir = join(root, 'ward');
  const archive = join(root, 'ward.wlbk');
  const passphrase = 'correct horse battery staple';
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let child: ServeChild | null = null;
  let restored: WardCore | null = null;
  /** Ids of the sets acknowledged before the backup began, and of all acknowledged ones. */
  let before: string[] = [];
  let acknowledged: string[] = [];

  beforeAll(async () => {
    const core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '5', responsibleDoctor: w.addresses.doctor });
    await core.stop();
  });
  afterAll(async () => {
    await child?.stop();
    await restored?.stop();
    removeDir(root);
  });

  /** The ward restored at `target` holds every set the running ward acknowledged, each verified, and nothing else. */
  async function expectEveryAcknowledgedSet(target: string): Promise<void> {
    await restored?.stop();
    restored = await startCore(target);
    const doctor = new Caller(restored);
    await doctor.login(w.people.doctor.name, w.people.doctor.password);
    const h = await doctor.ok('records/history', { patient: w.addresses.patient });
    expect(new Set(h.records.map((x) => x.id))).toEqual(new Set(acknowledged));
    expect(h.records.every((x) => x.provenance.status === 'verified')).toBe(true);
  }

  it('takes a backup during ingest through the running ward, and the IT admin page shows it', async () => {
    child = await serveChild(dir);
    const nurse = await child.login(w.people.nurse.name, w.people.nurse.password);
    let stop = false;
    const saved: string[] = [];
    // A nurse keeps saving sets (each acknowledged once durable and anchored) throughout; one at a
    // time, as the ward takes them for one patient.
    const writers = Array.from({ length: 1 }, async (_, k) => {
      for (let i = 0; !stop; i++) {
        const r = await child!.call('records/addVitals', { patient: w.addresses.patient, vitals: { pulse: 60 + ((k * 7 + i) % 40), spo2: 95, supplementalOxygen: false }, missingReason: 'Spot check' }, nurse);
        if (!r.ok) throw new Error(r.error.message);
        saved.push((r.result as { id: string }).id);
      }
    });
    while (saved.length < 20) await new Promise((r) => setTimeout(r, 50));
    before = [...saved];
    const b = await wardledger(['backup', '--out', archive, '--user', admin.name, '--data-dir', dir], {
      WARDLEDGER_PASSWORD: admin.password,
      WARDLEDGER_BACKUP_PASSPHRASE: passphrase,
      WARDLEDGER_SCRYPT_N: String(testScryptN),
    });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/Asking the running ward/);
    expect(b.stdout).toMatch(/^Backup written: .*ward\.wlbk/);
    const during = saved.length;
    while (saved.length < during + 10) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(writers);
    acknowledged = [...saved];
    expect(statSync(archive).size).toBeGreaterThan(0);

    const it = await child.login(admin.name, admin.password);
    const status = (await child.call('admin/storeStatus', {}, it)) as { ok: true; result: StoreStatus };
    expect(status.result.lastBackup).toMatchObject({ file: archive, bytes: statSync(archive).size });
    expect(status.result.backupWarning).toBeNull();
    // The archive reveals nothing of what it holds.
    const bytes = Buffer.alloc(statSync(archive).size);
    const fd = openSync(archive, 'r');
    readSync(fd, bytes, 0, bytes.length, 0);
    closeSync(fd);
    for (const needle of ['Florence Nurse', 'Pat Patient', '"spo2"', 'keystore', '"crypto"']) expect(bytes.includes(needle)).toBe(false);
    await child.stop();
    child = null;
  });

  it('refuses a wrong passphrase and a damaged archive, leaving nothing', async () => {
    const wrong = await wardledger(['restore', archive, '--data-dir', join(root, 'wrong')], { WARDLEDGER_BACKUP_PASSPHRASE: 'not the passphrase at all' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/passphrase/i);
    expect(existsSync(join(root, 'wrong'))).toBe(false);

    const damaged = join(root, 'damaged.wlbk');
    const bytes = Buffer.alloc(statSync(archive).size);
    const fd = openSync(archive, 'r');
    readSync(fd, bytes, 0, bytes.length, 0);
    closeSync(fd);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
    const out = openSync(damaged, 'w');
    writeSync(out, bytes);
    closeSync(out);
    const r = await wardledger(['restore', damaged, '--data-dir', join(root, 'damaged')], { WARDLEDGER_BACKUP_PASSPHRASE: passphrase });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^wardledger: .*(damaged|altered)/i);
    expect(existsSync(join(root, 'damaged'))).toBe(false);
    expect(existsSync(join(root, 'damaged.verifying'))).toBe(false);
  });

  it('restores into a new folder only when every record verifies, and the restored ward holds every set acknowledged before the backup', async () => {
    const target = join(root, 'restored');
    const r = await wardledger(['restore', archive, '--data-dir', target], { WARDLEDGER_BACKUP_PASSPHRASE: passphrase });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/every one verified/);

    restored = await startCore(target);
    const doctor = new Caller(restored);
    await doctor.login(w.people.doctor.name, w.people.doctor.password);
    const h = await doctor.ok('records/history', { patient: w.addresses.patient });
    expect(h.window.earlier).toBeNull(); // the whole record is in this page
    const byId = new Map(h.records.map((x) => [x.id, x]));
    for (const id of before) expect(byId.get(id)?.provenance.status, id).toBe('verified');
    expect(h.records.every((x) => x.provenance.status === 'verified')).toBe(true);
    // Nothing the backup holds was made up: each restored set was acknowledged by the running ward.
    const acked = new Set(acknowledged);
    expect(h.records.filter((x) => !acked.has(x.id))).toEqual([]);
    // Refuses a folder that holds files.
    const again = await wardledger(['restore', archive, '--data-dir', target], { WARDLEDGER_BACKUP_PASSPHRASE: passphrase });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/new or empty folder/);
  });

  it('backs up a ward that no serve runs by opening it itself, then lets it start again', async () => {
    const alone = join(root, 'alone.wlbk');
    const b = await wardledger(['backup', '--out', alone, '--user', admin.name, '--data-dir', dir], {
      WARDLEDGER_PASSWORD: admin.password,
      WARDLEDGER_BACKUP_PASSPHRASE: passphrase,
      WARDLEDGER_SCRYPT_N: String(testScryptN),
    });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).not.toMatch(/Asking the running ward/);
    expect(b.stdout).toMatch(/^Backup written: .*alone\.wlbk/);

    // The ward was closed again (its data-directory lock released) and remembers the backup.
    child = await serveChild(dir);
    const it = await child.login(admin.name, admin.password);
    const status = (await child.call('admin/storeStatus', {}, it)) as { ok: true; result: StoreStatus };
    expect(status.result.lastBackup).toMatchObject({ file: alone, bytes: statSync(alone).size });
    await child.stop();
    child = null;

    // It restores, verified, with every set the running ward acknowledged.
    const target = join(root, 'restored-alone');
    const r = await wardledger(['restore', alone, '--data-dir', target], { WARDLEDGER_BACKUP_PASSPHRASE: passphrase });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/every one verified/);
    await expectEveryAcknowledgedSet(target);
  });

  it('makes a recovery key, backs up to it with no passphrase, and restores only with its key file and passphrase', async () => {
    const keyFile = join(root, 'ward-recovery.key');
    const recoveryPassphrase = 'kept in the IT safe, apart';
    const made = await wardledger(['recovery-key', '--out', keyFile], { WARDLEDGER_RECOVERY_PASSPHRASE: recoveryPassphrase });
    expect(made.code, made.stderr).toBe(0);
    const file = JSON.parse(readFileSync(keyFile, 'utf8')) as { publicKey: string; fingerprint: string };
    expect(made.stdout).toContain(`fingerprint ${file.fingerprint}`);
    expect(made.stdout.trim().split('\n').at(-1)).toBe(file.publicKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = await wardledger(['recovery-key', '--out', keyFile], { WARDLEDGER_RECOVERY_PASSPHRASE: recoveryPassphrase });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists already/);
    const otherKey = join(root, 'other-recovery.key');
    expect((await wardledger(['recovery-key', '--out', otherKey], { WARDLEDGER_RECOVERY_PASSPHRASE: recoveryPassphrase })).code).toBe(0);

    // Encrypted to the key named by its file (only its public half is read): no passphrase asked.
    const archived = join(root, 'to-key.wlbk');
    const b = await wardledger(['backup', '--out', archived, '--user', admin.name, '--recovery-key', keyFile, '--data-dir', dir], {
      WARDLEDGER_PASSWORD: admin.password,
      WARDLEDGER_SCRYPT_N: String(testScryptN),
    });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain(`Encrypted to the recovery key ${file.fingerprint}.`);

    const target = join(root, 'restored-by-key');
    const noKey = await wardledger(['restore', archived, '--data-dir', target], { WARDLEDGER_BACKUP_PASSPHRASE: passphrase });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain(`encrypted to the recovery key ${file.fingerprint}: give its key file with --recovery-key KEYFILE`);
    const wrongPassphrase = await wardledger(['restore', archived, '--data-dir', target, '--recovery-key', keyFile], { WARDLEDGER_RECOVERY_PASSPHRASE: 'not the passphrase of it' });
    expect(wrongPassphrase.code).toBe(1);
    expect(wrongPassphrase.stderr).toMatch(/That passphrase does not open this recovery key/);
    const wrongKey = await wardledger(['restore', archived, '--data-dir', target, '--recovery-key', otherKey], { WARDLEDGER_RECOVERY_PASSPHRASE: recoveryPassphrase });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain(`does not open this backup: it was encrypted to ${file.fingerprint}`);
    expect(existsSync(target)).toBe(false);

    const r = await wardledger(['restore', archived, '--data-dir', target, '--recovery-key', keyFile], { WARDLEDGER_RECOVERY_PASSPHRASE: recoveryPassphrase });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/every one verified/);
    await expectEveryAcknowledgedSet(target);
    // A passphrase backup refuses a key file, in words.
    const refused = await wardledger(['restore', archive, '--data-dir', join(root, 'never'), '--recovery-key', keyFile], { WARDLEDGER_RECOVERY_PASSPHRASE: recoveryPassphrase });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/written with a passphrase, not to a recovery key/);
  });
});
