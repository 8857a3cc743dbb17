/**
 * Structured logs: one JSON object per line on stderr. Callers pass event names and non-PHI
 * fields only (ids, counts, durations, codes) — never names, ages, vitals, passwords or keys.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: LogLevel = (process.env.WARDLEDGER_LOG as LogLevel) in order ? (process.env.WARDLEDGER_LOG as LogLevel) : 'info';

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function log(level: LogLevel, event: string, fields: LogFields = {}): void {
  if (order[level] < order[threshold]) return;
  process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level, event, ...fields }) + '\n');
}
