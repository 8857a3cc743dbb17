/**
 * How another `wardledger` command reaches a ward that `wardledger serve` is running: serve writes
 * `<data dir>/serve.json` (owner-only, like the rest of the data directory) with its loopback
 * origin and launch secret, and removes it when it stops. A command that finds it calls the running
 * ward's API as a script would (`x-wardledger-secret`), logged in as a person like anyone else.
 */
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallResult } from '../core/api/contract';

interface RunningWardFile {
  pid: number;
  origin: string;
  secret: string;
}

export const runningWardFile = (dataDir: string) => join(dataDir, 'serve.json');

export function announceRunningWard(dataDir: string, origin: string, secret: string): () => void {
  const path = runningWardFile(dataDir);
  writeFileSync(path, JSON.stringify({ pid: process.pid, origin, secret } satisfies RunningWardFile), { mode: 0o600 });
  return () => {
    try {
      unlinkSync(path);
    } catch {
      // gone already
    }
  };
}

export interface RunningWard {
  call(operation: string, input: unknown): Promise<CallResult>;
}

/** The ward `wardledger serve` runs on this data directory, or null when none answers. */
export async function reachRunningWard(dataDir: string): Promise<RunningWard | null> {
  const path = runningWardFile(dataDir);
  if (!existsSync(path)) return null;
  let file: RunningWardFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as RunningWardFile;
    if (typeof file.origin !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+$/.test(file.origin) || typeof file.secret !== 'string') return null;
  } catch {
    return null;
  }
  let session: string | null = null;
  const call = async (operation: string, input: unknown): Promise<CallResult> => {
    const r = await fetch(new URL(`/api/${operation}`, file.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wardledger-secret': file.secret, ...(session ? { 'x-ward-session': session } : {}) },
      body: JSON.stringify(input),
    });
    const result = (await r.json()) as CallResult;
    if (operation === 'session/login' && result.ok) session = (result.result as { token: string }).token;
    return result;
  };
  try {
    const status = await call('ward/status', {});
    return status.ok ? { call } : null;
  } catch {
    return null; // a file left by a process that was killed: nobody answers
  }
}
