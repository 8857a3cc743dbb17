/**
 * `wardledger backup` and `wardledger restore`: an encrypted backup of a ward, taken while it runs,
 * and a restore into a new folder that refuses to finish unless every record verifies.
 *
 * Backup reaches a ward that `wardledger serve` is running through its loopback API
 * (runningWard.ts) and asks it for the backup, logged in as an IT admin; when nothing runs on the
 * data directory it starts the ward itself for the backup. (The desktop app is backed up from its
 * IT admin page: "Back up now".)
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { restoreWard } from '../core/backupTools';
import { createCore } from '../core/core';
import type { CallResult } from '../core/api/contract';
import { WardError } from '../core/model/errors';
import { defaultDataDir } from './dataDir';
import { fail, parse, printProgress, readSecrets } from './io';
import { reachRunningWard } from './runningWard';

export const backupUsage = `  wardledger backup --out FILE --user NAME [--data-dir DIR]
      Write an encrypted backup of the ward (records, chain, keystores, settings) to FILE, a new
      file, while the ward keeps running. Log in as the IT admin NAME (password from
      WARDLEDGER_PASSWORD, then the backup passphrase from WARDLEDGER_BACKUP_PASSPHRASE, or both
      on standard input, one a line). Keep the file and its passphrase apart.
  wardledger restore FILE --data-dir DIR
      Restore a backup into DIR (new or empty). Passphrase from WARDLEDGER_BACKUP_PASSPHRASE or
      standard input. Finishes only if every record verifies; otherwise nothing is restored.`;

export async function backup(args: string[]): Promise<void> {
  const { values } = parse(args, { out: { type: 'string' }, user: { type: 'string' }, 'data-dir': { type: 'string' } }, backupUsage);
  if (!values.out) fail(`--out is required.\n\n${backupUsage}`, 2);
  if (!values.user) fail(`--user is required (an IT admin of the ward).\n\n${backupUsage}`, 2);
  const out = resolve(values.out);
  if (existsSync(out)) fail(`${out} exists already; a backup never overwrites a file.`, 2);
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const [password, passphrase] = await readSecrets([
    { env: 'WARDLEDGER_PASSWORD', prompt: `Password for ${values.user}: ` },
    { env: 'WARDLEDGER_BACKUP_PASSPHRASE', prompt: 'Backup passphrase (at least 12 characters): ' },
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
    const r = await call('admin/backup', { out, passphrase });
    if (!r.ok) fail(r.error.message);
    const b = r.result as { file: string; bytes: number; items: number; storeEntries: number };
    process.stdout.write(`Backup written: ${b.file} (${(b.bytes / 2 ** 20).toFixed(1)} MB, ${b.storeEntries.toLocaleString('en-GB')} store entries, ${b.items} items). Keep it and its passphrase apart.\n`);
  } finally {
    await stop();
  }
}

export async function restore(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { 'data-dir': { type: 'string' } }, backupUsage, true);
  const archive = positionals[0];
  if (!archive || positionals.length > 1) fail(`name one backup FILE.\n\n${backupUsage}`, 2);
  if (!values['data-dir']) fail(`--data-dir DIR is required (a new or empty folder).\n\n${backupUsage}`, 2);
  if (!existsSync(archive)) fail(`${archive} does not exist.`, 2);
  const [passphrase] = await readSecrets([{ env: 'WARDLEDGER_BACKUP_PASSPHRASE', prompt: 'Backup passphrase: ' }]);
  try {
    const r = await restoreWard(resolve(archive), passphrase!, resolve(values['data-dir']), printProgress());
    process.stdout.write(
      `Restored into ${resolve(values['data-dir'])}: ${r.integrity.records.toLocaleString('en-GB')} records, every one verified` +
        `${r.anchoredNow ? ` (${r.anchoredNow} that were waiting for their anchor were anchored now)` : ''}. Backup taken ${r.manifest.createdAt}.\n`,
    );
  } catch (e) {
    fail(e instanceof WardError ? e.message : String(e), 1);
  }
}
