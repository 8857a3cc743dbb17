/**
 * The ward chain's own thread: ganache runs here, the core talks to it through ChainWorker
 * (chainWorkerClient.ts) over the worker's message port.
 *
 * Why a thread: ganache's load and initialisation are most of the CPU of a start, and on its own
 * thread they run beside the app's module loading and the core's opening instead of before them.
 * The thread loads ganache as soon as it exists (a shell may start it before the app's modules
 * load), then waits to be told which database to open: that comes from the core, after it holds
 * the data directory's lock.
 *
 * The database is written here, by ganache, as it was in-process: a kill -9 ends this thread with
 * the process, and what ganache acknowledged is what it had written.
 */
import { parentPort } from 'node:worker_threads';
import { chainDatabaseProblem, problemOf } from './chainDatabase';
import type { ChainWorkerReply, ChainWorkerRequest } from './chainWorkerClient';
import { startIdleCollector, type IdleCollector } from '../platform/idleCollector';
import { loadGanache, type Ganache } from './loadGanache';

type GanacheProvider = ReturnType<Ganache['provider']>;

const port = parentPort;
if (!port) throw new Error('chainWorker.ts runs as a worker thread.');

const send = (message: ChainWorkerReply) => port.postMessage(message);
const loaded = loadGanache();
let provider: GanacheProvider | null = null;
/** ganache's garbage from a burst of anchor reads goes back when the chain is quiet (platform/idleCollector.ts; its heap is smaller, so a lower threshold). */
let idleCollector: IdleCollector | null = null;

/** A node error as EIP-1193 callers (ethers' BrowserProvider) read it: message, code, data. */
function rpcError(e: unknown): { message: string; code?: number; data?: unknown } {
  const err = e as { message?: unknown; code?: unknown; data?: unknown };
  return {
    message: typeof err?.message === 'string' ? err.message : String(e),
    ...(typeof err?.code === 'number' ? { code: err.code } : {}),
    // ganache's data is a hex string or a small plain object; kept as JSON, as ethers copies it.
    ...(err?.data !== undefined ? { data: JSON.parse(JSON.stringify(err.data)) as unknown } : {}),
  };
}

async function open(dbPath: string, options: object): Promise<void> {
  try {
    const problem = await chainDatabaseProblem(dbPath);
    if (problem === 'unchecked') send({ type: 'unchecked' });
    else if (problem !== null) {
      send({ type: 'failed', damaged: true, problem });
      return;
    }
    const ganache = await loaded;
    provider = ganache.provider(options as unknown as Parameters<Ganache['provider']>[0]);
    await provider.request({ method: 'eth_blockNumber', params: [] });
    send({ type: 'opened' });
    idleCollector = startIdleCollector({ growthBytes: 16 * 2 ** 20 });
  } catch (e) {
    // A node that never opened is dropped, not disconnected (disconnecting it can hang): the core
    // ends this thread after a failed open.
    provider = null;
    send({ type: 'failed', damaged: false, problem: problemOf(e) });
  }
}

async function answer(id: number, method: string, params: unknown[]): Promise<void> {
  if (!provider) {
    send({ type: 'reply', id, error: { message: 'The ward chain is not open.' } });
    return;
  }
  try {
    const result = await provider.request({ method, params } as Parameters<GanacheProvider['request']>[0]);
    send({ type: 'reply', id, result });
  } catch (e) {
    send({ type: 'reply', id, error: rpcError(e) });
  }
}

async function stop(): Promise<void> {
  const p = provider;
  provider = null;
  idleCollector?.stop();
  try {
    if (p) await p.disconnect();
  } finally {
    send({ type: 'stopped' });
    port!.close();
  }
}

port.on('message', (message: ChainWorkerRequest) => {
  if (message.type === 'request') void answer(message.id, message.method, message.params);
  else if (message.type === 'open') void open(message.dbPath, message.options);
  else if (message.type === 'stop') void stop();
});
