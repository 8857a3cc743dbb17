/**
 * The ward chain's database (<dataDir>/chain/db, LevelDB) checked before ganache opens it.
 *
 * ganache 7 opens and reads its database in promises nobody awaits: a damaged database surfaces
 * as an uncaught exception (or unhandled rejection) that kills the process — printing the
 * offending line of ganache's minified bundle, megabytes long — while the first request simply
 * never answers. So the database is opened first with the same LevelDB binding ganache ships
 * (opening is where most damage shows: a garbled MANIFEST or CURRENT, a missing table file), and
 * while ganache starts, an error escaping it is caught and reported as the chain failing to open.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { WardError } from '../model/errors';
import { log } from '../platform/log';

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
 * Open and close an existing chain database, or throw chainDamaged saying what LevelDB found.
 * A new ward (no database yet) passes; a database directory with files but no CURRENT does not
 * (LevelDB would otherwise start an empty chain over it).
 */
export async function checkChainDatabase(dbPath: string): Promise<void> {
  if (!existsSync(dbPath) || readdirSync(dbPath).length === 0) return;
  const leveldown = ganacheLevelDown();
  if (!leveldown) {
    log('warn', 'chain.db_check_unavailable');
    return;
  }
  const db = leveldown(dbPath);
  const opened = await new Promise<Error | null>((resolve) => db.open({ createIfMissing: false }, resolve));
  if (opened) throw chainDamaged(dbPath, problemOf(opened));
  await new Promise<void>((resolve) => db.close(() => resolve()));
}

/**
 * While `start` runs, an exception or rejection nobody handles is taken as the chain failing to
 * open (nothing else runs while the chain starts) and rejects the start with chainDamaged instead
 * of killing the process.
 */
export async function withoutEscapes<T>(dbPath: string, start: () => Promise<T>): Promise<T> {
  let fail!: (e: WardError) => void;
  const escaped = new Promise<never>((_, reject) => (fail = reject));
  const onEscape = (e: unknown) => fail(chainDamaged(dbPath, problemOf(e)));
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  try {
    return await Promise.race([start(), escaped]);
  } finally {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  }
}
