/**
 * Test helper: the built `wardledger serve` (serveProcess.ts) called over its loopback API as a
 * script would (the launch secret in `x-wardledger-secret`), and watched until it exits — e.g.
 * killed by a failpoint (WARDLEDGER_FAILPOINT, platform/failpoint.ts).
 */
import type { CallResult } from '../../electron/core/api/contract';
import { unpackResult } from '../../electron/core/model/replyPacking';
import { spawnServe } from './serveProcess';
import { testScryptN } from './tempCore';

export interface ServeChild {
  /** One API call; rejects when the connection drops (the process died). */
  call(operation: string, input: unknown, session?: string | null): Promise<CallResult>;
  login(name: string, password: string): Promise<string>;
  /** How the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** The serve process's id (its resident memory is read from /proc by the growth benchmark). */
  pid: number;
  stop(): Promise<void>;
}

export async function serveChild(dataDir: string, env: Record<string, string> = {}): Promise<ServeChild> {
  const serve = spawnServe(dataDir, [], { WARDLEDGER_SCRYPT_N: String(testScryptN), ...env });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => {
    const child = serve.process;
    if (child.exitCode !== null || child.signalCode !== null) r({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => r({ code, signal }));
  });
  const launch = new URL(await serve.ready);
  const secret = launch.searchParams.get('token')!;
  const call = async (operation: string, input: unknown, session: string | null = null): Promise<CallResult> => {
    const r = await fetch(new URL(`/api/${operation}`, launch.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wardledger-secret': secret, ...(session ? { 'x-ward-session': session } : {}) },
      body: JSON.stringify(input),
    });
    const reply = (await r.json()) as CallResult;
    // Packed as the renderer's HTTP bridge receives it (core/model/replyPacking.ts).
    return reply.ok ? { ok: true, result: unpackResult(operation, reply.result) } : reply;
  };
  return {
    call,
    async login(name, password) {
      const r = await call('session/login', { name, password });
      if (!r.ok) throw new Error(`login failed: ${r.error.message}`);
      return (r.result as { token: string }).token;
    },
    exited,
    output: serve.output,
    pid: serve.process.pid!,
    stop: serve.stop,
  };
}
