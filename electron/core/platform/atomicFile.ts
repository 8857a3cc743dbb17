/**
 * Durable small-file writes: write a temp file, fsync it, rename over the target, fsync the
 * directory. A crash leaves either the old or the new content, never a torn file.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { WardError } from '../model/errors';

export function writeFileDurable(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/**
 * writeFileDurable without blocking the thread on the disk (the writes and fsyncs run on libuv's
 * pool): for a file written while the thread has other work, e.g. one per consortium transaction.
 */
export async function writeFileDurableAsync(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  await fsyncDirAsync(dirname(path));
}

export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
  }
}

/** fsyncDir on libuv's pool. */
async function fsyncDirAsync(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // As in fsyncDir: some platforms cannot fsync a directory.
  }
}

export function writeJsonDurable(path: string, value: unknown): void {
  writeFileDurable(path, JSON.stringify(value, null, 2) + '\n');
}

export const RESTORE_FROM_BACKUP = 'Restore the data directory (or this file) from a backup, then start WardLedger again.';

/** The error for a damaged data file: what it is, where, what is wrong with it, and what to do. */
export function damagedFile(path: string, what: string, problem: string, remedy = RESTORE_FROM_BACKUP): WardError {
  return new WardError('INTEGRITY', `${what} is damaged (${problem}): ${path}. ${remedy}`, { file: path });
}

/**
 * Read a JSON file written by writeJsonDurable and check its shape; undefined when absent, a
 * damagedFile error naming the file and the first problem when it is not what was written. The
 * value is returned as read (fields the schema does not list are kept for the next write).
 */
export function readJson<T>(path: string, schema: z.ZodType, what: string, remedy?: string): T | undefined {
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw damagedFile(path, what, 'it is not valid JSON', remedy);
  }
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw damagedFile(path, what, issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message, remedy);
  }
  return value as T;
}
