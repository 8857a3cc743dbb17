/** Small command-line helpers shared by the wardledger commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { StartupStep } from '../core/shellContract';

export function fail(message: string, code = 1): never {
  process.stderr.write(`wardledger: ${message}\n`);
  process.exit(code);
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${usage}`, 2);
  }
}

/** A password from WARDLEDGER_PASSWORD or the first line of standard input (never a flag: flags end up in shell history). */
export async function readPassword(prompt: string): Promise<string> {
  if (process.env.WARDLEDGER_PASSWORD) return process.env.WARDLEDGER_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write(prompt);
  let input = '';
  for await (const chunk of process.stdin) {
    input += chunk;
    if (input.includes('\n')) break;
  }
  const line = input.split(/\r?\n/)[0] ?? '';
  if (!line) fail('no password given (set WARDLEDGER_PASSWORD or type it on standard input).', 2);
  return line;
}

/** Long steps of a start (a record store upgrade) on standard output: a line when the step changes, at most one a second. */
export function printProgress(): (p: { label: string; fraction: number | null; step?: StartupStep }) => void {
  let last = 0;
  let lastStep = '';
  return (p) => {
    if (p.step === 'opening') return; // seconds at most: the terminal shows the long steps only
    const step = p.label.split(':')[0]!;
    const now = Date.now();
    if (step === lastStep && now - last < 1000) return;
    last = now;
    lastStep = step;
    process.stdout.write(`${p.label}${p.fraction === null ? '' : ` (${Math.round(p.fraction * 100)} %)`}\n`);
  };
}

/**
 * Secrets from the environment or, for those not set there, lines of standard input in order
 * (prompted on a terminal). Never flags: flags end up in shell history.
 */
export async function readSecrets(wanted: Array<{ env: string; prompt: string }>): Promise<string[]> {
  const values = wanted.map((w) => process.env[w.env] ?? null);
  const missing = wanted.filter((_, i) => values[i] === null);
  if (missing.length === 0) return values as string[];
  const lines: string[] = [];
  let buffered = '';
  const stdin = process.stdin[Symbol.asyncIterator]();
  for (const w of missing) {
    if (process.stdin.isTTY) process.stderr.write(w.prompt);
    while (!buffered.includes('\n')) {
      const next = await stdin.next();
      if (next.done) break;
      buffered += String(next.value);
    }
    const nl = buffered.indexOf('\n');
    const line = (nl === -1 ? buffered : buffered.slice(0, nl)).replace(/\r$/, '');
    buffered = nl === -1 ? '' : buffered.slice(nl + 1);
    if (!line) fail(`nothing given for "${w.prompt.trim()}" (set ${w.env} or type it on standard input).`, 2);
    lines.push(line);
  }
  process.stdin.pause();
  let next = 0;
  return values.map((v) => v ?? lines[next++]!);
}
