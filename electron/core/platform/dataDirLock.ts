/**
 * One WardLedger instance per data directory, and while it holds the directory, nothing in it is
 * readable by others (ownerOnlyFiles.ts).
 *
 * The lock is a file, <dataDir>/.wardledger.lock, naming its owner: process id, the process's
 * start time as the kernel records it (Linux: /proc/<pid>/stat field 22, with the boot id), host
 * and when it started. Whether the owner still lives is asked of the operating system, never
 * read from a clock: a dead owner's lock is taken over at once, and a live owner is never
 * displaced, however long its event loop is blocked (the earlier mtime-refreshed lock went
 * stale during a 10 s freeze and let a second instance in). The start time guards against a
 * recycled process id; where the platform cannot tell it (no /proc), a live process with the
 * recorded id keeps the lock and the message names it.
 *
 * The file is published complete (written to a temporary file, then hard-linked into place, which
 * fails if a lock exists), so a reader never sees a half-written owner. Taking over a dead
 * owner's lock renames it aside and checks that what was renamed is the lock judged dead, so two
 * instances starting at once after a crash cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WardError } from '../model/errors';
import { tightenDataDir, useOwnerOnlyUmask } from './ownerOnlyFiles';

export interface LockOwner {
  pid: number;
  /** Kernel start time of the process (clock ticks since boot), where the platform tells it. */
  startTime: string | null;
  /** Linux boot id: process ids and start times restart with every boot. */
  bootId: string | null;
  host: string;
  startedAt: string;
}

export const LOCK_FILE = '.wardledger.lock';

/** The lock of an earlier version: a directory whose mtime its owner refreshed every 2 s. */
const LEGACY_STALE_MS = 10_000;

export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  const me = ownerOf(process.pid);
  clearLegacyLock(dataDir, path);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (publish(path, me)) return holdPrivately(dataDir, () => releaseIfMine(path, me));
    const text = readLock(path);
    if (text === null) continue; // released in between: try again
    const owner = parseOwner(text);
    if (owner && isAlive(owner)) throw lockedBy(dataDir, owner);
    takeOver(path, text);
  }
  throw new WardError('DATA_DIR_LOCKED', `Another WardLedger instance keeps taking the lock of the data directory ${dataDir}. Close it first, or start this one with a different --data-dir.`);
}

/** Tighten what an earlier version left readable, mask new files until release. */
function holdPrivately(dataDir: string, releaseLock: () => void): () => Promise<void> {
  const releaseUmask = useOwnerOnlyUmask();
  try {
    tightenDataDir(dataDir);
  } catch (e) {
    releaseUmask();
    releaseLock();
    throw new WardError('INTERNAL', `Cannot make the data directory ${dataDir} private to its owner: ${(e as Error).message}`);
  }
  return async () => {
    releaseUmask();
    releaseLock();
  };
}

/** This process (or another, for tests) as a lock owner. */
export function ownerOf(pid: number): LockOwner {
  return { pid, startTime: processStartTime(pid), bootId: bootId(), host: hostname(), startedAt: new Date().toISOString() };
}

/** True while the process the lock names runs (or when that cannot be told: another host). */
export function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.bootId && bootId() && owner.bootId !== bootId()) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists, run by someone else.
  }
  const now = processStartTime(owner.pid);
  return owner.startTime === null || now === null || now === owner.startTime;
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Publish the owner file complete, atomically; false if a lock is already there. */
function publish(path: string, owner: LockOwner): boolean {
  const tmp = `${path}.${owner.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(owner) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new WardError('INTERNAL', `Cannot lock the data directory: ${(e as Error).message}`);
  } finally {
    unlinkSync(tmp);
  }
}

function readLock(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * An earlier version locked with a directory of the same name whose mtime its owner refreshed
 * every 2 s: a fresh one means that version runs; a stale one is removed.
 */
function clearLegacyLock(dataDir: string, path: string): void {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return;
  }
  if (!stat.isDirectory()) return;
  if (Date.now() - stat.mtimeMs < LEGACY_STALE_MS) {
    throw new WardError('DATA_DIR_LOCKED', `An earlier version of WardLedger is already using the data directory ${dataDir}. Close it first, or start this one with a different --data-dir.`);
  }
  rmSync(path, { recursive: true, force: true });
}

function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as LockOwner;
    return Number.isSafeInteger(o.pid) && o.pid > 0 && typeof o.host === 'string' ? o : null;
  } catch {
    return null; // empty or damaged: no owner can be alive behind it
  }
}

/** Move a dead owner's lock aside, making sure it is the one judged dead; restore anything else. */
function takeOver(path: string, judged: string): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (readFileSync(aside, 'utf8') !== judged) {
    // Another instance took the lock between our reading and our renaming: put its lock back.
    try {
      linkSync(aside, path);
    } catch {
      // A third instance published meanwhile; the next round judges that one.
    }
  }
  unlinkSync(aside);
}

function releaseIfMine(path: string, me: LockOwner): void {
  const text = readLock(path);
  const owner = text ? parseOwner(text) : null;
  if (owner && owner.pid === me.pid && owner.startTime === me.startTime && owner.startedAt === me.startedAt) unlinkSync(path);
}

function lockedBy(dataDir: string, owner: LockOwner): WardError {
  const here = owner.host === hostname();
  const who = `process ${owner.pid}${here ? '' : ` on the computer ${owner.host}`}, started ${owner.startedAt}`;
  // Whether a process on another computer (a shared folder) still runs cannot be asked from here.
  const elsewhere = here ? '' : ` If WardLedger no longer runs there, delete ${join(dataDir, LOCK_FILE)}.`;
  return new WardError(
    'DATA_DIR_LOCKED',
    `Another WardLedger instance is already using the data directory ${dataDir} (${who}). Close it first, or start this one with a different --data-dir.${elsewhere}`,
  );
}
