/**
 * Durable small-file writes: write a temp file, fsync it, rename over the target, fsync the
 * directory. A crash leaves either the old or the new content, never a torn file.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
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

export function writeJsonDurable(path: string, value: unknown): void {
  writeFileDurable(path, JSON.stringify(value, null, 2) + '\n');
}

/** Read a JSON file written by writeJsonDurable; undefined when absent, a clear error when corrupt. */
export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    throw new WardError('INTEGRITY', `A WardLedger data file is damaged and cannot be read: ${path}`);
  }
}
