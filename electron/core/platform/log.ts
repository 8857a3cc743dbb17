/**
 * Structured logs: one JSON object per line. Callers pass event names and non-PHI fields only
 * (ids, counts, durations, codes) — never names, ages, vitals, passwords or keys.
 *
 * Where they go: stderr by default (tests, the desktop shell); a command that talks to people on
 * the terminal (`wardledger serve`, `npm start`) sends them to a file in the data directory
 * instead (logToFile), so its output is sentences only — unless `--verbose` or WARDLEDGER_LOG asks
 * for them on stderr.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: LogLevel = (process.env.WARDLEDGER_LOG as LogLevel) in order ? (process.env.WARDLEDGER_LOG as LogLevel) : 'info';
let file: WriteStream | null = null;

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Append log lines to this file (created owner-only) instead of stderr. */
export function logToFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  file?.end();
  file = createWriteStream(path, { flags: 'a', mode: 0o600 });
  // A log that cannot be written must not stop the ward: fall back to stderr.
  file.on('error', () => {
    file = null;
  });
}

export function log(level: LogLevel, event: string, fields: LogFields = {}): void {
  if (order[level] < order[threshold]) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, event, ...fields }) + '\n';
  if (file) file.write(line);
  else process.stderr.write(line);
}
