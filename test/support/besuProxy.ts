/**
 * A JSON-RPC proxy in front of anvil that answers the way a Hyperledger Besu node does where the
 * two differ, and injects network faults on demand.
 *
 * Besu's behaviour, from its sources (hyperledger/besu):
 * - eth_sendTransaction: Besu holds no keys; EthSendTransaction always answers
 *   RpcErrorType.ETH_SEND_TX_NOT_AVAILABLE = -32604 "The method eth_sendTransaction is not
 *   supported. Use eth_sendRawTransaction to send a signed transaction to Besu."
 *   (ethereum/api/.../jsonrpc/internal/response/RpcErrorType.java, EthSendTransactionTest.java).
 * - eth_accounts: always an empty list (EthAccounts: `new JsonRpcSuccessResponse(id, new Object[] {})`).
 * - eth_getLogs: `if (maxLogRange > 0 && (toBlockNumber - fromBlockNumber) > maxLogRange)` throws
 *   InvalidJsonRpcParameters(EXCEEDS_RPC_MAX_BLOCK_RANGE), answered as -32005 "Requested range
 *   exceeds maximum RPC range limit"; --rpc-max-logs-range defaults to 5000 (besu PR #5209).
 * - Transaction size: go-ethereum's pool refuses a transaction over txMaxSize = 4 * 32 KiB
 *   (core/txpool/legacypool/legacypool.go, ErrOversizedData "oversized data", -32000); the issue
 *   holds Besu consortium nodes to the same 128 KiB, so the proxy refuses what geth refuses.
 * Everything else is forwarded to anvil unchanged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const BESU_MAX_LOGS_RANGE = 5000;
export const MAX_TX_BYTES = 4 * 32 * 1024;

export type FaultAction =
  /** Close the connection without forwarding the request. */
  | 'drop-before'
  /** Forward the request to the node, then close the connection without answering. */
  | 'drop-after'
  /** Wait `delayMs`, then go on. */
  | 'delay'
  /** Answer every call with Besu's -32603 "Internal error". */
  | 'error'
  /** Answer HTTP 503 (a gateway in front of the node). */
  | 'http-503'
  /** Never answer (the client's timeout must fire). */
  | 'hang';

export interface FaultRule {
  /** Only requests that contain this method (any, when absent). */
  method?: string;
  action: FaultAction;
  delayMs?: number;
  /** How many matching requests this rule applies to (default 1). */
  times?: number;
}

interface RpcCall {
  jsonrpc?: string;
  id?: unknown;
  method?: string;
  params?: unknown[];
}

const error = (id: unknown, code: number, message: string) => ({ jsonrpc: '2.0', id, error: { code, message } });

export class BesuProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private rules: Array<Required<Pick<FaultRule, 'action'>> & FaultRule & { left: number }> = [];
  private offline = false;
  private random: { rate: number; actions: FaultAction[]; next: () => number } | null = null;
  /** Faults injected at random so far. */
  injected = 0;
  /** Methods forwarded to the node, in order (what the node really saw). */
  readonly forwarded: string[] = [];
  /** Calls refused the way Besu refuses them: method and error code. */
  readonly refused: Array<{ method: string; code: number }> = [];
  port = 0;
  /** Besu's --rpc-max-logs-range (5000 by default). */
  maxLogsRange = BESU_MAX_LOGS_RANGE;

  constructor(private upstream: string) {}

  static async start(upstream: string): Promise<BesuProxy> {
    const proxy = new BesuProxy(upstream);
    await proxy.listen();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Point at another node (e.g. anvil restarted on another port). */
  setUpstream(url: string): void {
    this.upstream = url;
  }

  /** Add a fault for the next matching request(s). */
  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  /**
   * Inject faults at random into `rate` of all requests (null: stop), each action drawn from
   * `actions`, from a seeded generator so a failing run can be replayed.
   */
  randomFaults(options: { rate: number; actions: FaultAction[]; seed: number } | null): void {
    if (!options) {
      this.random = null;
      return;
    }
    let state = options.seed >>> 0;
    // mulberry32
    const next = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    this.random = { rate: options.rate, actions: options.actions, next };
  }

  clearFaults(): void {
    this.rules = [];
  }

  /** While offline every connection is reset as it opens (a node or a network that is down). */
  setOffline(offline: boolean): void {
    this.offline = offline;
    if (offline) for (const s of this.sockets) s.destroy();
  }

  count(method: string): number {
    return this.forwarded.filter((m) => m === method).length;
  }

  private async listen(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      if (this.offline) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private takeRule(methods: string[]): FaultRule | null {
    const i = this.rules.findIndex((r) => !r.method || methods.includes(r.method));
    if (i < 0) return null;
    const rule = this.rules[i]!;
    if (--rule.left <= 0) this.rules.splice(i, 1);
    return rule;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    let body: RpcCall | RpcCall[];
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(error(null, -32700, 'Parse error')));
      return;
    }
    const calls = Array.isArray(body) ? body : [body];
    const methods = calls.map((c) => String(c.method));

    let rule = this.takeRule(methods);
    if (!rule && this.random && this.random.next() < this.random.rate) {
      this.injected++;
      rule = { action: this.random.actions[Math.floor(this.random.next() * this.random.actions.length)]! };
    }
    while (rule?.action === 'delay') {
      await new Promise((r) => setTimeout(r, rule!.delayMs ?? 1000));
      rule = this.takeRule(methods);
    }
    if (rule?.action === 'drop-before') return void req.socket.destroy();
    if (rule?.action === 'hang') return;
    if (rule?.action === 'http-503') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    if (rule?.action === 'error') {
      const answers = calls.map((c) => error(c.id ?? null, -32603, 'Internal error'));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(body) ? answers : answers[0]));
    }

    let answer: string;
    try {
      // One call the proxy lets through goes to the node as it came and comes back as the node
      // answered (no second encoding of a 128 KB transaction or log page in this process).
      answer = Array.isArray(body) ? JSON.stringify(await Promise.all(calls.map(async (c) => JSON.parse(await this.answer(c))))) : await this.answer(body, raw);
    } catch {
      // The node is down: the client sees its connection reset, as with a stopped Besu.
      return void req.socket.destroy();
    }
    if (rule?.action === 'drop-after') return void req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
  }

  private refuse(call: RpcCall, code: number, message: string): string {
    this.refused.push({ method: String(call.method), code });
    return JSON.stringify(error(call.id ?? null, code, message));
  }

  /** The node's answer to one call (JSON text), or Besu's where the two differ. `raw`: the call as it came. */
  private async answer(call: RpcCall, raw?: Buffer): Promise<string> {
    switch (call.method) {
      case 'eth_sendTransaction':
        return this.refuse(call, -32604, 'The method eth_sendTransaction is not supported. Use eth_sendRawTransaction to send a signed transaction to Besu.');
      case 'eth_accounts':
        return JSON.stringify({ jsonrpc: '2.0', id: call.id ?? null, result: [] });
      case 'eth_sign':
      case 'eth_signTransaction':
      case 'eth_signTypedData_v4':
      case 'personal_sign':
        return this.refuse(call, -32601, 'Method not found');
      case 'eth_sendRawTransaction': {
        const tx = String(call.params?.[0] ?? '');
        if ((tx.length - 2) / 2 > MAX_TX_BYTES) return this.refuse(call, -32000, 'oversized data');
        break;
      }
      case 'eth_getLogs': {
        const filter = (call.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string; blockHash?: string };
        if (!filter.blockHash) {
          const head = await this.headBlock();
          const from = blockNumberOf(filter.fromBlock, head);
          const to = blockNumberOf(filter.toBlock, head);
          if (to - from > this.maxLogsRange) return this.refuse(call, -32005, 'Requested range exceeds maximum RPC range limit');
        }
        break;
      }
    }
    return this.forward(call, raw);
  }

  private async headBlock(): Promise<number> {
    const r = JSON.parse(await this.forward({ jsonrpc: '2.0', id: 0, method: 'eth_blockNumber', params: [] }, undefined, false)) as { result: string };
    return Number(r.result);
  }

  private async forward(call: RpcCall, raw?: Buffer, record = true): Promise<string> {
    // A new connection per call: a pooled one that anvil closed while idle would fail spuriously.
    const res = await fetch(this.upstream, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: raw ?? JSON.stringify(call) });
    const text = await res.text();
    if (record) this.forwarded.push(String(call.method));
    return text;
  }
}

function blockNumberOf(tag: string | undefined, head: number): number {
  if (tag === undefined || tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return head;
  if (tag === 'earliest') return 0;
  return Number(tag);
}
