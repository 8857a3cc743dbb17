/**
 * The v1 ward fixture (test/fixtures/v1-ward.tar.gz, see test/fixtures/README.md): a data
 * directory written by the log-based store, and what that store replayed from it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyScope } from '../../electron/core/crypto/keyScope';
import type { LogEntry } from '../../electron/core/storage/logFormat';
import type { AnchorRef, StoredRecord } from '../../electron/core/storage/storedRecord';
import { tempDir } from './tempCore';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'v1-ward.tar.gz');

type Account = { role: string; name: string; age: number; password: string };

export interface V1Expected {
  accounts: Record<'doctor' | 'otherDoctor' | 'nurse' | 'insurer' | 'patient' | 'second', Account>;
  addresses: Record<'doctor' | 'otherDoctor' | 'nurse' | 'insurer' | 'patient' | 'second', string>;
  records: StoredRecord[];
  anchors: Record<string, AnchorRef>;
  byPatient: Record<string, string[]>;
  amendedBy: Record<string, string[]>;
  scopes: Record<string, KeyScope>;
  currentScope: Record<string, string>;
  scopesOfPatient: Record<string, string[]>;
  consents: Array<Extract<LogEntry, { t: 'consent' }>>;
  audits: Array<Extract<LogEntry, { t: 'audit' }>>;
  deviceKeys: string[];
  teamTags: Record<string, string>;
}

/** Unpack the fixture into a fresh temporary folder: `<root>/ward` is the data directory. */
export function unpackV1Ward(): { root: string; dataDir: string; expected: V1Expected } {
  const root = tempDir('wardledger-v1-');
  execFileSync('tar', ['-xzf', fixture, '-C', root]);
  return { root, dataDir: join(root, 'ward'), expected: JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as V1Expected };
}
