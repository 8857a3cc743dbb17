/**
 * JSON-RPC over HTTP to the consortium node, with a timeout on every request, and every failure
 * sorted into one of two kinds:
 * - NodeUnreachable: the node could not be asked (refused, reset, timed out, a 5xx from a
 *   gateway). For the sync engine this is the normal "offline" state, with a reason to show.
 * - NodeRefused: the node answered with a JSON-RPC error. explainNodeError turns the errors a Besu
 *   (or geth/anvil) node gives into messages an IT admin can act on, from codes and messages,
 *   never from revert reasons (Besu leaves those off unless --revert-reason-enabled).
 */
import { WardError } from '../model/errors';

export class NodeUnreachable extends Error {
  override readonly name = 'NodeUnreachable';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export class NodeRefused extends Error {
  override readonly name = 'NodeRefused';
  constructor(
    readonly method: string,
    readonly code: number,
    readonly nodeMessage: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${code} ${nodeMessage}`);
  }
}

export class JsonRpc {
  private id = 0;
  constructor(
    readonly url: string,
    private readonly timeoutMs = 15_000,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new WardError('BAD_INPUT', 'The consortium endpoint is not a valid URL (for example http://besu.hospital.local:8545).');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WardError('BAD_INPUT', 'The consortium endpoint must be an http:// or https:// URL.');
  }

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const id = ++this.id;
    const send = () =>
      fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    let res: Response;
    try {
      res = await send();
    } catch (e) {
      // A kept-alive connection the server has just closed fails at once; a read is asked again
      // once on a new connection. Sending a transaction is not: its outcome is settled by the caller.
      if (!(method !== 'eth_sendRawTransaction' && reasonOf(e, this.timeoutMs) === DROPPED)) throw new NodeUnreachable(reasonOf(e, this.timeoutMs));
      try {
        res = await send();
      } catch (again) {
        throw new NodeUnreachable(reasonOf(again, this.timeoutMs));
      }
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new NodeUnreachable(reasonOf(e, this.timeoutMs));
    }
    let body: { result?: T; error?: { code?: number; message?: string; data?: unknown } };
    try {
      body = JSON.parse(text);
    } catch {
      throw new NodeUnreachable(res.ok ? 'the node sent an answer that is not JSON-RPC' : `the node answered HTTP ${res.status}`);
    }
    if (body && typeof body === 'object' && body.error) {
      throw new NodeRefused(method, Number(body.error.code ?? 0), String(body.error.message ?? ''), body.error.data);
    }
    if (!res.ok) throw new NodeUnreachable(`the node answered HTTP ${res.status}`);
    if (!body || typeof body !== 'object' || !('result' in body)) throw new NodeUnreachable('the node sent an answer without a result');
    return body.result as T;
  }
}

const DROPPED = 'the connection was dropped';

function reasonOf(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string }; code?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const code = err?.cause?.code ?? err?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the node running and the address right?)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return DROPPED;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the node\'s host name could not be resolved';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the network to the node is unreachable';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'the connection timed out';
    default:
      return 'the node could not be reached';
  }
}

/** Known node answers (Besu RpcErrorType, geth/anvil pool errors) → what IT should do. */
const KNOWN: Array<{ code?: number; match: RegExp; message: string; errorCode: WardError['code'] }> = [
  { match: /sender account not authorized|not authorized to send/i, message: 'The consortium node does not allow this ward\'s sync account to send transactions: add it to the node\'s account allowlist (permissions_config.toml).', errorCode: 'FORBIDDEN' },
  { match: /gas price below|below configured minimum gas price|transaction underpriced|max fee per gas less than block base fee/i, message: 'The consortium node asks for a gas price above zero: run Besu with --min-gas-price=0 and "zeroBaseFee": true in the genesis file.', errorCode: 'CHAIN' },
  { match: /insufficient funds|upfront cost exceeds/i, message: 'The consortium node charges for gas and this ward\'s sync account has no funds: the network must run with zero gas price.', errorCode: 'CHAIN' },
  { match: /oversized data|transaction size|too large/i, message: 'The transaction is larger than the consortium node accepts (128 KB); send smaller batches.', errorCode: 'BAD_INPUT' },
  { match: /exceeds block gas limit|gas limit exceeds/i, message: 'The batch needs more gas than a consortium block holds; send smaller batches or raise the block gas limit in the genesis file.', errorCode: 'BAD_INPUT' },
  { match: /requested range exceeds|block range|range limit/i, message: 'The consortium node refused a log query over too many blocks.', errorCode: 'CHAIN' },
  { match: /nonce too low/i, message: 'The transaction\'s nonce was already used on the consortium chain.', errorCode: 'CONFLICT' },
  { match: /nonce too high|too distant/i, message: 'The transaction\'s nonce is ahead of the consortium chain.', errorCode: 'CONFLICT' },
  { match: /eth_sendTransaction is not supported|method not found|not supported/i, message: 'The consortium node does not offer this method.', errorCode: 'CHAIN' },
  { match: /wrong chain ?id|invalid chain ?id|chainId/i, message: 'The transaction was signed for another chain than the consortium node runs.', errorCode: 'CHAIN' },
];

/** A NodeRefused as a WardError IT can act on; anything else as a generic chain error. */
export function explainNodeError(e: unknown): WardError {
  if (e instanceof WardError) return e;
  if (e instanceof NodeUnreachable) return new WardError('CHAIN', `The consortium node is not reachable: ${e.reason}.`, { offline: true });
  if (e instanceof NodeRefused) {
    const known = KNOWN.find((k) => (k.code === undefined || k.code === e.code) && k.match.test(e.nodeMessage));
    if (known) return new WardError(known.errorCode, known.message, { nodeCode: e.code });
    return new WardError('CHAIN', `The consortium node refused the request (${e.method}, code ${e.code}).`, { nodeCode: e.code });
  }
  return new WardError('CHAIN', 'The consortium request failed.');
}

export function isRangeRefusal(e: unknown): boolean {
  return e instanceof NodeRefused && (e.code === -32005 || /range/i.test(e.nodeMessage)) && /range/i.test(e.nodeMessage);
}
