/** Test helper: a real core on a fresh temporary data directory, and a caller bound to it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../electron/core/core';
import type { InputOf, OperationName, OutputOf } from '../../electron/core/api/contract';
import type { CallResult, WardCore } from '../../electron/core/shellContract';

export function tempDir(prefix = 'wardledger-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A fast keystore cost for tests that are not about the keystore itself. */
export const testScryptN = 1024;

export async function startCore(dataDir: string): Promise<WardCore> {
  const core = createCore({ dataDir, keystoreScryptN: testScryptN, lockCheckIntervalMs: 50 });
  await core.start();
  return core;
}

export class Caller {
  token: string | null = null;
  constructor(
    readonly core: WardCore,
    readonly channel = `test-${Math.random().toString(36).slice(2)}`,
  ) {}

  raw(operation: string, input: unknown): Promise<CallResult> {
    return this.core.call({ sessionToken: this.token, channel: this.channel }, operation, input);
  }

  /** Call and expect success. */
  async ok<N extends OperationName>(operation: N, input: InputOf<N>): Promise<OutputOf<N>> {
    const r = await this.raw(operation, input);
    if (!r.ok) throw new Error(`${operation} failed: ${r.error.code} ${r.error.message}`);
    return r.result as OutputOf<N>;
  }

  /** Call and expect a failure; returns the error. */
  async fails(operation: string, input: unknown): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
    const r = await this.raw(operation, input);
    if (r.ok) throw new Error(`${operation} unexpectedly succeeded`);
    return r.error;
  }

  async login(name: string, password: string): Promise<void> {
    const s = await this.ok('session/login', { name, password });
    this.token = s.token;
  }
}

export const admin = { wardName: 'Ward 7 North', name: 'Ada Admin', age: 41, password: 'admin-password-1' };
