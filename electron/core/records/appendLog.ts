/**
 * A durable append-only log of JSON entries (one per line) with group commit: appends made while
 * an fsync is in flight are written and synced together, so many writers share one fsync and each
 * append resolves only once its bytes are on disk.
 *
 * Recovery: a torn last line (crash mid-write) is ignored on replay and truncated before the next
 * append; any other unreadable line is an integrity error, never silently skipped.
 */
import { closeSync, existsSync, fstatSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, write } from 'node:fs';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import { damagedFile, fsyncDir } from '../platform/atomicFile';
import { WardError } from '../model/errors';

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

export class AppendLog<T> {
  private fd: number | null = null;
  private pending: Array<{ bytes: Buffer; resolve: () => void; reject: (e: Error) => void }> = [];
  private flushing = false;

  constructor(readonly path: string) {}

  /**
   * Read every complete entry, then open for appending. A line that is not JSON, or that
   * `onEntry` cannot use (it throws), is reported as damage naming the entry and its byte offset.
   */
  open(onEntry: (entry: T, index: number) => void): number {
    mkdirSync(dirname(this.path), { recursive: true });
    let validBytes = 0;
    let count = 0;
    if (existsSync(this.path)) {
      const buf = readFileSync(this.path);
      let start = 0;
      while (start < buf.length) {
        const nl = buf.indexOf(0x0a, start);
        if (nl === -1) break; // torn tail: written without its newline
        const text = buf.toString('utf8', start, nl);
        const at = `entry ${count + 1}, at byte ${start},`;
        const damaged = (problem: string) => damagedFile(this.path, 'The record store', `${at} ${problem}`);
        let entry: T;
        try {
          entry = JSON.parse(text) as T;
        } catch {
          throw damaged('is not valid JSON');
        }
        try {
          onEntry(entry, count++);
        } catch (e) {
          // The reader could not use the entry (a field missing, a value of another type).
          throw e instanceof WardError ? e : damaged('is not a valid entry');
        }
        start = nl + 1;
        validBytes = start;
      }
    }
    this.fd = openSync(this.path, existsSync(this.path) ? 'r+' : 'w+', 0o600);
    if (fstatSync(this.fd).size !== validBytes) {
      ftruncateSync(this.fd, validBytes);
      fsyncSync(this.fd);
    }
    this.size = validBytes;
    fsyncDir(dirname(this.path));
    return count;
  }

  /**
   * Append entries; resolves when they are durable. The entries are encoded here, in the caller's
   * slice of the event loop: the flush then only concatenates bytes, so a big group commit never
   * stalls the loop re-encoding everything at once.
   */
  append(...entries: T[]): Promise<void> {
    if (this.fd === null) return Promise.reject(new WardError('INTERNAL', 'The record store is not open.'));
    const bytes = Buffer.from(entries.map((e) => JSON.stringify(e)).join('\n') + '\n', 'utf8');
    return new Promise((resolve, reject) => {
      this.pending.push({ bytes, resolve, reject });
      if (!this.flushing) queueMicrotask(() => void this.flush());
    });
  }

  private size = 0;

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0 || this.fd === null) return;
    this.flushing = true;
    const batch = this.pending;
    this.pending = [];
    try {
      const fd = this.fd;
      const bytes = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((p) => p.bytes));
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await writeAsync(fd, bytes, written, bytes.length - written, this.size + written);
        written += bytesWritten;
      }
      await fsyncAsync(fd);
      this.size += bytes.length;
      for (const p of batch) p.resolve();
    } catch (e) {
      const err = new WardError('INTERNAL', `Could not write to the record store: ${(e as Error).message}`);
      for (const p of batch) p.reject(err);
    } finally {
      this.flushing = false;
      // Appends that arrived during this flush form the next group.
      if (this.pending.length) void this.flush();
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
