/** Small command-line helpers shared by the wardledger commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

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
