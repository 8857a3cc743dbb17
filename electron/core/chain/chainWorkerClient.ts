/**
 * The core's side of the ward chain's thread (chainWorker.ts): start it, open the chain database
 * in it, and talk EIP-1193 to the ganache inside (`request`, what ethers' BrowserProvider calls).
 *
 * A shell may start the thread first thing (`prestartChainWorker`, before the app's modules load)
 * so that ganache loads meanwhile; the core's WardNode takes that thread, or starts one.
 *
 * Errors cross the port as { message, code, data }, the fields ethers reads from an EIP-1193
 * error. If the thread dies (an error escaping ganache, as a damaged database makes it), the open
 * fails as a damaged chain and every pending or later request fails with a CHAIN error.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import { chainDamaged, problemOf } from './chainDatabase';

export type ChainWorkerRequest =
  | { type: 'open'; dbPath: string; options: object }
  | { type: 'request'; id: number; method: string; params: unknown[] }
  | { type: 'stop' };

export interface RpcErrorFields {
  message: string;
  code?: number;
  data?: unknown;
}

export type ChainWorkerReply =
  | { type: 'opened' }
  | { type: 'unchecked' }
  | { type: 'failed'; damaged: boolean; problem: string }
  | { type: 'reply'; id: number; result?: unknown; error?: RpcErrorFields }
  | { type: 'stopped' };

/** How long a stopping chain may take to close its database before its thread is ended. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * The chain thread's young generation, in MB: capped well below V8's default (32 MB committed
 * once the thread has been busy, on Node 20). V8 gives an idle thread's young generation back only
 * when its memory reducer happens to run, which it did within 30 s of the ward falling idle in some
 * runs and not in others: an idle ward held 15–25 MB of empty young generation for the chain alone.
 * The chain's work (a block, a log query) is not held back by it (docs/benchmarks.md).
 */
const CHAIN_YOUNG_GENERATION_MB = 8;

/** The worker, from the built app (out/main/chainWorker.js) or, in tests and tools run from source, through tsx. */
function spawnWorker(): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: CHAIN_YOUNG_GENERATION_MB };
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // Run from source (vitest, tsx): the worker thread gets tsx's require hook, then the TypeScript entry.
    const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
    const entry = join(dirname(here), 'chainWorker.ts');
    return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`, { eval: true, resourceLimits });
  }
  // Built: this code sits in out/main/ or in out/main/chunks/.
  const dir = dirname(here);
  const entry = [join(dir, 'chainWorker.js'), join(dir, '..', 'chainWorker.js')].find((p) => existsSync(p));
  if (!entry) throw new WardError('INTERNAL', `The ward chain's worker (chainWorker.js) is missing beside ${dir}. Rebuild the app (npm run build).`);
  return new Worker(entry, { resourceLimits });
}

export class ChainWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private opening: { resolve: () => void; reject: (e: unknown) => void; dbPath: string } | null = null;
  private stopped: (() => void) | null = null;
  /** Why the thread can answer nothing more (it died, or was stopped). */
  private gone: WardError | null = null;
  private readonly exited: Promise<void>;
  private stopping: Promise<void> | null = null;
  /** Calls, open and stop still waiting for the thread's answer. */
  private waiting = 0;

  constructor() {
    this.worker = spawnWorker();
    this.worker.unref();
    this.worker.on('message', (m: ChainWorkerReply) => this.receive(m));
    this.worker.on('error', (e) => this.died(e));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => this.died(new Error('the chain thread ended')));
  }

  /** Open the chain database at dbPath with these ganache options; resolves when the node answers. */
  open(dbPath: string, options: object): Promise<void> {
    if (this.gone) return Promise.reject(this.gone);
    return this.awaited(
      new Promise<void>((resolve, reject) => {
        this.opening = { resolve, reject, dbPath };
        this.worker.postMessage({ type: 'open', dbPath, options } satisfies ChainWorkerRequest);
      }),
    );
  }

  /** EIP-1193: one JSON-RPC call to the node. */
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    const params = Array.isArray(args.params) ? args.params : args.params === undefined ? [] : [args.params];
    return this.awaited(
      new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ type: 'request', id, method: args.method, params } satisfies ChainWorkerRequest);
      }),
    );
  }

  /**
   * The thread keeps the process alive only while something waits on it: an idle chain (a
   * prestarted thread nobody took, a ward between calls) must not, as in-process ganache did not.
   */
  private awaited<T>(answer: Promise<T>): Promise<T> {
    if (this.waiting++ === 0) this.worker.ref();
    const done = () => {
      if (--this.waiting === 0) this.worker.unref();
    };
    answer.then(done, done);
    return answer;
  }

  /** Close the chain database (ganache flushes and closes it) and end the thread. Safe to call twice. */
  stop(): Promise<void> {
    return (this.stopping ??= this.closeAndEnd());
  }

  private async closeAndEnd(): Promise<void> {
    if (this.gone) return this.exited;
    const stopped = new Promise<'stopped'>((resolve) => (this.stopped = () => resolve('stopped')));
    this.worker.postMessage({ type: 'stop' } satisfies ChainWorkerRequest);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)));
    // Closed (or not closing in time): the thread is ended here rather than left to wind down.
    if ((await this.awaited(Promise.race([stopped, timeout]))) === 'timeout') log('warn', 'chain.stop_timeout');
    clearTimeout(timer);
    this.gone ??= new WardError('CHAIN', 'The ward chain is not running.');
    await this.worker.terminate();
    await this.exited;
  }

  private receive(m: ChainWorkerReply): void {
    if (m.type === 'reply') {
      const call = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!call) return;
      if (m.error) call.reject(Object.assign(new Error(m.error.message), m.error));
      else call.resolve(m.result);
    } else if (m.type === 'opened') {
      this.opening?.resolve();
      this.opening = null;
    } else if (m.type === 'failed') {
      const dbPath = this.opening?.dbPath ?? '';
      this.opening?.reject(m.damaged ? chainDamaged(dbPath, m.problem) : new WardError('CHAIN', `The ward chain could not be opened: ${m.problem}`));
      this.opening = null;
    } else if (m.type === 'unchecked') {
      log('warn', 'chain.db_check_unavailable');
    } else if (m.type === 'stopped') {
      this.stopped?.();
    }
  }

  /** The thread ended: an open in progress fails as a damaged database, calls as a stopped chain. */
  private died(e: unknown): void {
    if (this.gone) return;
    const problem = problemOf(e);
    this.gone = new WardError('CHAIN', 'The ward chain stopped. Restart WardLedger; if it happens again, restore the data directory from a backup.');
    if (this.opening) {
      this.opening.reject(chainDamaged(this.opening.dbPath, problem));
      this.opening = null;
    } else if (!this.stopped) log('error', 'chain.thread_ended', { problem });
    for (const call of this.pending.values()) call.reject(this.gone);
    this.pending.clear();
  }
}

let prestarted: ChainWorker | null = null;

/**
 * Start the chain's thread now, so that ganache loads while the app's modules do. The next
 * WardNode to start takes it (takeChainWorker); nothing is opened until then.
 */
export function prestartChainWorker(): void {
  prestarted ??= new ChainWorker();
}

/** The prestarted thread if there is one, else a new one. */
export function takeChainWorker(): ChainWorker {
  const worker = prestarted ?? new ChainWorker();
  prestarted = null;
  return worker;
}
