/**
 * The ward chain's database (<dataDir>/chain/db, LevelDB) checked before ganache opens it.
 *
 * ganache 7 opens and reads its database in promises nobody awaits: a damaged database surfaces
 * as an uncaught exception (or unhandled rejection) that kills the process — printing the
 * offending line of ganache's minified bundle, megabytes long — while the first request simply
 * never answers. So the database is opened first with the same LevelDB binding ganache ships
 * (opening is where most damage shows: a garbled MANIFEST or CURRENT, a missing table file), and
 * since ganache runs on a thread of its own (chainWorker.ts), an error escaping it ends that
 * thread only, and ChainWorker reports it as the chain failing to open (chainWorkerClient.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { WardError } from '../model/errors';

export function chainDamaged(dbPath: string, problem: string): WardError {
  return new WardError(
    'INTEGRITY',
    `The ward chain database is damaged and cannot be opened (${problem}): ${dbPath}. It holds the ward's registry, consent and record anchors. Restore the data directory from a backup, then start WardLedger again.`,
    { file: dbPath },
  );
}

/** First line of a LevelDB or ganache error, bounded (never a stack or a source line). */
export function problemOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.slice(0, 300);
}

interface LevelDown {
  open(options: { createIfMissing: boolean }, callback: (e: Error | null) => void): void;
  close(callback: (e: Error | null) => void): void;
}

/** The LevelDB binding ganache uses (ganache is pinned; its own dependency is taken, not a second copy). */
function ganacheLevelDown(): ((path: string) => LevelDown) | null {
  try {
    const fromGanache = createRequire(createRequire(import.meta.url).resolve('ganache'));
    return fromGanache('leveldown') as (path: string) => LevelDown;
  } catch {
    return null;
  }
}

/**
 * What LevelDB says of an existing chain database when it is opened and closed: null when it
 * opens (or when there is none yet: a new ward), its problem otherwise; 'unchecked' when ganache's
 * binding cannot be loaded. A database directory with files but no CURRENT does not open (LevelDB
 * would otherwise start an empty chain over it). Runs on the chain's thread (chainWorker.ts).
 */
export async function chainDatabaseProblem(dbPath: string): Promise<string | null | 'unchecked'> {
  if (!existsSync(dbPath) || readdirSync(dbPath).length === 0) return null;
  const leveldown = ganacheLevelDown();
  if (!leveldown) return 'unchecked';
  const db = leveldown(dbPath);
  const opened = await new Promise<Error | null>((resolve) => db.open({ createIfMissing: false }, resolve));
  if (opened) return problemOf(opened);
  await new Promise<void>((resolve) => db.close(() => resolve()));
  return null;
}
