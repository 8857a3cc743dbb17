/**
 * `wardledger backup` and `wardledger restore`: an encrypted backup of a ward, taken while it runs,
 * and a restore into a new folder that refuses to finish unless every record verifies.
 *
 * Backup reaches a ward that `wardledger serve` is running through its loopback API
 * (runningWard.ts) and asks it for the backup, logged in as an IT admin; when nothing runs on the
 * data directory it starts the ward itself for the backup. (The desktop app is backed up from its
 * IT admin page: "Back up now".)
 *
 * `wardledger recovery-key` makes the key pair nightly backups are encrypted to, so they go on
 * across restarts with nobody typing a passphrase: the private half in a file sealed with its own
 * passphrase (kept offline), the public half printed for the administration page.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  archiveLock,
  createRecoveryKey,
  openRecoveryKey,
  parseRecoveryPublicKey,
  publicKeyOfFile,
  recoveryKeyFingerprint,
  recoveryKeyText,
  restoreWard,
  type BackupUnlock,
} from '../core/backupTools';
import { createCore } from '../core/core';
import type { CallResult } from '../core/api/contract';
import { WardError } from '../core/model/errors';
import { formatBytes, MIN_BACKUP_PASSPHRASE, RECOVERY_KEY_PREFIX } from '../core/model/storeStatus';
import { defaultDataDir } from './dataDir';
import { fail, parse, printProgress, readSecrets } from './io';
import { reachRunningWard } from './runningWard';

export const backupUsage = `  wardledger backup --out FILE --user NAME [--recovery-key KEY] [--data-dir DIR]
      Write an encrypted backup of the ward (records, chain, keystores, settings) to FILE, a new
      file, while the ward keeps running. Log in as the IT admin NAME (password from
      WARDLEDGER_PASSWORD, then the backup passphrase from WARDLEDGER_BACKUP_PASSPHRASE, or both
      on standard input, one a line). Keep the file and its passphrase apart. With
      --recovery-key (the wlrk1-… line \`wardledger recovery-key\` printed, or its KEYFILE: only
      the public half is read), the backup is encrypted to that key and no passphrase is asked.
  wardledger restore FILE --data-dir DIR [--recovery-key KEYFILE]
      Restore a backup into DIR (new or empty). Passphrase from WARDLEDGER_BACKUP_PASSPHRASE or
      standard input; a backup encrypted to a recovery key needs --recovery-key, the file
      \`wardledger recovery-key\` wrote, and that file's passphrase (WARDLEDGER_RECOVERY_PASSPHRASE
      or standard input). Finishes only if every record verifies; otherwise nothing is restored.
  wardledger recovery-key --out KEYFILE
      Make a recovery key for nightly backups that run across restarts: KEYFILE (a new file)
      holds its private half sealed with a passphrase (WARDLEDGER_RECOVERY_PASSPHRASE, or standard
      input twice); its public half is printed, to paste on the ward's administration page. Keep
      KEYFILE offline (in the IT safe) and its passphrase apart: together they open every backup.`;

export async function backup(args: string[]): Promise<void> {
  const { values } = parse(args, { out: { type: 'string' }, user: { type: 'string' }, 'recovery-key': { type: 'string' }, 'data-dir': { type: 'string' } }, backupUsage);
  if (!values.out) fail(`--out is required.\n\n${backupUsage}`, 2);
  if (!values.user) fail(`--user is required (an IT admin of the ward).\n\n${backupUsage}`, 2);
  const out = resolve(values.out);
  if (existsSync(out)) fail(`${out} exists already; a backup never overwrites a file.`, 2);
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const recoveryKey = values['recovery-key'] === undefined ? undefined : recoveryKeyTextOf(values['recovery-key']);
  const [password, passphrase] = await readSecrets([
    { env: 'WARDLEDGER_PASSWORD', prompt: `Password for ${values.user}: ` },
    ...(recoveryKey ? [] : [{ env: 'WARDLEDGER_BACKUP_PASSPHRASE', prompt: `Backup passphrase (at least ${MIN_BACKUP_PASSPHRASE} characters): ` }]),
  ]);

  const running = await reachRunningWard(dataDir);
  let call: (operation: string, input: unknown) => Promise<CallResult>;
  let stop = async () => undefined as void;
  if (running) {
    process.stderr.write('Asking the running ward for the backup.\n');
    call = running.call;
  } else {
    const core = createCore({ dataDir, usb: false });
    try {
      await core.start(printProgress());
    } catch (e) {
      if (e instanceof WardError && e.code === 'DATA_DIR_LOCKED') {
        fail(`${e.message} If it is the desktop app, back up from its IT admin page ("Back up now").`, 2);
      }
      fail(e instanceof WardError ? e.message : String(e), 1);
    }
    const ctx = { sessionToken: null as string | null, channel: 'cli' };
    call = async (operation, input) => {
      const r = await core.call(ctx, operation, input);
      if (operation === 'session/login' && r.ok) ctx.sessionToken = (r.result as { token: string }).token;
      return r;
    };
    stop = () => core.stop();
  }
  try {
    const login = await call('session/login', { name: values.user, password });
    if (!login.ok) fail(login.error.message);
    const r = await call('admin/backup', recoveryKey ? { out, recoveryKey } : { out, passphrase });
    if (!r.ok) fail((r.error.details?.fields as Record<string, string> | undefined)?.recoveryKey ?? r.error.message);
    const b = r.result as { file: string; bytes: number; items: number; storeEntries: number };
    const keptApart = recoveryKey ? `Encrypted to the recovery key ${recoveryKeyFingerprint(parseRecoveryPublicKey(recoveryKey))}.` : 'Keep it and its passphrase apart.';
    process.stdout.write(`Backup written: ${b.file} (${formatBytes(b.bytes)}, ${b.storeEntries.toLocaleString('en-GB')} store entries, ${b.items} items). ${keptApart}\n`);
  } finally {
    await stop();
  }
}

/** The public key's text from `--recovery-key`: the text itself, or the key file's public half (the file's private half stays sealed). */
function recoveryKeyTextOf(value: string): string {
  if (value.trim().startsWith(RECOVERY_KEY_PREFIX)) return value.trim();
  if (!existsSync(value)) fail(`--recovery-key: give the ${RECOVERY_KEY_PREFIX}… line or the key file; ${value} is neither.`, 2);
  try {
    return recoveryKeyText(publicKeyOfFile(readFileSync(value, 'utf8')));
  } catch {
    fail(`--recovery-key: ${value} is not a WardLedger recovery key file.`, 2);
  }
}

export async function restore(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { 'data-dir': { type: 'string' }, 'recovery-key': { type: 'string' } }, backupUsage, true);
  const archive = positionals[0];
  if (!archive || positionals.length > 1) fail(`name one backup FILE.\n\n${backupUsage}`, 2);
  if (!values['data-dir']) fail(`--data-dir DIR is required (a new or empty folder).\n\n${backupUsage}`, 2);
  if (!existsSync(archive)) fail(`${archive} does not exist.`, 2);
  const keyFile = values['recovery-key'];
  if (keyFile && !existsSync(keyFile)) fail(`${keyFile} does not exist.`, 2);
  try {
    // Said before a secret is asked for: which one this backup needs.
    const lock = await archiveLock(resolve(archive));
    if (lock.by === 'recovery-key' && !keyFile) fail(`This backup was encrypted to the recovery key ${lock.fingerprint}: give its key file with --recovery-key KEYFILE.`, 2);
    if (lock.by === 'passphrase' && keyFile) fail('This backup was written with a passphrase, not to a recovery key: leave out --recovery-key.', 2);
    let unlock: BackupUnlock;
    if (keyFile) {
      const [keyPassphrase] = await readSecrets([{ env: 'WARDLEDGER_RECOVERY_PASSPHRASE', prompt: `Passphrase of the recovery key ${lock.by === 'recovery-key' ? lock.fingerprint : ''}: ` }]);
      unlock = await openRecoveryKey(readFileSync(keyFile, 'utf8'), keyPassphrase!);
    } else [unlock] = (await readSecrets([{ env: 'WARDLEDGER_BACKUP_PASSPHRASE', prompt: 'Backup passphrase: ' }])) as [string];
    const r = await restoreWard(resolve(archive), unlock, resolve(values['data-dir']), printProgress());
    process.stdout.write(
      `Restored into ${resolve(values['data-dir'])}: ${r.integrity.records.toLocaleString('en-GB')} records, every one verified` +
        `${r.anchoredNow ? ` (${r.anchoredNow} that were waiting for their anchor were anchored now)` : ''}. Backup taken ${r.manifest.createdAt}.\n`,
    );
  } catch (e) {
    fail(e instanceof WardError ? e.message : String(e), 1);
  }
}

export async function recoveryKey(args: string[]): Promise<void> {
  const { values } = parse(args, { out: { type: 'string' } }, backupUsage);
  if (!values.out) fail(`--out KEYFILE is required.\n\n${backupUsage}`, 2);
  const out = resolve(values.out);
  if (existsSync(out)) fail(`${out} exists already; a recovery key never overwrites a file.`, 2);
  // From the environment both are the same; typed, the passphrase is asked twice.
  const [passphrase, again] = await readSecrets([
    { env: 'WARDLEDGER_RECOVERY_PASSPHRASE', prompt: `Passphrase for the recovery key (at least ${MIN_BACKUP_PASSPHRASE} characters): ` },
    { env: 'WARDLEDGER_RECOVERY_PASSPHRASE', prompt: 'The same passphrase again: ' },
  ]);
  if (passphrase !== again) fail('the two passphrases differ; nothing was written.', 2);
  try {
    const { file } = await createRecoveryKey(passphrase!);
    writeFileSync(out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    process.stdout.write(
      `Recovery key written: ${out} (fingerprint ${file.fingerprint}).\n` +
        `Keep it offline and its passphrase apart: together they open every backup encrypted to it.\n` +
        `For the ward's nightly backups (Ward administration, Nightly backups, "A recovery key"), paste:\n${file.publicKey}\n`,
    );
  } catch (e) {
    fail(e instanceof WardError ? e.message : String(e), 1);
  }
}
