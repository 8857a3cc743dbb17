/**
 * Where the puller verifies shares: on worker threads (shareWorker.ts) when it may use them, so
 * that on a two-core workstation the checks run beside the thread that reads the chain and opens
 * grants (one ECDH each); on the calling thread otherwise. Both give exactly openShare's answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import { openShare, type BatchOnChain, type OpenedShare } from './batch';
import type { ShareGrant } from './payload';
import type { ConsortiumContext } from './sealing';
import type { VerifyReply, VerifyRequest } from './shareWorker';

export interface ShareVerifier {
  /** openShare(grant, sealed, onChain, context). @throws what openShare throws. */
  verify(grant: ShareGrant, sealed: Uint8Array[], onChain: BatchOnChain, context: ConsortiumContext): Promise<OpenedShare>;
  close(): Promise<void>;
}

/** On the calling thread. */
export class InThreadVerifier implements ShareVerifier {
  async verify(grant: ShareGrant, sealed: Uint8Array[], onChain: BatchOnChain, context: ConsortiumContext): Promise<OpenedShare> {
    return openShare(grant, sealed, onChain, context);
  }

  async close(): Promise<void> {}
}

interface Waiting {
  resolve: (r: OpenedShare) => void;
  reject: (e: unknown) => void;
}

/** On `threads` worker threads, each share to the least busy one. */
export class WorkerVerifier implements ShareVerifier {
  private readonly workers: Array<{ worker: Worker; waiting: Map<number, Waiting> }> = [];
  private nextId = 1;
  private readonly inThread = new InThreadVerifier();

  constructor(threads: number, script: WorkerScript) {
    for (let i = 0; i < threads; i++) {
      const worker = script.eval ? new Worker(script.code, { eval: true }) : new Worker(script.url);
      const waiting = new Map<number, Waiting>();
      worker.on('message', (reply: VerifyReply) => {
        const w = waiting.get(reply.id);
        if (!w) return;
        waiting.delete(reply.id);
        if ('error' in reply) w.reject(new WardError(reply.error.code, reply.error.message));
        else w.resolve(reply.result);
      });
      const fail = () => {
        for (const w of waiting.values()) w.reject(new WardError('INTERNAL', 'Verifying the consortium records stopped unexpectedly.'));
        waiting.clear();
      };
      worker.on('error', (e) => {
        log('error', 'consortium.verifier.failed', { error: e instanceof Error ? e.name : 'unknown' });
        fail();
      });
      worker.on('exit', fail);
      worker.unref();
      this.workers.push({ worker, waiting });
    }
  }

  verify(grant: ShareGrant, sealed: Uint8Array[], onChain: BatchOnChain, context: ConsortiumContext): Promise<OpenedShare> {
    // A grant pointing outside its batch fails at once in openShare: nothing to send.
    if (!Number.isInteger(grant.first) || !Number.isInteger(grant.count) || grant.count < 1 || grant.first < 0 || grant.first + grant.count > sealed.length) return this.inThread.verify(grant, sealed, onChain, context);
    const target = this.workers.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    const id = this.nextId++;
    const request: VerifyRequest = { id, grant, sealed: sealed.slice(grant.first, grant.first + grant.count), total: sealed.length, onChain, context };
    return new Promise<OpenedShare>((resolve, reject) => {
      target.waiting.set(id, { resolve, reject });
      target.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

type WorkerScript = { eval: false; url: URL } | { eval: true; code: string };

/**
 * The worker's script: the built one beside the bundle (out/main/shareWorker.js, whichever chunk
 * this code is in), or, run from the sources (tests, benchmarks under tsx), the TypeScript file
 * loaded through tsx's loader. Null when neither is there.
 */
function workerScript(): WorkerScript | null {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsx = tsxLoader(here);
    if (!tsx) return null;
    const file = new URL('./shareWorker.ts', here).href;
    return { eval: true, code: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(file)}); })` };
  }
  for (const candidate of ['./shareWorker.js', '../shareWorker.js']) {
    const url = new URL(candidate, here);
    if (existsSync(fileURLToPath(url))) return { eval: false, url };
  }
  return null;
}

/** tsx's ESM registration API (a development dependency), as a file URL. */
function tsxLoader(from: string): string | null {
  try {
    const pkg = createRequire(from).resolve('tsx/package.json');
    const api = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> }).exports['./esm/api']?.import?.default;
    return api ? pathToFileURL(join(dirname(pkg), api)).href : null;
  } catch {
    return null;
  }
}

/** Worker threads when `threads` > 0 and the worker's script is there; the calling thread otherwise. */
export function shareVerifier(threads: number): ShareVerifier {
  if (threads > 0) {
    const script = workerScript();
    if (script) return new WorkerVerifier(threads, script);
    log('warn', 'consortium.verifier.inThread', { reason: 'no worker script' });
  }
  return new InThreadVerifier();
}
